using System.Globalization;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Activities.Flow;

/// <summary>Shared waiting logic of Delay, Timer and StartAt: one timer bookmark per run, completed when it fires.</summary>
internal static class TimerWait
{
    public static async ValueTask<ActivityResult> WaitUntilAsync(ActivityExecutionContext context, DateTimeOffset dueAt)
    {
        if (dueAt <= context.Now) return ActivityResult.Done;
        var id = $"{context.Instance.Id}/{context.Scope.Id}/{context.Activity.Id}#{context.RunCount.ToString(CultureInfo.InvariantCulture)}";
        await context.SetTimerAsync(id, dueAt).ConfigureAwait(false);
        context.Journal("TimerSet", $"đến {PlanTime.Format(dueAt)}");
        return ActivityResult.Suspend;
    }
}
