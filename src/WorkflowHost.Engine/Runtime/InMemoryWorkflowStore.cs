using System.Text.Json;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// A store in memory, for engine tests and quick previews. Sessions work on copies and commit them
/// atomically under a lock, so a failed step leaves nothing behind — the same contract as the EF store.
/// Not durable.
/// </summary>
public sealed class InMemoryWorkflowStore : IWorkflowStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkflowInstance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), ExecutionScope> _scopes = [];
    private readonly Dictionary<string, Bookmark> _bookmarks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UnitTaskRecord> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Submission> _submissions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Quotas.QuotaRecord> _quotas = new(StringComparer.Ordinal);
    private readonly List<OutboxMessage> _outbox = [];
    private readonly List<JournalEntry> _journal = [];

    /// <summary>Committed tasks (copies).</summary>
    public IReadOnlyList<UnitTaskRecord> Tasks { get { lock (_gate) return [.. _tasks.Values.Select(Clone)]; } }

    /// <summary>Committed quota records (copies).</summary>
    public IReadOnlyList<Quotas.QuotaRecord> Quotas { get { lock (_gate) return [.. _quotas.Values.Select(Clone)]; } }

    /// <summary>Committed bookmarks (copies).</summary>
    public IReadOnlyList<Bookmark> Bookmarks { get { lock (_gate) return [.. _bookmarks.Values.Select(Clone)]; } }

    /// <summary>Committed outbox messages (copies), in commit order.</summary>
    public IReadOnlyList<OutboxMessage> Outbox { get { lock (_gate) return [.. _outbox.Select(Clone)]; } }

    /// <summary>Committed journal entries (copies), in commit order.</summary>
    public IReadOnlyList<JournalEntry> Journal { get { lock (_gate) return [.. _journal.Select(Clone)]; } }

    /// <summary>Committed scopes (copies).</summary>
    public IReadOnlyList<ExecutionScope> Scopes { get { lock (_gate) return [.. _scopes.Values.Select(Clone)]; } }

    /// <summary>A committed instance (copy).</summary>
    public WorkflowInstance? Instance(string id) { lock (_gate) return _instances.TryGetValue(id, out var i) ? Clone(i) : null; }

    /// <summary>When set, the next commit throws this (to test that a failed step writes nothing).</summary>
    public Exception? FailNextCommit { get; set; }

    /// <inheritdoc />
    public Task<IWorkflowSession> OpenSessionAsync(CancellationToken cancellationToken) => Task.FromResult<IWorkflowSession>(new Session(this));

    /// <inheritdoc />
    public Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<Bookmark>>([.. _bookmarks.Values.Where(b => b.Kind == BookmarkKind.Timer && b.DueAt <= now)
                .OrderBy(b => b.DueAt).ThenBy(b => b.Id, StringComparer.Ordinal).Take(max).Select(Clone)]);
    }

    /// <inheritdoc />
    public Task<DateTimeOffset?> FindNextTimerDueAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(_bookmarks.Values.Where(b => b.Kind == BookmarkKind.Timer).Select(b => b.DueAt).Min());
    }

    private static T Clone<T>(T value) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value))!;

    private sealed class Session(InMemoryWorkflowStore store) : IWorkflowSession
    {
        private readonly Dictionary<object, object> _loaded = [];
        private readonly List<object> _added = [];
        private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
        private readonly List<(string Instance, string Scope, DateTimeOffset Now)> _cancels = [];

        private T? Load<T>(object key, Func<T?> find) where T : class
        {
            if (_loaded.TryGetValue(key, out var existing)) return (T)existing;
            T? copy;
            lock (store._gate) copy = find() is { } found ? Clone(found) : null;
            if (copy is not null) _loaded[key] = copy;
            return copy;
        }

        private IEnumerable<T> Added<T>() => _added.OfType<T>();

        public Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken) =>
            Task.FromResult(Added<WorkflowInstance>().FirstOrDefault(i => i.Id == instanceId)
                ?? Load(("i", instanceId), () => store._instances.GetValueOrDefault(instanceId)));

        public Task<ExecutionScope?> FindScopeAsync(string instanceId, string scopeId, CancellationToken cancellationToken) =>
            Task.FromResult(Added<ExecutionScope>().FirstOrDefault(s => s.InstanceId == instanceId && s.Id == scopeId)
                ?? Load(("s", instanceId, scopeId), () => store._scopes.GetValueOrDefault((instanceId, scopeId))));

        public Task<IReadOnlyList<string>> FindChildScopeIdsAsync(string instanceId, string parentId, string ownerActivityId, CancellationToken cancellationToken)
        {
            lock (store._gate)
                return Task.FromResult<IReadOnlyList<string>>([.. store._scopes.Values.Where(s => s.InstanceId == instanceId && s.ParentId == parentId && s.OwnerActivityId == ownerActivityId).Select(s => s.Id)]);
        }

        public Task<UnitTaskRecord?> FindTaskAsync(string taskId, CancellationToken cancellationToken) =>
            Task.FromResult(Added<UnitTaskRecord>().FirstOrDefault(t => t.Id == taskId)
                ?? Load(("t", taskId), () => store._tasks.GetValueOrDefault(taskId)));

        public Task<IReadOnlyList<UnitTaskRecord>> FindOpenTasksAsync(string instanceId, CancellationToken cancellationToken)
        {
            List<string> ids;
            lock (store._gate) ids = [.. store._tasks.Values.Where(t => t.InstanceId == instanceId).Select(t => t.Id)];
            var loaded = ids.Select(id => Load(("t", id), () => store._tasks.GetValueOrDefault(id))!).Concat(Added<UnitTaskRecord>().Where(t => t.InstanceId == instanceId));
            return Task.FromResult<IReadOnlyList<UnitTaskRecord>>([.. loaded.Where(t => !t.IsClosed).OrderBy(t => t.Id, StringComparer.Ordinal)]);
        }

        public Task<IReadOnlyList<ExecutionScope>> FindRunningScopesAsync(string instanceId, CancellationToken cancellationToken)
        {
            List<string> ids;
            lock (store._gate) ids = [.. store._scopes.Values.Where(s => s.InstanceId == instanceId).Select(s => s.Id)];
            var loaded = ids.Select(id => Load(("s", instanceId, id), () => store._scopes.GetValueOrDefault((instanceId, id)))!).Concat(Added<ExecutionScope>().Where(s => s.InstanceId == instanceId));
            return Task.FromResult<IReadOnlyList<ExecutionScope>>([.. loaded.Where(s => s.Status == WorkflowStatus.Running).OrderBy(s => s.Id, StringComparer.Ordinal)]);
        }

        public Task<IReadOnlyList<Quotas.QuotaRecord>> FindQuotasAsync(string instanceId, string? unitCode, CancellationToken cancellationToken)
        {
            bool Match(Quotas.QuotaRecord q) => q.InstanceId == instanceId && (unitCode is null || q.UnitCode == unitCode);
            List<string> ids;
            lock (store._gate) ids = [.. store._quotas.Values.Where(Match).Select(q => q.Id)];
            var loaded = ids.Select(id => Load(("q", id), () => store._quotas.GetValueOrDefault(id))!).Concat(Added<Quotas.QuotaRecord>().Where(Match));
            return Task.FromResult<IReadOnlyList<Quotas.QuotaRecord>>([.. loaded.OrderBy(q => q.Id, StringComparer.Ordinal)]);
        }

        public Task<IReadOnlyList<Submission>> FindSubmissionsAsync(string taskId, CancellationToken cancellationToken)
        {
            List<string> ids;
            lock (store._gate) ids = [.. store._submissions.Values.Where(s => s.TaskId == taskId).Select(s => s.Id)];
            var loaded = ids.Select(id => Load(("sub", id), () => store._submissions.GetValueOrDefault(id))!).Concat(Added<Submission>().Where(s => s.TaskId == taskId));
            return Task.FromResult<IReadOnlyList<Submission>>([.. loaded.OrderBy(s => s.SubmittedAt).ThenBy(s => s.Id, StringComparer.Ordinal)]);
        }

        public Task<Bookmark?> FindBookmarkAsync(string bookmarkId, CancellationToken cancellationToken)
        {
            if (_removed.Contains(bookmarkId)) return Task.FromResult<Bookmark?>(null);
            return Task.FromResult(Added<Bookmark>().FirstOrDefault(b => b.Id == bookmarkId)
                ?? Load(("b", bookmarkId), () => store._bookmarks.GetValueOrDefault(bookmarkId)));
        }

        private IReadOnlyList<Bookmark> Bookmarks(Func<Bookmark, bool> predicate)
        {
            List<string> ids;
            lock (store._gate) ids = [.. store._bookmarks.Values.Where(predicate).Select(b => b.Id)];
            return [.. ids.Where(id => !_removed.Contains(id)).Select(id => Load(("b", id), () => store._bookmarks.GetValueOrDefault(id))!)
                .Concat(Added<Bookmark>().Where(b => !_removed.Contains(b.Id) && predicate(b)))];
        }

        public Task<IReadOnlyList<Bookmark>> FindEventBookmarksAsync(string eventKey, CancellationToken cancellationToken) =>
            Task.FromResult(Bookmarks(b => b.Kind == BookmarkKind.Event && b.EventKey == eventKey));

        public Task<IReadOnlyList<Bookmark>> FindActivityBookmarksAsync(string instanceId, string scopeId, string activityId, CancellationToken cancellationToken) =>
            Task.FromResult(Bookmarks(b => b.InstanceId == instanceId && b.ScopeId == scopeId && b.ActivityId == activityId));

        public Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(string instanceId, DateTimeOffset now, int max, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Bookmark>>([.. Bookmarks(b => b.InstanceId == instanceId && b.Kind == BookmarkKind.Timer && b.DueAt <= now)
                .OrderBy(b => b.DueAt).ThenBy(b => b.Id, StringComparer.Ordinal).Take(max)]);

        public Task CancelDescendantsAsync(string instanceId, string scopeId, DateTimeOffset now, CancellationToken cancellationToken)
        {
            _cancels.Add((instanceId, scopeId, now));
            return Task.CompletedTask;
        }

        public void Add(object entity) => _added.Add(entity);

        public void Remove(Bookmark bookmark)
        {
            _removed.Add(bookmark.Id);
            _added.Remove(bookmark);
        }

        public Task CommitAsync(CancellationToken cancellationToken)
        {
            lock (store._gate)
            {
                if (store.FailNextCommit is { } failure)
                {
                    store.FailNextCommit = null;
                    throw failure;
                }
                var keys = store._outbox.Select(o => o.IdempotencyKey).ToHashSet(StringComparer.Ordinal);
                foreach (var message in Added<OutboxMessage>())
                    if (!keys.Add(message.IdempotencyKey)) throw new InvalidOperationException($"Duplicate outbox key '{message.IdempotencyKey}'.");
                foreach (var entity in _loaded.Values.Concat(_added)) Put(entity);
                foreach (var id in _removed) store._bookmarks.Remove(id);
                foreach (var (instance, scope, now) in _cancels)
                {
                    var prefix = scope + "/";
                    foreach (var s in store._scopes.Values.Where(s => s.InstanceId == instance && s.Id.StartsWith(prefix, StringComparison.Ordinal))) s.Status = WorkflowStatus.Cancelled;
                    foreach (var b in store._bookmarks.Values.Where(b => b.InstanceId == instance && b.ScopeId.StartsWith(prefix, StringComparison.Ordinal)).ToList()) store._bookmarks.Remove(b.Id);
                    foreach (var t in store._tasks.Values.Where(t => t.InstanceId == instance && t.ScopeId.StartsWith(prefix, StringComparison.Ordinal) && !t.IsClosed))
                    {
                        t.Status = UnitTaskStatus.Cancelled;
                        t.CompletedAt = now;
                    }
                }
            }
            return Task.CompletedTask;
        }

        private void Put(object entity)
        {
            switch (entity)
            {
                case WorkflowInstance i: store._instances[i.Id] = Clone(i); break;
                case ExecutionScope s: store._scopes[(s.InstanceId, s.Id)] = Clone(s); break;
                case Bookmark b when !_removed.Contains(b.Id): store._bookmarks[b.Id] = Clone(b); break;
                case Bookmark: break;
                case UnitTaskRecord t: store._tasks[t.Id] = Clone(t); break;
                case Submission s: store._submissions[s.Id] = Clone(s); break;
                case Quotas.QuotaRecord q: store._quotas[q.Id] = Clone(q); break;
                case OutboxMessage o: o.Id = store._outbox.Count + 1; store._outbox.Add(Clone(o)); break;
                case JournalEntry j: j.Id = store._journal.Count + 1; store._journal.Add(Clone(j)); break;
                default: throw new ArgumentException($"Cannot store {entity.GetType().Name}.", nameof(entity));
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
