using System.Reflection;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// A store in memory, for engine tests, quick previews and <c>workflowhost bench --in-memory</c>. Sessions
/// work on copies and commit them atomically under a lock, so a failed step leaves nothing behind — the
/// same contract as the EF store. Not durable.
/// </summary>
/// <remarks>
/// Every find answers from an index, never from a scan of the store (issue 13: at 10,000 units a plan
/// holds ~90,000 tasks and ~20,000 bookmarks, and a step may cancel thousands of subtrees). The store
/// indexes its committed rows — bookmarks by (instance, scope, activity), by event key and timers by
/// (due instant, id); submissions by task; quotas, tasks and scopes by instance; the outbox keys; scope,
/// bookmark and open-task ids in ordinal order for the cancels by id prefix — and updates them when a
/// commit writes a row. A session indexes the rows it added by their identity fields (instance, scope,
/// activity, task, unit), which the runtime never changes after <see cref="IWorkflowSession.Add"/>;
/// fields a step does change (a bookmark's due instant or event key, a task's status) are read from the
/// session's own copy. Copies are shallow: every property of the stored entity types is a string, a
/// value type or an enum (a test checks it), so a member-wise copy is a full copy.
/// </remarks>
public sealed class InMemoryWorkflowStore : IWorkflowStore
{
    /// <summary>A store that keeps every row, the outbox's and the journal's included.</summary>
    public InMemoryWorkflowStore() : this(keepsOutboxAndJournal: true) { }

    /// <param name="keepsOutboxAndJournal">
    /// False for a replica beside a database that keeps them (<c>EfWorkflowStore</c> on a file this process
    /// alone writes): a step's outbox and journal rows are then dropped at commit, and the outbox key's
    /// uniqueness is left to the database's unique index. The engine never reads either back.
    /// </param>
    /// <param name="remembersOrigins">
    /// Whether a session remembers, for each row it read, the committed row it copied (<see cref="OriginOf"/>): a store
    /// that keeps this one as a replica of a database compares a step's rows with them instead of keeping their column
    /// values as read. Committed rows are never changed in place, only replaced, so an origin stays as it was read.
    /// </param>
    public InMemoryWorkflowStore(bool keepsOutboxAndJournal, bool remembersOrigins = false)
    {
        KeepsOutboxAndJournal = keepsOutboxAndJournal;
        RemembersOrigins = remembersOrigins;
    }

    /// <summary>Whether committed outbox and journal rows are kept (see the constructor).</summary>
    public bool KeepsOutboxAndJournal { get; }

    /// <summary>Whether sessions remember the committed row each copy they hand out was made from (see the constructor).</summary>
    public bool RemembersOrigins { get; }

    /// <summary>
    /// The committed row that <paramref name="session"/> (one of this store's, opened with <see cref="RemembersOrigins"/>)
    /// copied <paramref name="row"/> from, as it was when read: the store's own instance, to read, never to change. Null
    /// for a row the session did not read from the store (one it added).
    /// </summary>
    /// <exception cref="ArgumentException">The session is not one of an in-memory store that remembers origins.</exception>
    public static object? OriginOf(IWorkflowSession session, object row) =>
        session is Session { Origins: { } origins } ? origins.GetValueOrDefault(row)
        : throw new ArgumentException("Not a session of an in-memory store that remembers origins.", nameof(session));

