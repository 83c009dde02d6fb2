using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// The engine's seam to persistence. One step (a burst) opens one <see cref="IWorkflowSession"/>,
/// reads and changes what it needs and commits everything (instance, scopes, bookmarks, tasks,
/// submissions, outbox, journal) in one transaction. Implementations: EF Core (SQLite/PostgreSQL) in
/// the server, and an in-memory one for engine tests.
/// </summary>
public interface IWorkflowStore
{
    /// <summary>Opens a unit of work.</summary>
    Task<IWorkflowSession> OpenSessionAsync(CancellationToken cancellationToken);

    /// <summary>Timer bookmarks due at or before <paramref name="now"/>, oldest first (ties by id), at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>The earliest timer due instant of all bookmarks, or null when there is none.</summary>
    Task<DateTimeOffset?> FindNextTimerDueAsync(CancellationToken cancellationToken);

    /// <summary>Committed tasks' summaries (those that exist, in no particular order), read outside any session.</summary>
    async Task<IReadOnlyList<UnitTaskSummary>> ReadTaskSummariesAsync(IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
    {
        await using var session = await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        return [.. (await session.FindTasksAsync(taskIds, cancellationToken).ConfigureAwait(false)).Select(UnitTaskSummary.Of)];
    }
}

/// <summary>
/// A unit of work over the store. Entities returned are tracked: changes made to them are saved by
/// <see cref="CommitAsync"/>; nothing is written before it, and a failed commit writes nothing.
/// </summary>
public interface IWorkflowSession : IAsyncDisposable
{
    /// <summary>Finds an instance.</summary>
    Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Finds a scope.</summary>
    Task<ExecutionScope?> FindScopeAsync(string instanceId, string scopeId, CancellationToken cancellationToken);

    /// <summary>Ids of the stored child scopes of <paramref name="parentId"/> started by <paramref name="ownerActivityId"/>, any status (not those added in this session).</summary>
    Task<IReadOnlyList<string>> FindChildScopeIdsAsync(string instanceId, string parentId, string ownerActivityId, CancellationToken cancellationToken);

    /// <summary>Finds a task.</summary>
    Task<UnitTaskRecord?> FindTaskAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Finds several tasks (those that exist), in no particular order.</summary>
    async Task<IReadOnlyList<UnitTaskRecord>> FindTasksAsync(IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        var found = new List<UnitTaskRecord>(taskIds.Count);
        foreach (var id in taskIds)
            if (await FindTaskAsync(id, cancellationToken).ConfigureAwait(false) is { } task) found.Add(task);
        return found;
    }

    /// <summary>
    /// A hint before a step runs: the scopes of one instance that the step will touch (with their
    /// bookmarks) and the tasks it will resume (with their submissions). A store may load them in a
    /// few queries so that the step's finds answer from memory; the answers are the same either way.
    /// </summary>
    Task PreloadAsync(string instanceId, IReadOnlyCollection<string> scopeIds, IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A hint before a grouped timer sweep (<see cref="RuntimeOptions.MaxInstancesPerTransaction"/>): the steps
    /// about to run in this session resume the timers of <paramref name="instanceIds"/> due at or before
    /// <paramref name="now"/> (UTC), at most <paramref name="max"/> per instance. A store may load the instances,
    /// those timers, their scopes (with the scopes' bookmarks) and the tasks the timers name (with their
    /// submissions) for the whole group in a few queries, instead of a few per instance; the answers of the
    /// finds are the same either way.
    /// </summary>
    Task PreloadDueTimersAsync(IReadOnlyCollection<string> instanceIds, DateTimeOffset now, int max, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A task's submissions, oldest first.</summary>
    Task<IReadOnlyList<Submission>> FindSubmissionsAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Open (not accepted, not cancelled) tasks of an instance, tracked.</summary>
    Task<IReadOnlyList<UnitTaskRecord>> FindOpenTasksAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Running scopes of an instance, tracked.</summary>
    Task<IReadOnlyList<ExecutionScope>> FindRunningScopesAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Quota records of an instance (tracked, including those added in this session), of one unit when <paramref name="unitCode"/> is given.</summary>
    Task<IReadOnlyList<Quotas.QuotaRecord>> FindQuotasAsync(string instanceId, string? unitCode, CancellationToken cancellationToken);

    /// <summary>Finds a bookmark by id.</summary>
    Task<Bookmark?> FindBookmarkAsync(string bookmarkId, CancellationToken cancellationToken);

    /// <summary>Bookmarks with this event key.</summary>
    Task<IReadOnlyList<Bookmark>> FindEventBookmarksAsync(string eventKey, CancellationToken cancellationToken);

    /// <summary>Bookmarks with any of these event keys.</summary>
    async Task<IReadOnlyList<Bookmark>> FindEventBookmarksAsync(IReadOnlyCollection<string> eventKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventKeys);
        var found = new List<Bookmark>();
        foreach (var key in eventKeys.Distinct(StringComparer.Ordinal))
            found.AddRange(await FindEventBookmarksAsync(key, cancellationToken).ConfigureAwait(false));
        return found;
    }

    /// <summary>Bookmarks of one activity in one scope.</summary>
    Task<IReadOnlyList<Bookmark>> FindActivityBookmarksAsync(string instanceId, string scopeId, string activityId, CancellationToken cancellationToken);

    /// <summary>Timer bookmarks of one instance due at or before <paramref name="now"/>, oldest first, ties by id.</summary>
    Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(string instanceId, DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels everything below a scope: every descendant scope (ids starting with <c>{scopeId}/</c>)
    /// becomes Cancelled, their bookmarks are deleted and their open tasks Cancelled at <paramref name="now"/>.
    /// Applied at commit.
    /// </summary>
    Task CancelDescendantsAsync(string instanceId, string scopeId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Adds a new entity (instance, scope, bookmark, task, submission, quota, outbox message, journal entry).</summary>
    void Add(object entity);

    /// <summary>Deletes a bookmark.</summary>
    void Remove(Bookmark bookmark);

    /// <summary>Writes every change in one transaction.</summary>
    /// <exception cref="WorkflowConcurrencyException">Another node changed the same rows; the step must be retried.</exception>
    Task CommitAsync(CancellationToken cancellationToken);
}
