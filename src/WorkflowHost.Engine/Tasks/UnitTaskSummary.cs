namespace WorkflowHost.Engine.Tasks;

/// <summary>
/// The few columns of a task the simulator plans its scenario with (<see cref="Runtime.IWorkflowStore.ReadTaskSummariesAsync"/>):
/// read without the task's texts and without being held by a session, because a 10,000-unit plan reads
/// every new and every acted-on task again after its step (issue 13).
/// </summary>
/// <param name="Id">Task id.</param>
/// <param name="Milestone">Milestone code, e.g. "nomination-2022-Q1".</param>
/// <param name="UnitCode">The unit's code.</param>
/// <param name="DueDate">Due date (local Asia/Ho_Chi_Minh).</param>
/// <param name="CreatedAt">Instant the task was created (UTC).</param>
/// <param name="Status">Its status now.</param>
public sealed record UnitTaskSummary(string Id, string Milestone, string UnitCode, DateOnly DueDate, DateTimeOffset CreatedAt, UnitTaskStatus Status)
{
    /// <summary>Done, DoneLate or Cancelled (as <see cref="UnitTaskRecord.IsClosed"/>).</summary>
    public bool IsClosed => Status is UnitTaskStatus.Done or UnitTaskStatus.DoneLate or UnitTaskStatus.Cancelled;

    /// <summary>The summary of a task.</summary>
    public static UnitTaskSummary Of(UnitTaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new(task.Id, task.Milestone, task.UnitCode, task.DueDate, task.CreatedAt, task.Status);
    }
}
