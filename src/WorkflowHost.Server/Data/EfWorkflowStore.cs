using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Server.Data;

/// <summary>
/// The engine's store on EF Core (SQLite or PostgreSQL). A session is one DbContext; its commit is
/// one database transaction holding the step's instance, scopes, bookmarks, tasks, submissions,
/// outbox rows and journal entries, plus the cancellation of a subtree when a flowchart ended.
/// </summary>
public sealed class EfWorkflowStore(IDbContextFactory<WorkflowHostDbContext> contexts) : IWorkflowStore
{
    /// <inheritdoc />
    public async Task<IWorkflowSession> OpenSessionAsync(CancellationToken cancellationToken)
    {
        var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (db.Database.IsSqlite())
        {
            // The session keeps one connection open for all its queries and its commit. A large plan's file
            // outgrows SQLite's default 2 MB page cache many times over: every index insert then re-read its
            // pages from the OS (pread was 4 % of P1's CPU at 10,000 units, issue 13). 64 MB per connection.
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = db.Database.GetDbConnection().CreateCommand();
            pragma.CommandText = "PRAGMA cache_size = -65536";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return new Session(db);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Bookmarks.AsNoTracking().Where(b => b.Kind == BookmarkKind.Timer && b.DueAt <= now)
            .OrderBy(b => b.DueAt).ThenBy(b => b.Id).Take(max).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<DateTimeOffset?> FindNextTimerDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Bookmarks.AsNoTracking().Where(b => b.Kind == BookmarkKind.Timer)
            .OrderBy(b => b.DueAt).Select(b => b.DueAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class Session : IWorkflowSession
    {
        /// <summary>
        /// Ids per look-up query. Each chunk is ONE parameter (<c>EF.Parameter</c>: a JSON array read by
        /// <c>json_each</c> on SQLite, an array with <c>= ANY</c> on PostgreSQL). EF 10's default expands a
        /// list into one parameter per id, and uniquifying those names cost a fifth of P1's CPU (issue 13).
        /// </summary>
        private const int Chunk = 5000;

        private readonly List<(string Instance, string Scope, DateTimeOffset Now)> _cancels = [];
        private readonly WorkflowHostDbContext db;

        // A step of a large plan touches tens of thousands of rows. One query per row (or a scan of the
        // change tracker per find) made a step quadratic, so the session indexes what it tracks and
        // remembers which sets it holds completely; finds over a complete set answer from memory.
        private readonly Dictionary<(string Instance, string Scope, string Activity), List<Bookmark>> _bookmarksByActivity = [];
        private readonly HashSet<(string Instance, string Scope)> _completeScopes = [];
        private readonly HashSet<(string Instance, string Scope, string Activity)> _completeActivities = [];
        // New rows are the session's own, not EF's: tracking each added journal entry, email, task and
        // bookmark (an entry, a snapshot, a temporary key) and detaching it again before the prepared
        // INSERTs cost more than writing it (issue 13). They are kept in Add order and indexed for the finds;
        // on PostgreSQL they are handed to EF only at commit, for its batching.
        private readonly List<object> _added = [];
        private readonly Dictionary<string, Bookmark> _addedBookmarks = new(StringComparer.Ordinal);
        private readonly Dictionary<string, UnitTaskRecord> _addedTasks = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Instance, string Scope), ExecutionScope> _addedScopes = [];
        private readonly Dictionary<string, WorkflowInstance> _addedInstances = new(StringComparer.Ordinal);
        private readonly List<QuotaRecord> _addedQuotas = [];
        private readonly Dictionary<string, List<Submission>> _submissionsByTask = new(StringComparer.Ordinal);
        private readonly List<Submission> _addedSubmissions = [];
        private DbCommand? _taskProbe;

        public Session(WorkflowHostDbContext context)
        {
            db = context;
            // A step makes hundreds of small queries over a growing set of tracked entities; detecting
            // changes before each is quadratic. Changes are detected once, at commit.
            db.ChangeTracker.AutoDetectChangesEnabled = false;
        }

        public async Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken) =>
            _addedInstances.GetValueOrDefault(instanceId) ?? await db.Instances.FindAsync([instanceId], cancellationToken).ConfigureAwait(false);

        public async Task<ExecutionScope?> FindScopeAsync(string instanceId, string scopeId, CancellationToken cancellationToken) =>
            _addedScopes.GetValueOrDefault((instanceId, scopeId)) ?? await db.Scopes.FindAsync([instanceId, scopeId], cancellationToken).ConfigureAwait(false);

        public async Task<IReadOnlyList<string>> FindChildScopeIdsAsync(string instanceId, string parentId, string ownerActivityId, CancellationToken cancellationToken) =>
            await db.Scopes.AsNoTracking().Where(s => s.InstanceId == instanceId && s.ParentId == parentId && s.OwnerActivityId == ownerActivityId)
                .Select(s => s.Id).ToListAsync(cancellationToken).ConfigureAwait(false);

        public async Task<UnitTaskRecord?> FindTaskAsync(string taskId, CancellationToken cancellationToken)
        {
            if (_addedTasks.TryGetValue(taskId, out var added)) return added;
            if (db.Tasks.Local.FindEntry(taskId) is { } entry) return entry.Entity;
            // Creating a task first checks that its id is free: a bare existence probe on one prepared
            // command costs a few microseconds, a full EF find of a missing row far more.
            if (!await TaskExistsAsync(taskId, cancellationToken).ConfigureAwait(false)) return null;
            return await db.Tasks.FindAsync([taskId], cancellationToken).ConfigureAwait(false);
        }

        public async Task<IReadOnlyList<UnitTaskRecord>> FindTasksAsync(IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
        {
            var found = new List<UnitTaskRecord>(taskIds.Count);
            var missing = new List<string>();
            foreach (var id in taskIds.Distinct(StringComparer.Ordinal))
                if (_addedTasks.TryGetValue(id, out var added)) found.Add(added);
                else if (db.Tasks.Local.FindEntry(id) is { } entry) found.Add(entry.Entity);
                else missing.Add(id);
            foreach (var chunk in missing.Chunk(Chunk))
                found.AddRange(await db.Tasks.Where(t => EF.Parameter(chunk).Contains(t.Id)).ToListAsync(cancellationToken).ConfigureAwait(false));
            return found;
        }

        public async Task PreloadAsync(string instanceId, IReadOnlyCollection<string> scopeIds, IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
        {
            var scopes = scopeIds.Distinct(StringComparer.Ordinal).Where(s => !_completeScopes.Contains((instanceId, s))).ToList();
            foreach (var chunk in scopes.Chunk(Chunk))
            {
                await db.Scopes.Where(s => s.InstanceId == instanceId && EF.Parameter(chunk).Contains(s.Id)).LoadAsync(cancellationToken).ConfigureAwait(false);
                foreach (var bookmark in await db.Bookmarks.Where(b => b.InstanceId == instanceId && EF.Parameter(chunk).Contains(b.ScopeId)).ToListAsync(cancellationToken).ConfigureAwait(false))
                    if (db.Entry(bookmark).State != EntityState.Deleted) Track(bookmark);
                foreach (var scope in chunk) _completeScopes.Add((instanceId, scope));
            }
            await FindTasksAsync(taskIds, cancellationToken).ConfigureAwait(false);
            var tasks = taskIds.Distinct(StringComparer.Ordinal).Where(t => !_submissionsByTask.ContainsKey(t)).ToList();
            foreach (var chunk in tasks.Chunk(Chunk))
            {
                var stored = await db.Submissions.Where(s => EF.Parameter(chunk).Contains(s.TaskId)).ToListAsync(cancellationToken).ConfigureAwait(false);
                var wanted = chunk.ToHashSet(StringComparer.Ordinal);
                var byTask = stored.Concat(_addedSubmissions.Where(s => wanted.Contains(s.TaskId))).ToLookup(s => s.TaskId, StringComparer.Ordinal);
                foreach (var task in chunk) _submissionsByTask[task] = [.. byTask[task]];
            }
        }

        public async Task<IReadOnlyList<Submission>> FindSubmissionsAsync(string taskId, CancellationToken cancellationToken)
        {
            if (!_submissionsByTask.TryGetValue(taskId, out var list))
            {
                var stored = await db.Submissions.Where(s => s.TaskId == taskId).ToListAsync(cancellationToken).ConfigureAwait(false);
                _submissionsByTask[taskId] = list = [.. stored.Concat(_addedSubmissions.Where(s => s.TaskId == taskId)).Distinct()];
            }
            return [.. list.OrderBy(s => s.SubmittedAt).ThenBy(s => s.Id, StringComparer.Ordinal)];
        }

        public async Task<IReadOnlyList<UnitTaskRecord>> FindOpenTasksAsync(string instanceId, CancellationToken cancellationToken) =>
            [.. (await WithLocalAsync(db.Tasks.Where(t => t.InstanceId == instanceId && t.Status != UnitTaskStatus.Done && t.Status != UnitTaskStatus.DoneLate && t.Status != UnitTaskStatus.Cancelled),
                _addedTasks.Values, t => t.InstanceId == instanceId && !t.IsClosed, cancellationToken).ConfigureAwait(false)).OrderBy(t => t.Id, StringComparer.Ordinal)];

        public async Task<IReadOnlyList<ExecutionScope>> FindRunningScopesAsync(string instanceId, CancellationToken cancellationToken) =>
            [.. (await WithLocalAsync(db.Scopes.Where(s => s.InstanceId == instanceId && s.Status == WorkflowStatus.Running),
                _addedScopes.Values, s => s.InstanceId == instanceId && s.Status == WorkflowStatus.Running, cancellationToken).ConfigureAwait(false)).OrderBy(s => s.Id, StringComparer.Ordinal)];

        public async Task<IReadOnlyList<QuotaRecord>> FindQuotasAsync(string instanceId, string? unitCode, CancellationToken cancellationToken) =>
            [.. (await WithLocalAsync(db.Quotas.Where(q => q.InstanceId == instanceId && (unitCode == null || q.UnitCode == unitCode)),
                _addedQuotas, q => q.InstanceId == instanceId && (unitCode == null || q.UnitCode == unitCode), cancellationToken).ConfigureAwait(false))
                .OrderBy(q => q.Id, StringComparer.Ordinal)];

        public async Task<Bookmark?> FindBookmarkAsync(string bookmarkId, CancellationToken cancellationToken)
        {
            if (_addedBookmarks.TryGetValue(bookmarkId, out var added)) return added;
            var bookmark = db.Bookmarks.Local.FindEntry(bookmarkId)?.Entity ?? await db.Bookmarks.FindAsync([bookmarkId], cancellationToken).ConfigureAwait(false);
            if (bookmark is null || db.Entry(bookmark).State == EntityState.Deleted) return null;
            Track(bookmark);
            return bookmark;
        }

        public async Task<IReadOnlyList<Bookmark>> FindEventBookmarksAsync(string eventKey, CancellationToken cancellationToken) =>
            await FindEventBookmarksAsync([eventKey], cancellationToken).ConfigureAwait(false);

        public async Task<IReadOnlyList<Bookmark>> FindEventBookmarksAsync(IReadOnlyCollection<string> eventKeys, CancellationToken cancellationToken)
        {
            var keys = eventKeys.ToHashSet(StringComparer.Ordinal);
            var stored = new List<Bookmark>();
            foreach (var chunk in keys.Chunk(Chunk))
                stored.AddRange(await db.Bookmarks.Where(b => b.Kind == BookmarkKind.Event && EF.Parameter(chunk).Contains(b.EventKey!)).ToListAsync(cancellationToken).ConfigureAwait(false));
            // Re-filtered on local values: a tracked bookmark may have been deleted or changed in this step.
            return [.. stored.Where(b => db.Entry(b).State != EntityState.Deleted && b.Kind == BookmarkKind.Event && b.EventKey is { } k && keys.Contains(k))
                .Select(Track)
                .Concat(_addedBookmarks.Values.Where(b => b.Kind == BookmarkKind.Event && b.EventKey is { } k && keys.Contains(k)))
                .Distinct()];
        }

        public async Task<IReadOnlyList<Bookmark>> FindActivityBookmarksAsync(string instanceId, string scopeId, string activityId, CancellationToken cancellationToken)
        {
            var key = (instanceId, scopeId, activityId);
            if (!_completeScopes.Contains((instanceId, scopeId)) && _completeActivities.Add(key))
                foreach (var bookmark in await db.Bookmarks.Where(b => b.InstanceId == instanceId && b.ScopeId == scopeId && b.ActivityId == activityId).ToListAsync(cancellationToken).ConfigureAwait(false))
                    if (db.Entry(bookmark).State != EntityState.Deleted) Track(bookmark);
            return _bookmarksByActivity.TryGetValue(key, out var list) ? [.. list] : [];
        }

        public async Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(string instanceId, DateTimeOffset now, int max, CancellationToken cancellationToken)
        {
            var stored = await db.Bookmarks.Where(b => b.InstanceId == instanceId && b.Kind == BookmarkKind.Timer && b.DueAt <= now).OrderBy(b => b.DueAt).ThenBy(b => b.Id).Take(max)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. stored.Where(b => db.Entry(b).State != EntityState.Deleted).Select(Track)
                .Concat(_addedBookmarks.Values)
                .Where(b => b.InstanceId == instanceId && b.Kind == BookmarkKind.Timer && b.DueAt <= now)
                .Distinct()
                .OrderBy(b => b.DueAt).ThenBy(b => b.Id, StringComparer.Ordinal).Take(max)];
        }

        /// <summary>Query results (tracked, minus locally deleted, re-filtered on local values) plus locally added matches.</summary>
        private async Task<IReadOnlyList<T>> WithLocalAsync<T>(IQueryable<T> query, IEnumerable<T> added, Func<T, bool> predicate, CancellationToken cancellationToken) where T : class
        {
            var stored = await query.ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. stored.Where(e => db.Entry(e).State != EntityState.Deleted && predicate(e)).Concat(added.Where(predicate)).Distinct()];
        }

        /// <summary>Adds a tracked, not deleted bookmark to the index (once).</summary>
        private Bookmark Track(Bookmark bookmark)
        {
            var key = (bookmark.InstanceId, bookmark.ScopeId, bookmark.ActivityId);
            if (!_bookmarksByActivity.TryGetValue(key, out var list)) _bookmarksByActivity[key] = list = [];
            if (!list.Contains(bookmark)) list.Add(bookmark);
            return bookmark;
        }

        private async Task<bool> TaskExistsAsync(string taskId, CancellationToken cancellationToken)
        {
            if (_taskProbe is null)
            {
                if (db.Database.GetDbConnection().State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                _taskProbe = db.Database.GetDbConnection().CreateCommand();
                _taskProbe.CommandText = "SELECT 1 FROM \"UnitTasks\" WHERE \"Id\" = @id";
                var parameter = _taskProbe.CreateParameter();
                parameter.ParameterName = "@id";
                parameter.DbType = System.Data.DbType.String;
                _taskProbe.Parameters.Add(parameter);
            }
            _taskProbe.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            _taskProbe.Parameters[0].Value = taskId;
            return await _taskProbe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        }

        public Task CancelDescendantsAsync(string instanceId, string scopeId, DateTimeOffset now, CancellationToken cancellationToken)
        {
            _cancels.Add((instanceId, scopeId, now));
            return Task.CompletedTask;
        }

        public void Add(object entity)
        {
            ArgumentNullException.ThrowIfNull(entity);
            _added.Add(entity);
            switch (entity)
            {
                case Bookmark bookmark:
                    _addedBookmarks[bookmark.Id] = Track(bookmark);
                    break;
                case ExecutionScope scope:
                    _addedScopes[(scope.InstanceId, scope.Id)] = scope;
                    // A new scope has no stored bookmarks: all of its bookmarks are the ones added here.
                    _completeScopes.Add((scope.InstanceId, scope.Id));
                    break;
                case UnitTaskRecord task:
                    _addedTasks[task.Id] = task;
                    break;
                case WorkflowInstance instance:
                    _addedInstances[instance.Id] = instance;
                    break;
                case QuotaRecord quota:
                    _addedQuotas.Add(quota);
                    break;
                case Submission submission:
                    _addedSubmissions.Add(submission);
                    if (_submissionsByTask.TryGetValue(submission.TaskId, out var list)) list.Add(submission);
                    break;
            }
        }

        public void Remove(Bookmark bookmark)
        {
            ArgumentNullException.ThrowIfNull(bookmark);
            // An added bookmark is dropped from the index; the commit skips rows no longer in it.
            if (_addedBookmarks.TryGetValue(bookmark.Id, out var added) && ReferenceEquals(added, bookmark)) _addedBookmarks.Remove(bookmark.Id);
            else db.Bookmarks.Remove(bookmark);
            if (_bookmarksByActivity.TryGetValue((bookmark.InstanceId, bookmark.ScopeId, bookmark.ActivityId), out var list)) list.Remove(bookmark);
        }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                db.ChangeTracker.DetectChanges();
                // On SQLite, new rows (most of a large step: journal, outbox, tasks, scopes, bookmarks) are
                // written by one prepared INSERT per table, executed once per row, in the same transaction;
                // EF's generic batching re-parses every statement and costs several times more per row.
                // Updates and deletes stay with EF. PostgreSQL keeps EF's batching (one round trip for many rows).
                // Updates and deletes (every resumed task, bookmark and scope state of a step) take the same
                // path: one prepared statement per table and set of changed columns, executed once per row,
                // with the same WHERE as EF's (key, plus the original value of a concurrency token) and the
                // same check that exactly one row was affected.
                var sqlite = db.Database.IsSqlite();
                var added = _added.Where(e => e is not Bookmark b || (_addedBookmarks.TryGetValue(b.Id, out var kept) && ReferenceEquals(kept, b))).ToList();
                if (!sqlite) db.AddRange(added);
                var inserts = sqlite ? GroupInserts(added) : [];
                var changes = sqlite ? TakeChanges() : [];
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                if (changes.Count > 0) await WriteChangesAsync(changes, cancellationToken).ConfigureAwait(false);
                foreach (var (type, rows) in inserts)
                    await InsertAsync(type, rows, cancellationToken).ConfigureAwait(false);
                foreach (var (instance, scope, now) in _cancels)
                {
                    var prefix = scope + "/";
                    await db.Scopes.Where(s => s.InstanceId == instance && s.Id.StartsWith(prefix))
                        .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, WorkflowStatus.Cancelled), cancellationToken).ConfigureAwait(false);
                    await db.Bookmarks.Where(b => b.InstanceId == instance && b.ScopeId.StartsWith(prefix)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    await db.Tasks.Where(t => t.InstanceId == instance && t.ScopeId.StartsWith(prefix)
                            && t.Status != UnitTaskStatus.Done && t.Status != UnitTaskStatus.DoneLate && t.Status != UnitTaskStatus.Cancelled)
                        .ExecuteUpdateAsync(u => u.SetProperty(t => t.Status, UnitTaskStatus.Cancelled).SetProperty(t => t.CompletedAt, now), cancellationToken).ConfigureAwait(false);
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException e)
            {
                throw new WorkflowConcurrencyException("Another writer changed the same workflow state; the step was not committed.", e);
            }
        }

        /// <summary>The session's new rows by entity type (types in order of their first row, rows in Add order), for <see cref="InsertAsync"/>.</summary>
        private List<(Microsoft.EntityFrameworkCore.Metadata.IEntityType Type, List<object> Rows)> GroupInserts(List<object> added) =>
            [.. added.GroupBy(e => e.GetType()).Select(g => (db.Model.FindEntityType(g.Key) ?? throw new InvalidOperationException($"{g.Key.Name} is not mapped."), g.ToList()))];

        /// <summary>
        /// Detaches every Modified or Deleted entity, remembering for each its table, the columns to set
        /// (the modified ones, current values), and the WHERE values (key and concurrency tokens, original values).
        /// </summary>
        private List<RowChange> TakeChanges()
        {
            var taken = new List<RowChange>();
            var entries = new List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry>();
            foreach (var entry in db.ChangeTracker.Entries())
            {
                if (entry.State is not (EntityState.Modified or EntityState.Deleted)) continue;
                var type = entry.Metadata;
                var shape = _shapes.TryGetValue(type, out var known) ? known : _shapes[type] = new TableShape(type);
                var deleted = entry.State == EntityState.Deleted;
                ulong mask = 0;
                if (!deleted)
                    for (var i = 0; i < shape.Columns.Count; i++)
                        if (entry.Property(shape.Columns[i]).IsModified) mask |= 1UL << i;
                if (!deleted && mask == 0)
                {
                    // Nothing to write (EF would skip it too).
                    entries.Add(entry);
                    continue;
                }
                var values = new object?[(deleted ? 0 : System.Numerics.BitOperations.PopCount(mask)) + shape.Where.Count];
                var n = 0;
                if (!deleted)
                    for (var i = 0; i < shape.Columns.Count; i++)
                        if ((mask & (1UL << i)) != 0) values[n++] = TableShape.ToProvider(shape.Columns[i], entry.Property(shape.Columns[i]).CurrentValue);
                foreach (var key in shape.Where)
                    values[n++] = TableShape.ToProvider(key, entry.Property(key).OriginalValue);
                taken.Add(new RowChange(shape, deleted, mask, values));
                entries.Add(entry);
            }
            foreach (var entry in entries) entry.State = EntityState.Detached;
            return taken;
        }

        private async Task WriteChangesAsync(List<RowChange> changes, CancellationToken cancellationToken)
        {
            var connection = db.Database.GetDbConnection();
            var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            var commands = new Dictionary<(TableShape, bool, ulong), DbCommand>();
            try
            {
                foreach (var change in changes)
                {
                    if (!commands.TryGetValue((change.Shape, change.Deleted, change.Mask), out var command))
                    {
                        command = connection.CreateCommand();
                        command.Transaction = transaction;
                        command.CommandText = change.Shape.Sql(change.Deleted, change.Mask);
                        for (var i = 0; i < change.Values.Length; i++)
                        {
                            var parameter = command.CreateParameter();
                            parameter.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                            command.Parameters.Add(parameter);
                        }
                        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
                        commands[(change.Shape, change.Deleted, change.Mask)] = command;
                    }
                    for (var i = 0; i < change.Values.Length; i++) command.Parameters[i].Value = change.Values[i] ?? DBNull.Value;
                    // Microsoft.Data.Sqlite runs every command synchronously; its async form only adds a task per row.
                    if (command.ExecuteNonQuery() != 1)
                        throw new WorkflowConcurrencyException($"Another writer changed or deleted a row of {change.Shape.Table} (expected 1 row affected); the step was not committed.");
                }
            }
            finally
            {
                foreach (var command in commands.Values) await command.DisposeAsync().ConfigureAwait(false);
            }
        }

        private readonly Dictionary<Microsoft.EntityFrameworkCore.Metadata.IEntityType, TableShape> _shapes = [];

        private sealed record RowChange(TableShape Shape, bool Deleted, ulong Mask, object?[] Values);

        /// <summary>A table's columns as EF maps them: the settable ones, and the WHERE of an update or delete (key, then concurrency tokens).</summary>
        private sealed class TableShape
        {
            public TableShape(Microsoft.EntityFrameworkCore.Metadata.IEntityType type)
            {
                Table = type.GetTableName()!;
                var key = type.FindPrimaryKey()!.Properties;
                Columns = [.. type.GetProperties().Where(p => !p.IsPrimaryKey())];
                if (Columns.Count > 64) throw new NotSupportedException($"{Table} has more than 64 columns.");
                Where = [.. key, .. Columns.Where(p => p.IsConcurrencyToken)];
            }

            public string Table { get; }
            public IReadOnlyList<Microsoft.EntityFrameworkCore.Metadata.IProperty> Columns { get; }
            public IReadOnlyList<Microsoft.EntityFrameworkCore.Metadata.IProperty> Where { get; }

            public static object? ToProvider(Microsoft.EntityFrameworkCore.Metadata.IProperty property, object? value) =>
                value is not null && property.GetTypeMapping().Converter is { } converter ? converter.ConvertToProvider(value) : value;

            public string Sql(bool deleted, ulong mask)
            {
                var n = 0;
                string P() => "@p" + (n++).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var set = deleted ? "" : string.Join(", ", Columns.Where((_, i) => (mask & (1UL << i)) != 0).Select(c => $"\"{c.GetColumnName()}\" = {P()}"));
                var where = string.Join(" AND ", Where.Select(c => $"\"{c.GetColumnName()}\" = {P()}"));
                return deleted ? $"DELETE FROM \"{Table}\" WHERE {where}" : $"UPDATE \"{Table}\" SET {set} WHERE {where}";
            }
        }

        private async Task InsertAsync(Microsoft.EntityFrameworkCore.Metadata.IEntityType type, List<object> rows, CancellationToken cancellationToken)
        {
            // Store-generated keys (the journal's and the outbox's Id) are left to the database.
            var properties = type.GetProperties().Where(p => !(p.IsPrimaryKey() && p.ValueGenerated != Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never)).ToList();
            var connection = db.Database.GetDbConnection();
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            command.CommandText = $"INSERT INTO \"{type.GetTableName()}\" ({string.Join(", ", properties.Select(p => $"\"{p.GetColumnName()}\""))}) VALUES ({string.Join(", ", properties.Select((_, i) => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))})";
            var converters = new Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter?[properties.Count];
            var getters = new Microsoft.EntityFrameworkCore.Metadata.IClrPropertyGetter[properties.Count];
            for (var i = 0; i < properties.Count; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                command.Parameters.Add(parameter);
                converters[i] = properties[i].GetTypeMapping().Converter;
                getters[i] = properties[i].GetGetter();
            }
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                for (var i = 0; i < properties.Count; i++)
                {
                    var value = getters[i].GetClrValue(row);
                    if (value is not null && converters[i] is { } converter) value = converter.ConvertToProvider(value);
                    command.Parameters[i].Value = value ?? DBNull.Value;
                }
                cancellationToken.ThrowIfCancellationRequested();
                command.ExecuteNonQuery();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_taskProbe is not null) await _taskProbe.DisposeAsync().ConfigureAwait(false);
            // Opened by OpenSessionAsync (SQLite) or TaskExistsAsync; closing returns it to the pool.
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            await db.DisposeAsync().ConfigureAwait(false);
        }
    }
}