    private static readonly Func<object, object> MemberwiseCopy =
        typeof(object).GetMethod(nameof(MemberwiseClone), BindingFlags.Instance | BindingFlags.NonPublic)!.CreateDelegate<Func<object, object>>();

    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkflowInstance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), ExecutionScope> _scopes = [];
    private readonly Dictionary<string, Bookmark> _bookmarks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UnitTaskRecord> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Submission> _submissions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QuotaRecord> _quotas = new(StringComparer.Ordinal);
    private readonly List<OutboxMessage> _outbox = [];
    private readonly List<JournalEntry> _journal = [];

    // Indexes over the committed rows, kept by Put/Delete under the lock.
    private readonly Dictionary<string, InstanceIndex> _byInstance = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset DueAt, string Id)> _timers = new(DueComparer.Instance);
    private readonly Dictionary<string, HashSet<string>> _eventBookmarks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _submissionsByTask = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outboxKeys = new(StringComparer.Ordinal);

    /// <summary>Committed tasks (copies).</summary>
    public IReadOnlyList<UnitTaskRecord> Tasks { get { lock (_gate) return [.. _tasks.Values.Select(Copy)]; } }

    /// <summary>Committed quota records (copies).</summary>
    public IReadOnlyList<QuotaRecord> Quotas { get { lock (_gate) return [.. _quotas.Values.Select(Copy)]; } }

    /// <summary>Committed bookmarks (copies).</summary>
    public IReadOnlyList<Bookmark> Bookmarks { get { lock (_gate) return [.. _bookmarks.Values.Select(Copy)]; } }

    /// <summary>Committed outbox messages (copies), in commit order.</summary>
    public IReadOnlyList<OutboxMessage> Outbox { get { lock (_gate) return [.. _outbox.Select(Copy)]; } }

    /// <summary>Number of committed outbox messages (without copying them).</summary>
    public int OutboxCount { get { lock (_gate) return _outbox.Count; } }

    /// <summary>Committed journal entries (copies), in commit order.</summary>
    public IReadOnlyList<JournalEntry> Journal { get { lock (_gate) return [.. _journal.Select(Copy)]; } }

    /// <summary>Number of committed journal entries (without copying them).</summary>
    public int JournalCount { get { lock (_gate) return _journal.Count; } }

    /// <summary>Committed scopes (copies).</summary>
    public IReadOnlyList<ExecutionScope> Scopes { get { lock (_gate) return [.. _scopes.Values.Select(Copy)]; } }

    /// <summary>A committed instance (copy).</summary>
    public WorkflowInstance? Instance(string id) { lock (_gate) return _instances.TryGetValue(id, out var i) ? Copy(i) : null; }

    /// <summary>When set, the next commit throws this (to test that a failed step writes nothing).</summary>
    public Exception? FailNextCommit { get; set; }

    /// <inheritdoc />
    public Task<IWorkflowSession> OpenSessionAsync(CancellationToken cancellationToken) => Task.FromResult<IWorkflowSession>(new Session(this));

    /// <inheritdoc />
    public Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var due = new List<Bookmark>();
        lock (_gate)
            foreach (var (dueAt, id) in _timers)
            {
                if (due.Count >= max || dueAt > now) break;
                due.Add(Copy(_bookmarks[id]));
            }
        return Task.FromResult<IReadOnlyList<Bookmark>>(due);
    }

    /// <inheritdoc />
    public Task<DateTimeOffset?> FindNextTimerDueAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<DateTimeOffset?>(_timers.Count == 0 ? null : _timers.Min.DueAt);
    }

    /// <summary>
    /// The committed row with the key of <paramref name="row"/> (an instance, scope, bookmark, task, submission or quota
    /// record), or null when none is committed. It is the store's own instance: read it, never change it. Used by a
    /// store that keeps this one as a replica of a database and checks each step against the committed rows as the
    /// database would (a row updated or deleted must exist; a concurrency token must be unchanged; a new key must be free).
    /// </summary>
    /// <exception cref="NotSupportedException">The row is not of a type the store keeps by key (outbox, journal, …).</exception>
    public object? FindCommitted(object row)
    {
        ArgumentNullException.ThrowIfNull(row);
        lock (_gate)
            return row switch
            {
                WorkflowInstance i => _instances.GetValueOrDefault(i.Id),
                ExecutionScope s => _scopes.GetValueOrDefault((s.InstanceId, s.Id)),
                Bookmark b => _bookmarks.GetValueOrDefault(b.Id),
                UnitTaskRecord t => _tasks.GetValueOrDefault(t.Id),
                Submission s => _submissions.GetValueOrDefault(s.Id),
                QuotaRecord q => _quotas.GetValueOrDefault(q.Id),
                _ => throw new NotSupportedException($"{row.GetType().Name} rows are not kept by key."),
            };
    }

    private static T Copy<T>(T value) where T : class => (T)MemberwiseCopy(value);

    private InstanceIndex Index(string instanceId)
    {
        if (!_byInstance.TryGetValue(instanceId, out var index)) _byInstance[instanceId] = index = new InstanceIndex();
        return index;
    }

    /// <summary>Ids in <paramref name="set"/> whose first part starts with <c>{scopeId}/</c> (ordinal), as a list (the caller may change the set).</summary>
    private static List<(string Scope, string Id)> UnderPrefix(SortedSet<(string Scope, string Id)> set, string scopeId)
    {
        // Every text starting with "{scopeId}/" sorts at or after it and before "{scopeId}0" ('0' follows '/').
        var prefix = scopeId + "/";
        if (set.Count == 0) return [];
        return [.. set.GetViewBetween((prefix, ""), (scopeId + "0", "")).Where(e => e.Scope.StartsWith(prefix, StringComparison.Ordinal))];
    }

    private static bool IsTimer(Bookmark b) => b.Kind == BookmarkKind.Timer && b.DueAt is not null;

    private void PutInstance(WorkflowInstance instance) => _instances[instance.Id] = Copy(instance);

    private void PutScope(ExecutionScope scope)
    {
        var copy = Copy(scope);
        _scopes.TryGetValue((scope.InstanceId, scope.Id), out var old);
        _scopes[(scope.InstanceId, scope.Id)] = copy;
        var index = Index(scope.InstanceId);
        index.Scopes.Add((scope.Id, scope.Id));
        if (copy.Status == WorkflowStatus.Running) index.RunningScopes.Add(copy.Id);
        else index.RunningScopes.Remove(copy.Id);
        if (old is not null && old.ParentId == copy.ParentId && old.OwnerActivityId == copy.OwnerActivityId) return;
        if (old is { ParentId: { } oldParent, OwnerActivityId: { } oldOwner } && index.Children.TryGetValue((oldParent, oldOwner), out var before)) before.Remove(old.Id);
        if (copy is { ParentId: { } parent, OwnerActivityId: { } owner })
        {
            if (!index.Children.TryGetValue((parent, owner), out var children)) index.Children[(parent, owner)] = children = new HashSet<string>(StringComparer.Ordinal);
            children.Add(copy.Id);
        }
    }

    private void PutBookmark(Bookmark bookmark)
    {
        var copy = Copy(bookmark);
        if (_bookmarks.TryGetValue(bookmark.Id, out var old))
        {
            if (old.InstanceId == copy.InstanceId && old.ScopeId == copy.ScopeId && old.ActivityId == copy.ActivityId && old.Kind == copy.Kind
                && old.DueAt == copy.DueAt && old.EventKey == copy.EventKey)
            {
                // Same index keys (the usual case: a bookmark read by the step and written back unchanged).
                _bookmarks[copy.Id] = copy;
                return;
            }
            DeleteBookmark(old.Id);
        }
        _bookmarks[copy.Id] = copy;
        var index = Index(copy.InstanceId);
        index.BookmarksByScope.Add((copy.ScopeId, copy.Id));
        if (!index.BookmarksByActivity.TryGetValue((copy.ScopeId, copy.ActivityId), out var ofActivity))
            index.BookmarksByActivity[(copy.ScopeId, copy.ActivityId)] = ofActivity = new HashSet<string>(StringComparer.Ordinal);
        ofActivity.Add(copy.Id);
        if (IsTimer(copy))
        {
            _timers.Add((copy.DueAt!.Value, copy.Id));
            index.Timers.Add((copy.DueAt!.Value, copy.Id));
        }
        if (copy is { Kind: BookmarkKind.Event, EventKey: { } key })
        {
            if (!_eventBookmarks.TryGetValue(key, out var ofKey)) _eventBookmarks[key] = ofKey = new HashSet<string>(StringComparer.Ordinal);
            ofKey.Add(copy.Id);
        }
    }

    private void DeleteBookmark(string id)
    {
        if (!_bookmarks.Remove(id, out var old)) return;
        var index = Index(old.InstanceId);
        index.BookmarksByScope.Remove((old.ScopeId, old.Id));
        if (index.BookmarksByActivity.TryGetValue((old.ScopeId, old.ActivityId), out var ofActivity) && ofActivity.Remove(old.Id) && ofActivity.Count == 0)
            index.BookmarksByActivity.Remove((old.ScopeId, old.ActivityId));
        if (IsTimer(old))
        {
            _timers.Remove((old.DueAt!.Value, old.Id));
            index.Timers.Remove((old.DueAt!.Value, old.Id));
        }
        if (old is { Kind: BookmarkKind.Event, EventKey: { } key } && _eventBookmarks.TryGetValue(key, out var ofKey) && ofKey.Remove(old.Id) && ofKey.Count == 0)
            _eventBookmarks.Remove(key);
    }

    private void PutTask(UnitTaskRecord task)
    {
        var copy = Copy(task);
        if (_tasks.TryGetValue(task.Id, out var old)) CloseTaskIndex(old);
        _tasks[copy.Id] = copy;
        if (copy.IsClosed) return;
        var index = Index(copy.InstanceId);
        index.OpenTasks.Add(copy.Id);
        index.OpenTasksByScope.Add((copy.ScopeId, copy.Id));
    }

    private void CloseTaskIndex(UnitTaskRecord task)
    {
        if (task.IsClosed) return;
        var index = Index(task.InstanceId);
        index.OpenTasks.Remove(task.Id);
        index.OpenTasksByScope.Remove((task.ScopeId, task.Id));
    }

    private void PutSubmission(Submission submission)
    {
        var copy = Copy(submission);
        if (_submissions.TryGetValue(copy.Id, out var old) && old.TaskId != copy.TaskId && _submissionsByTask.TryGetValue(old.TaskId, out var before)) before.Remove(old.Id);
        _submissions[copy.Id] = copy;
        if (!_submissionsByTask.TryGetValue(copy.TaskId, out var ofTask)) _submissionsByTask[copy.TaskId] = ofTask = new HashSet<string>(StringComparer.Ordinal);
        ofTask.Add(copy.Id);
    }

    private void PutQuota(QuotaRecord quota)
    {
        var copy = Copy(quota);
        if (_quotas.TryGetValue(copy.Id, out var old) && (old.InstanceId != copy.InstanceId || old.UnitCode != copy.UnitCode))
        {
            var before = Index(old.InstanceId);
            before.Quotas.Remove(old.Id);
            if (before.QuotasByUnit.TryGetValue(old.UnitCode, out var ofUnit)) ofUnit.Remove(old.Id);
        }
        _quotas[copy.Id] = copy;
        var index = Index(copy.InstanceId);
        index.Quotas.Add(copy.Id);
        if (!index.QuotasByUnit.TryGetValue(copy.UnitCode, out var list)) index.QuotasByUnit[copy.UnitCode] = list = new HashSet<string>(StringComparer.Ordinal);
        list.Add(copy.Id);
    }

    /// <summary>The committed rows of one instance, indexed.</summary>
    private sealed class InstanceIndex
    {
        /// <summary>Every scope id (as (id, id), for the prefix ranges), ordinal order.</summary>
        public SortedSet<(string Scope, string Id)> Scopes { get; } = new(PairComparer.Instance);

        public HashSet<string> RunningScopes { get; } = new(StringComparer.Ordinal);

        /// <summary>Child scope ids by (parent id, owner activity id), in the order they were first stored.</summary>
        public Dictionary<(string Parent, string Owner), HashSet<string>> Children { get; } = [];

        public SortedSet<(string Scope, string Id)> BookmarksByScope { get; } = new(PairComparer.Instance);

        public Dictionary<(string Scope, string Activity), HashSet<string>> BookmarksByActivity { get; } = [];

        public SortedSet<(DateTimeOffset DueAt, string Id)> Timers { get; } = new(DueComparer.Instance);

        public HashSet<string> OpenTasks { get; } = new(StringComparer.Ordinal);

        public SortedSet<(string Scope, string Id)> OpenTasksByScope { get; } = new(PairComparer.Instance);

        public HashSet<string> Quotas { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, HashSet<string>> QuotasByUnit { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>(scope id, id) pairs in ordinal order.</summary>
    private sealed class PairComparer : IComparer<(string Scope, string Id)>
    {
        public static readonly PairComparer Instance = new();

        public int Compare((string Scope, string Id) x, (string Scope, string Id) y)
        {
            var c = string.CompareOrdinal(x.Scope, y.Scope);
            return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
        }
    }

    /// <summary>Timers oldest first (by instant), ties by id (ordinal).</summary>
    private sealed class DueComparer : IComparer<(DateTimeOffset DueAt, string Id)>
    {
        public static readonly DueComparer Instance = new();

        public int Compare((DateTimeOffset DueAt, string Id) x, (DateTimeOffset DueAt, string Id) y)
        {
            var c = x.DueAt.CompareTo(y.DueAt);
            return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
        }
    }

    private sealed class Session(InMemoryWorkflowStore store) : IWorkflowSession
    {
        // Copy → the committed row it was made from, when the store remembers origins.
        public Dictionary<object, object>? Origins { get; } = store.RemembersOrigins ? new(ReferenceEqualityComparer.Instance) : null;

        // Copies read from the store, by key, in the order read (written back at commit).
        private readonly Dictionary<string, WorkflowInstance> _loadedInstances = new(StringComparer.Ordinal);
        private readonly Dictionary<(string, string), ExecutionScope> _loadedScopes = [];
        private readonly Dictionary<string, Bookmark> _loadedBookmarks = new(StringComparer.Ordinal);
        private readonly Dictionary<string, UnitTaskRecord> _loadedTasks = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Submission> _loadedSubmissions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, QuotaRecord> _loadedQuotas = new(StringComparer.Ordinal);

        // Rows added in this session, in the order added, and indexed by their identity fields (the first added wins a find).
        private readonly Added<string, WorkflowInstance> _addedInstances = new(StringComparer.Ordinal);
        private readonly Added<(string, string), ExecutionScope> _addedScopes = new(null);
        private readonly Added<string, Bookmark> _addedBookmarks = new(StringComparer.Ordinal);
        private readonly Added<string, UnitTaskRecord> _addedTasks = new(StringComparer.Ordinal);
        private readonly List<Submission> _addedSubmissions = [];
        private readonly List<QuotaRecord> _addedQuotas = [];
        private readonly List<OutboxMessage> _addedOutbox = [];
        private readonly List<JournalEntry> _addedJournal = [];
        private readonly List<object> _addedUnknown = [];
        private readonly Dictionary<(string Instance, string Scope, string Activity), List<Bookmark>> _addedBookmarksByActivity = [];
        private readonly Dictionary<string, List<Bookmark>> _addedBookmarksByInstance = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<Submission>> _addedSubmissionsByTask = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<QuotaRecord>> _addedQuotasByInstance = new(StringComparer.Ordinal);

        private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
        private readonly List<(string Instance, string Scope, DateTimeOffset Now)> _cancels = [];

        private T? Load<TKey, T>(Dictionary<TKey, T> loaded, TKey key, Dictionary<TKey, T> committed, Lock gate)
            where TKey : notnull where T : class
        {
            if (loaded.TryGetValue(key, out var existing)) return existing;
            T? copy;
            lock (gate) copy = committed.TryGetValue(key, out var found) ? Remember(Copy(found), found) : null;
            if (copy is not null) loaded[key] = copy;
            return copy;
        }

        /// <summary>As <see cref="Load{TKey, T}"/> for a key known to be committed, with the lock already held.</summary>
        private T LoadLocked<TKey, T>(Dictionary<TKey, T> loaded, TKey key, Dictionary<TKey, T> committed)
            where TKey : notnull where T : class
        {
            if (loaded.TryGetValue(key, out var existing)) return existing;
            var origin = committed[key];
            return loaded[key] = Remember(Copy(origin), origin);
        }

        private T Remember<T>(T copy, T origin) where T : class
        {
            Origins?.Add(copy, origin);
            return copy;
        }

        private static void Append<TKey, T>(Dictionary<TKey, List<T>> index, TKey key, T value) where TKey : notnull
        {
            if (!index.TryGetValue(key, out var list)) index[key] = list = [];
            list.Add(value);
        }

        private static IReadOnlyList<T> Of<TKey, T>(Dictionary<TKey, List<T>> index, TKey key) where TKey : notnull =>
            index.TryGetValue(key, out var list) ? list : Array.Empty<T>();

        public Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken) =>
            Task.FromResult(_addedInstances.First(instanceId) ?? Load(_loadedInstances, instanceId, store._instances, store._gate));

        public Task<ExecutionScope?> FindScopeAsync(string instanceId, string scopeId, CancellationToken cancellationToken) =>
            Task.FromResult(_addedScopes.First((instanceId, scopeId)) ?? Load(_loadedScopes, (instanceId, scopeId), store._scopes, store._gate));

        public Task<IReadOnlyList<string>> FindChildScopeIdsAsync(string instanceId, string parentId, string ownerActivityId, CancellationToken cancellationToken)
        {
            lock (store._gate)
                return Task.FromResult<IReadOnlyList<string>>(
                    store._byInstance.TryGetValue(instanceId, out var index) && index.Children.TryGetValue((parentId, ownerActivityId), out var children) ? [.. children] : []);
        }

        public Task<UnitTaskRecord?> FindTaskAsync(string taskId, CancellationToken cancellationToken) =>
            Task.FromResult(_addedTasks.First(taskId) ?? Load(_loadedTasks, taskId, store._tasks, store._gate));

        public Task<IReadOnlyList<UnitTaskRecord>> FindOpenTasksAsync(string instanceId, CancellationToken cancellationToken)
        {
            // The committed open tasks, and those this session read (its copy may differ from the committed row);
            // a committed closed task the session did not read is closed in its copy too.
            var found = new List<UnitTaskRecord>();
            lock (store._gate)
            {
                var ids = new HashSet<string>(_loadedTasks.Values.Where(t => t.InstanceId == instanceId).Select(t => t.Id), StringComparer.Ordinal);
                if (store._byInstance.TryGetValue(instanceId, out var index)) ids.UnionWith(index.OpenTasks);
                foreach (var id in ids)
                    if (store._tasks.ContainsKey(id)) found.Add(LoadLocked(_loadedTasks, id, store._tasks));
            }
            found.AddRange(_addedTasks.All.Where(t => t.InstanceId == instanceId));
            return Task.FromResult<IReadOnlyList<UnitTaskRecord>>([.. found.Where(t => !t.IsClosed).OrderBy(t => t.Id, StringComparer.Ordinal)]);
        }

        public Task<IReadOnlyList<ExecutionScope>> FindRunningScopesAsync(string instanceId, CancellationToken cancellationToken)
        {
            var found = new List<ExecutionScope>();
            lock (store._gate)
            {
                var ids = new HashSet<string>(_loadedScopes.Values.Where(s => s.InstanceId == instanceId).Select(s => s.Id), StringComparer.Ordinal);
                if (store._byInstance.TryGetValue(instanceId, out var index)) ids.UnionWith(index.RunningScopes);
                foreach (var id in ids)
                    if (store._scopes.ContainsKey((instanceId, id))) found.Add(LoadLocked(_loadedScopes, (instanceId, id), store._scopes));
            }
            found.AddRange(_addedScopes.All.Where(s => s.InstanceId == instanceId));
            return Task.FromResult<IReadOnlyList<ExecutionScope>>([.. found.Where(s => s.Status == WorkflowStatus.Running).OrderBy(s => s.Id, StringComparer.Ordinal)]);
        }

        public Task<IReadOnlyList<QuotaRecord>> FindQuotasAsync(string instanceId, string? unitCode, CancellationToken cancellationToken)
        {
            var found = new List<QuotaRecord>();
            lock (store._gate)
                if (store._byInstance.TryGetValue(instanceId, out var index)
                    && (unitCode is null ? index.Quotas : index.QuotasByUnit.GetValueOrDefault(unitCode)) is { } ids)
                    foreach (var id in ids) found.Add(LoadLocked(_loadedQuotas, id, store._quotas));
            found.AddRange(Of(_addedQuotasByInstance, instanceId).Where(q => unitCode is null || q.UnitCode == unitCode));
            return Task.FromResult<IReadOnlyList<QuotaRecord>>([.. found.OrderBy(q => q.Id, StringComparer.Ordinal)]);
        }

        public Task<IReadOnlyList<Submission>> FindSubmissionsAsync(string taskId, CancellationToken cancellationToken)
        {
            var found = new List<Submission>();
            lock (store._gate)
                if (store._submissionsByTask.TryGetValue(taskId, out var ids))
                    foreach (var id in ids) found.Add(LoadLocked(_loadedSubmissions, id, store._submissions));
            found.AddRange(Of(_addedSubmissionsByTask, taskId));
            return Task.FromResult<IReadOnlyList<Submission>>([.. found.OrderBy(s => s.SubmittedAt).ThenBy(s => s.Id, StringComparer.Ordinal)]);
        }

        public Task<Bookmark?> FindBookmarkAsync(string bookmarkId, CancellationToken cancellationToken)
        {
            if (_removed.Contains(bookmarkId)) return Task.FromResult<Bookmark?>(null);
            return Task.FromResult(_addedBookmarks.First(bookmarkId) ?? Load(_loadedBookmarks, bookmarkId, store._bookmarks, store._gate));
        }

        /// <summary>The session's copies of committed bookmarks <paramref name="ids"/> (not removed here); the lock is held.</summary>
        private void LoadBookmarksLocked(IEnumerable<string> ids, List<Bookmark> into)
        {
            foreach (var id in ids)
                if (!_removed.Contains(id)) into.Add(LoadLocked(_loadedBookmarks, id, store._bookmarks));
        }

        public Task<IReadOnlyList<Bookmark>> FindEventBookmarksAsync(string eventKey, CancellationToken cancellationToken) =>
            FindEventBookmarksAsync([eventKey], cancellationToken);

        public Task<IReadOnlyList<Bookmark>> FindEventBookmarksAsync(IReadOnlyCollection<string> eventKeys, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(eventKeys);
            // Per key (first occurrence order): the committed bookmarks with the key, then those added here with it.
            var keys = eventKeys.Distinct(StringComparer.Ordinal).ToList();
            var added = new Dictionary<string, List<Bookmark>>(StringComparer.Ordinal);
            if (_addedBookmarks.All.Count > 0)
            {
                var wanted = keys.ToHashSet(StringComparer.Ordinal);
                foreach (var b in _addedBookmarks.All)
                    if (b is { Kind: BookmarkKind.Event, EventKey: { } key } && wanted.Contains(key) && !_removed.Contains(b.Id)) Append(added, key, b);
            }
            var found = new List<Bookmark>();
            lock (store._gate)
                foreach (var key in keys)
                {
                    if (store._eventBookmarks.TryGetValue(key, out var ids)) LoadBookmarksLocked(ids, found);
                    found.AddRange(Of(added, key));
                }
            return Task.FromResult<IReadOnlyList<Bookmark>>(found);
        }

        public Task<IReadOnlyList<Bookmark>> FindActivityBookmarksAsync(string instanceId, string scopeId, string activityId, CancellationToken cancellationToken)
        {
            var found = new List<Bookmark>();
            lock (store._gate)
                if (store._byInstance.TryGetValue(instanceId, out var index) && index.BookmarksByActivity.TryGetValue((scopeId, activityId), out var ids))
                    LoadBookmarksLocked(ids, found);
            found.AddRange(Of(_addedBookmarksByActivity, (instanceId, scopeId, activityId)).Where(b => !_removed.Contains(b.Id)));
            return Task.FromResult<IReadOnlyList<Bookmark>>(found);
        }

        public Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(string instanceId, DateTimeOffset now, int max, CancellationToken cancellationToken)
        {
            var found = new List<Bookmark>();
            lock (store._gate)
                if (store._byInstance.TryGetValue(instanceId, out var index))
                    LoadBookmarksLocked(index.Timers.TakeWhile(t => t.DueAt <= now).Select(t => t.Id), found);
            found.AddRange(Of(_addedBookmarksByInstance, instanceId).Where(b => !_removed.Contains(b.Id) && b.Kind == BookmarkKind.Timer && b.DueAt <= now));
            return Task.FromResult<IReadOnlyList<Bookmark>>([.. found.OrderBy(b => b.DueAt).ThenBy(b => b.Id, StringComparer.Ordinal).Take(max)]);
        }

        public Task CancelDescendantsAsync(string instanceId, string scopeId, DateTimeOffset now, CancellationToken cancellationToken)
        {
            _cancels.Add((instanceId, scopeId, now));
            return Task.CompletedTask;
        }

        public void Add(object entity)
        {
            switch (entity)
            {
                case WorkflowInstance i: _addedInstances.Add(i.Id, i); break;
                case ExecutionScope s: _addedScopes.Add((s.InstanceId, s.Id), s); break;
                case Bookmark b:
                    _addedBookmarks.Add(b.Id, b);
                    Append(_addedBookmarksByActivity, (b.InstanceId, b.ScopeId, b.ActivityId), b);
                    Append(_addedBookmarksByInstance, b.InstanceId, b);
                    break;
                case UnitTaskRecord t: _addedTasks.Add(t.Id, t); break;
                case Submission s:
                    _addedSubmissions.Add(s);
                    Append(_addedSubmissionsByTask, s.TaskId, s);
                    break;
                case QuotaRecord q:
                    _addedQuotas.Add(q);
                    Append(_addedQuotasByInstance, q.InstanceId, q);
                    break;
                case OutboxMessage o: _addedOutbox.Add(o); break;
                case JournalEntry j: _addedJournal.Add(j); break;
                default: _addedUnknown.Add(entity); break;
            }
        }

        // A removed id hides every bookmark of that id in this session, read or added (the commit writes none of them).
        public void Remove(Bookmark bookmark) => _removed.Add(bookmark.Id);

        public Task CommitAsync(CancellationToken cancellationToken)
        {
            lock (store._gate)
            {
                if (store.FailNextCommit is { } failure)
                {
                    store.FailNextCommit = null;
                    throw failure;
                }
                // Everything that can fail is checked before the first write.
                if (_addedUnknown.Count > 0) throw new ArgumentException($"Cannot store {_addedUnknown[0].GetType().Name}.");
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var message in store.KeepsOutboxAndJournal ? _addedOutbox : [])
                    if (store._outboxKeys.Contains(message.IdempotencyKey) || !keys.Add(message.IdempotencyKey))
                        throw new InvalidOperationException($"Duplicate outbox key '{message.IdempotencyKey}'.");

                // What was read, then what was added (an added row replaces a read one of the same key).
                foreach (var i in _loadedInstances.Values) store.PutInstance(i);
                foreach (var s in _loadedScopes.Values) store.PutScope(s);
                foreach (var b in _loadedBookmarks.Values) if (!_removed.Contains(b.Id)) store.PutBookmark(b);
                foreach (var t in _loadedTasks.Values) store.PutTask(t);
                foreach (var s in _loadedSubmissions.Values) store.PutSubmission(s);
                foreach (var q in _loadedQuotas.Values) store.PutQuota(q);
                foreach (var i in _addedInstances.All) store.PutInstance(i);
                foreach (var s in _addedScopes.All) store.PutScope(s);
                foreach (var b in _addedBookmarks.All) if (!_removed.Contains(b.Id)) store.PutBookmark(b);
                foreach (var t in _addedTasks.All) store.PutTask(t);
                foreach (var s in _addedSubmissions) store.PutSubmission(s);
                foreach (var q in _addedQuotas) store.PutQuota(q);
                foreach (var o in store.KeepsOutboxAndJournal ? _addedOutbox : [])
                {
                    o.Id = store._outbox.Count + 1;
                    store._outbox.Add(Copy(o));
                    store._outboxKeys.Add(o.IdempotencyKey);
                }
                foreach (var j in store.KeepsOutboxAndJournal ? _addedJournal : [])
                {
                    j.Id = store._journal.Count + 1;
                    store._journal.Add(Copy(j));
                }
                foreach (var id in _removed) store.DeleteBookmark(id);
                foreach (var (instance, scope, now) in _cancels) Cancel(instance, scope, now);
            }
            return Task.CompletedTask;
        }

        /// <summary>Applies one <see cref="CancelDescendantsAsync"/> to the committed rows (the lock is held).</summary>
        private void Cancel(string instanceId, string scopeId, DateTimeOffset now)
        {
            if (!store._byInstance.TryGetValue(instanceId, out var index)) return;
            // Committed rows are replaced, never changed in place: a session's origins stay as they were read.
            foreach (var (id, _) in UnderPrefix(index.Scopes, scopeId))
            {
                var scope = Copy(store._scopes[(instanceId, id)]);
                scope.Status = WorkflowStatus.Cancelled;
                store._scopes[(instanceId, id)] = scope;
                index.RunningScopes.Remove(id);
            }
            foreach (var (_, id) in UnderPrefix(index.BookmarksByScope, scopeId)) store.DeleteBookmark(id);
            foreach (var (_, id) in UnderPrefix(index.OpenTasksByScope, scopeId))
            {
                store.CloseTaskIndex(store._tasks[id]);
                var task = Copy(store._tasks[id]);
                task.Status = UnitTaskStatus.Cancelled;
                task.CompletedAt = now;
                store._tasks[id] = task;
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Rows of one type added in a session: in the order added, and the first added of each key.</summary>
    private sealed class Added<TKey, T>(IEqualityComparer<TKey>? comparer) where TKey : notnull where T : class
    {
        private readonly Dictionary<TKey, T> _first = new(comparer);

        public List<T> All { get; } = [];

        public void Add(TKey key, T value)
        {
            All.Add(value);
            _first.TryAdd(key, value);
        }

        public T? First(TKey key) => _first.GetValueOrDefault(key);
    }
}
