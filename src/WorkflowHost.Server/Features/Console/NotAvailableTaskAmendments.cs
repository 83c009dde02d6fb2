namespace WorkflowHost.Server.Features.Console;

/// <summary>The amendments before the engine supports them: every call answers false (the console says so).</summary>
public sealed class NotAvailableTaskAmendments : ITaskAmendments
{
    /// <inheritdoc />
    public Task<bool> RemindAsync(string taskId, string actor, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <inheritdoc />
    public Task<bool> ExtendTaskAsync(string taskId, DateOnly dueDate, string reason, string actor, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <inheritdoc />
    public Task<bool> ExtendMilestoneAsync(string instanceId, string milestone, DateOnly dueDate, string? unitGroup, string reason, string actor, CancellationToken cancellationToken) =>
        Task.FromResult(false);
}
