namespace WorkflowHost.Server.Features.Console;

/// <summary>
/// The console's "send a reminder now" and "extend the due date" buttons. The engine side (issue 5: the runtime
/// re-plans reminders and escalations from the new date, completed steps are not re-run) comes with
/// <c>POST /api/tasks/{id}/due-date</c>, <c>POST /api/instances/{id}/milestones/{milestone}/due-date</c> and
/// <c>POST /api/tasks/{id}/remind</c>; until it is merged, <see cref="NotAvailableTaskAmendments"/> answers false.
/// </summary>
public interface ITaskAmendments
{
    /// <summary>Sends the task's unit a reminder now; false when not available in this build.</summary>
    Task<bool> RemindAsync(string taskId, string actor, CancellationToken cancellationToken);

    /// <summary>Moves one task's due date (local date); false when not available in this build.</summary>
    Task<bool> ExtendTaskAsync(string taskId, DateOnly dueDate, string reason, string actor, CancellationToken cancellationToken);

    /// <summary>Moves the due date of every task of a milestone (optionally of one unit group); false when not available.</summary>
    Task<bool> ExtendMilestoneAsync(string instanceId, string milestone, DateOnly dueDate, string? unitGroup, string reason, string actor, CancellationToken cancellationToken);
}
