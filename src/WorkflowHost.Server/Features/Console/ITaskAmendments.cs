using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Definitions;

namespace WorkflowHost.Server.Features.Console;

/// <summary>
/// The console's "send a reminder now" and "extend the due date" buttons, on the runtime's amendments
/// (issue 5: reminders and escalations re-plan from the new date, completed steps are not re-run, nothing
/// already sent is sent again). The same operations are <c>POST /api/tasks/{id}/remind</c>,
/// <c>/api/tasks/{id}/due-date</c> and <c>/api/instances/{id}/milestones/{milestone}/due-date</c>.
/// </summary>
public interface ITaskAmendments
{
    /// <summary>Sends the task's unit a reminder (or an overdue notice) now.</summary>
    /// <exception cref="Engine.Tasks.TaskStateException">The task is closed.</exception>
    Task RemindAsync(string taskId, string actor, CancellationToken cancellationToken);

    /// <summary>Moves one task's due date (local date, today or later).</summary>
    /// <exception cref="Engine.Tasks.TaskStateException">The date is past or the task is closed.</exception>
    Task ExtendTaskAsync(string taskId, DateOnly dueDate, string reason, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the due date of the open tasks of a milestone: all units, one unit group's, and/or the listed
    /// units. Returns how many tasks the selection holds and how many changed.
    /// </summary>
    /// <exception cref="Engine.Tasks.TaskStateException">The date is past.</exception>
    Task<(int Selected, int Changed)> ExtendMilestoneAsync(string instanceId, string milestone, DateOnly dueDate, string? unitGroup, IReadOnlyCollection<string>? unitCodes,
        string? reason, string actor, CancellationToken cancellationToken);
}

/// <summary><see cref="ITaskAmendments"/> on <see cref="WorkflowRuntime"/>; <c>actor</c> is written to the journal as given (e.g. "secretariat:thuky").</summary>
public sealed class RuntimeTaskAmendments(WorkflowRuntime runtime, IDbContextFactory<WorkflowHostDbContext> contexts, DbDefinitionSource directories) : ITaskAmendments
{
    /// <inheritdoc />
    public Task RemindAsync(string taskId, string actor, CancellationToken cancellationToken) =>
        runtime.RemindAsync(taskId, actor, cancellationToken);

    /// <inheritdoc />
    public Task ExtendTaskAsync(string taskId, DateOnly dueDate, string reason, string actor, CancellationToken cancellationToken) =>
        runtime.AmendDueDateAsync([taskId], dueDate, reason, actor, cancellationToken);

    /// <inheritdoc />
    public async Task<(int Selected, int Changed)> ExtendMilestoneAsync(string instanceId, string milestone, DateOnly dueDate, string? unitGroup, IReadOnlyCollection<string>? unitCodes,
        string? reason, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var instance = await db.Instances.AsNoTracking().FirstAsync(i => i.Id == instanceId, cancellationToken).ConfigureAwait(false);
        var directory = await directories.FindDirectoryAsync(instance.Directory, cancellationToken).ConfigureAwait(false);
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.InstanceId == instanceId && t.Milestone == milestone)
            .Select(t => new { t.Id, t.UnitCode }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var selected = tasks.Where(t => (unitGroup is null || string.Equals(directory?.Find(t.UnitCode)?.Group, unitGroup, StringComparison.OrdinalIgnoreCase))
            && (unitCodes is not { Count: > 0 } || unitCodes.Contains(t.UnitCode, StringComparer.OrdinalIgnoreCase))).Select(t => t.Id).ToList();
        return (selected.Count, await runtime.AmendDueDateAsync(selected, dueDate, reason, actor, cancellationToken).ConfigureAwait(false));
    }
}
