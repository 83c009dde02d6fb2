using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Server.Features.Pages;

/// <summary>
/// The status colours of Vietnamese task-tracking systems: green done on time, blue in progress before the deadline,
/// orange done late, red overdue and not done, grey not started (nothing sent yet, before the deadline) or cancelled.
/// </summary>
public enum TaskColour
{
    /// <summary>Accepted, sent before the end of the due date.</summary>
    Green,
    /// <summary>Sent (waiting for review) or returned, before the deadline.</summary>
    Blue,
    /// <summary>Accepted, sent after the due date.</summary>
    Orange,
    /// <summary>Past the due date and not accepted.</summary>
    Red,
    /// <summary>Nothing sent yet and before the deadline; or cancelled.</summary>
    Grey,
}

/// <summary>How a task maps to a <see cref="TaskColour"/>.</summary>
public static class TaskColours
{
    /// <summary>The colour of <paramref name="task"/> at instant <paramref name="now"/> (UTC).</summary>
    public static TaskColour Of(UnitTaskRecord task, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Status switch
        {
            UnitTaskStatus.Done => TaskColour.Green,
            UnitTaskStatus.DoneLate => TaskColour.Orange,
            UnitTaskStatus.Cancelled => TaskColour.Grey,
            _ when now >= task.DueAt => TaskColour.Red,
            UnitTaskStatus.Submitted or UnitTaskStatus.Returned => TaskColour.Blue,
            _ => TaskColour.Grey,
        };
    }

    /// <summary>The CSS class and the text key ("status.red").</summary>
    public static string Key(TaskColour colour) => "status." + colour.ToString().ToLowerInvariant();
}
