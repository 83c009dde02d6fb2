using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Server.Data;

/// <summary>
/// The engine's store on EF Core (SQLite or PostgreSQL). A session is one DbContext; its commit is
/// one database transaction holding the step's instance, scopes, bookmarks, tasks, submissions,
/// outbox rows and journal entries, plus the cancellation of a subtree when a flowchart ended.
/// </summary>
public sealed class EfWorkflowStore(IDbContextFactory<WorkflowHostDbContext> contexts) : IWorkflowStore, IAsyncDisposable
{
    /// <summary>
    /// Ids per look-up query. Each chunk is ONE parameter (<c>EF.Parameter</c>: a JSON array read by
    /// <c>json_each</c> on SQLite, an array with <c>= ANY</c> on PostgreSQL). EF 10's default expands a
    /// list into one parameter per id, and uniquifying those names cost a fifth of P1's CPU (issue 13).
    /// </summary>
    private const int Chunk = 5000;

    // The replica of an exclusive store (see ExclusiveAsync); null for a shared database.
    private InMemoryWorkflowStore? _replica;

    // An exclusive store writes its database behind the engine (see ExclusiveAsync); null for a shared one.
    private StepWriter? _writer;

    // The tables' shapes and statements, built once per entity type and change (the contexts share one model).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, TableShape> _shapes = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(TableShape Shape, bool Deleted, ulong Mask), RowSql> _changeSql = new();

    /// <summary>
    /// A store for a database that this process alone writes and that holds no workflow instance yet: the
    /// simulation's own file (<c>workflowhost simulate</c>, <c>bench</c> P1). Besides the database it keeps
    /// an in-memory replica of the engine's rows (instances, scopes, bookmarks, tasks, submissions, quotas;
    /// not the outbox and the journal, which the engine never reads back). Every find answers from the
    /// replica (issue 13: re-reading and materialising the rows a step touches was a third of P1's CPU at 3,000
    /// units).
    /// <para>The database is written behind the engine (decision 0010; issue 13: the writes were half of P1's time at
    /// 3,000 units on SQLite, and on PostgreSQL the engine waited for the server's part of every commit). A step's
    /// commit checks it against the replica's committed rows as the database would (an updated or deleted row must
    /// exist with its concurrency token unchanged, a new row's key must be free:
    /// <see cref="WorkflowConcurrencyException"/>, nothing written), takes its rows' values, commits the replica
    /// and hands the step to a writer on another thread, which writes it in one transaction of its own, in commit
    /// order, at most <see cref="StepWriter.Depth"/> steps behind. <see cref="FlushAsync"/> waits until the database holds
    /// every committed step; read the database through other contexts only after it. Should it refuse a step (a
    /// full disk, a constraint the replica does not know, such as a duplicate outbox key), it keeps every earlier
    /// step whole and the next commit or flush throws: the run stops. A process killed mid-run leaves the database
    /// with a prefix of whole steps, up to <see cref="StepWriter.Depth"/> fewer than the engine had committed (and
    /// reported through <see cref="WorkflowRuntime.StepCommitted"/>).</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The database already holds a workflow instance (its rows are not in a new replica).</exception>
    /// <remarks>Not for the live server: portal, console and restore endpoints write the same tables through their own contexts, and a PostgreSQL database is shared by nodes.</remarks>
    public static async Task<EfWorkflowStore> ExclusiveAsync(IDbContextFactory<WorkflowHostDbContext> contexts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
            if (await db.Instances.AnyAsync(cancellationToken).ConfigureAwait(false))
                throw new InvalidOperationException("An exclusive store needs a database without workflow instances: its in-memory replica starts empty.");
        return new EfWorkflowStore(contexts)
        {
            _replica = new InMemoryWorkflowStore(keepsOutboxAndJournal: false, remembersOrigins: true),
            _writer = new StepWriter(contexts),
        };
    }

    /// <summary>
    /// Waits until the database holds every committed step. Only an exclusive store writes behind its commits (see
    /// <see cref="ExclusiveAsync"/>); for a shared store the database is always up to date.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database refused a step; the inner exception says why. It holds every step before that one.</exception>
    public Task FlushAsync() => _writer?.FlushAsync() ?? Task.CompletedTask;

    /// <summary>The write-behind figures of an exclusive store (steps written, time writing, time the engine waited); null for a shared store.</summary>
    public WriteBehindStatistics? WriteBehind => _writer?.Statistics;

    /// <summary>Writes what an exclusive store still holds for its database (see <see cref="FlushAsync"/>) and stops its writer; nothing for a shared store.</summary>
    /// <exception cref="InvalidOperationException">The database refused a step; the inner exception says why.</exception>
    public async ValueTask DisposeAsync()
    {
        if (_writer is not { } writer) return;
        try
        {
            await writer.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private TableShape Shape(Microsoft.EntityFrameworkCore.Metadata.IModel model, Type type) =>
        _shapes.TryGetValue(type, out var known) ? known
        : _shapes.GetOrAdd(type, new TableShape(model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not mapped.")));

    private RowSql ChangeSql(TableShape shape, bool deleted, ulong mask) =>
        _changeSql.GetOrAdd((shape, deleted, mask), k => new RowSql(k.Shape.Table, k.Shape.Sql(k.Deleted, k.Mask), [.. k.Shape.Parameters(k.Deleted, k.Mask)], ChecksOneRow: true));

    /// <inheritdoc />
    public async Task<IWorkflowSession> OpenSessionAsync(CancellationToken cancellationToken)
    {
        var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        // A write-behind session reads and writes nothing of the file itself: it opens no connection.
        if (_writer is null && db.Database.IsSqlite())
        {
            // The session keeps one connection open for all its queries and its commit. A large plan's file
            // outgrows SQLite's default 2 MB page cache many times over: every index insert then re-read its
            // pages from the OS (pread was 4 % of P1's CPU at 10,000 units, issue 13). 16 MB per connection: 64 MB measured no faster at 3,000 units and held 22 MB more.
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = db.Database.GetDbConnection().CreateCommand();
            pragma.CommandText = "PRAGMA cache_size = -16384";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return new Session(this, db, _replica is null ? null : await _replica.OpenSessionAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        if (_replica is { } replica) return await replica.FindDueTimersAsync(now, max, cancellationToken).ConfigureAwait(false);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Bookmarks.AsNoTracking().Where(b => b.Kind == BookmarkKind.Timer && b.DueAt <= now)
            .OrderBy(b => b.DueAt).ThenBy(b => b.Id).Take(max).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<DateTimeOffset?> FindNextTimerDueAsync(CancellationToken cancellationToken)
    {
        if (_replica is { } replica) return await replica.FindNextTimerDueAsync(cancellationToken).ConfigureAwait(false);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Bookmarks.AsNoTracking().Where(b => b.Kind == BookmarkKind.Timer)
            .OrderBy(b => b.DueAt).Select(b => b.DueAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UnitTaskSummary>> ReadTaskSummariesAsync(IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
    {
        if (_replica is IWorkflowStore replica) return await replica.ReadTaskSummariesAsync(taskIds, cancellationToken).ConfigureAwait(false);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<UnitTaskSummary>(taskIds.Count);
        foreach (var chunk in taskIds.Distinct(StringComparer.Ordinal).Chunk(Chunk))
            found.AddRange(await db.Tasks.AsNoTracking().Where(t => EF.Parameter(chunk).Contains(t.Id))
                .Select(t => new UnitTaskSummary(t.Id, t.Milestone, t.UnitCode, t.DueDate, t.CreatedAt, t.Status)).ToListAsync(cancellationToken).ConfigureAwait(false));
        return found;
    }

    /// <summary>A row the session read: the instance, its column values as read (<see cref="TableShape.Columns"/> order), and whether the step deleted it.</summary>
    /// <param name="Entity">The session's instance.</param>
    /// <param name="Original">Its column values as read from the database, or null when it came from a replica (<paramref name="Origin"/>).</param>
    /// <param name="Deleted">Whether the step deleted it.</param>
    /// <param name="Origin">The replica's committed row it was copied from (never changed in place), when it came from a replica.</param>
    private sealed record Row(object Entity, object?[]? Original, bool Deleted = false, object? Origin = null);

    private sealed record RowChange(TableShape Shape, Row Row, bool Deleted, ulong Mask, object?[]? Current);

    /// <summary>A table's columns as EF maps them: the settable ones, and the WHERE of an update or delete (key, then concurrency tokens).</summary>
    private sealed class TableShape
    {
        private readonly Microsoft.EntityFrameworkCore.Metadata.IClrPropertyGetter[] _getters;
        private readonly Microsoft.EntityFrameworkCore.Metadata.IClrPropertyGetter[] _keyGetters;
        private readonly int[] _tokens;

        public TableShape(Microsoft.EntityFrameworkCore.Metadata.IEntityType type)
        {
            Table = type.GetTableName()!;
            Key = type.FindPrimaryKey()!.Properties;
            Columns = [.. type.GetProperties().Where(p => !p.IsPrimaryKey())];
            if (Columns.Count > 64) throw new NotSupportedException($"{Table} has more than 64 columns.");
            _getters = [.. Columns.Select(c => c.GetGetter())];
            _keyGetters = [.. Key.Select(k => k.GetGetter())];
            _tokens = [.. Columns.Select((c, i) => (c, i)).Where(x => x.c.IsConcurrencyToken).Select(x => x.i)];
            // Store-generated keys (the journal's and the outbox's Id) are left to the database.
            _inserted = [.. type.GetProperties().Where(p => !(p.IsPrimaryKey() && p.ValueGenerated != Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never))];
            _insertedGetters = [.. _inserted.Select(p => p.GetGetter())];
            _insertedConverters = [.. _inserted.Select(p => p.GetTypeMapping().Converter)];
            InsertSql = new RowSql(Table,
                $"INSERT INTO \"{Table}\" ({string.Join(", ", _inserted.Select(p => $"\"{p.GetColumnName()}\""))}) VALUES ({string.Join(", ", _inserted.Select((_, i) => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))})",
                _inserted, ChecksOneRow: false);
        }

        private readonly Microsoft.EntityFrameworkCore.Metadata.IProperty[] _inserted;
        private readonly Microsoft.EntityFrameworkCore.Metadata.IClrPropertyGetter[] _insertedGetters;
        private readonly Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter?[] _insertedConverters;

        /// <summary>The INSERT of a new row (every column but a store-generated key).</summary>
        public RowSql InsertSql { get; }

        /// <summary>A new row's <see cref="InsertSql"/> parameter values, as the provider stores them.</summary>
        public object?[] InsertValues(object row)
        {
            var values = new object?[_inserted.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var value = _insertedGetters[i].GetClrValue(row);
                if (value is not null && _insertedConverters[i] is { } converter) value = converter.ConvertToProvider(value);
                values[i] = value;
            }
            return values;
        }

        /// <summary>Whether <paramref name="committed"/>'s concurrency tokens equal those of <paramref name="row"/> as it was read.</summary>
        public bool SameTokens(object committed, Row row)
        {
            foreach (var t in _tokens)
                if (!Equals(_getters[t].GetClrValue(committed), OriginalValue(row, t))) return false;
            return true;
        }

        /// <summary>Column <paramref name="i"/> (<see cref="Columns"/> order) of a row as it was read: from its values as read, or from the replica's row it was copied from.</summary>
        public object? OriginalValue(Row row, int i) => row.Original is { } original ? original[i] : _getters[i].GetClrValue(row.Origin!);

        private Func<object, object, ulong>? _diff;

        /// <summary>
        /// The columns (bit i = <see cref="Columns"/>[i]) whose values differ between two entities of this table, compared
        /// with their types' own equality and without boxing (issue 13: boxing every column of every row a step touched,
        /// twice, was a tenth of P1's garbage). Compiled on first use from the mapped properties.
        /// </summary>
        public ulong Diff(object current, object origin) => (_diff ??= CompileDiff())(current, origin);

        private Func<object, object, ulong> CompileDiff()
        {
            var a = System.Linq.Expressions.Expression.Parameter(typeof(object), "current");
            var b = System.Linq.Expressions.Expression.Parameter(typeof(object), "origin");
            var clr = Columns[0].DeclaringType.ClrType;
            var ta = System.Linq.Expressions.Expression.Variable(clr, "a");
            var tb = System.Linq.Expressions.Expression.Variable(clr, "b");
            System.Linq.Expressions.Expression mask = System.Linq.Expressions.Expression.Constant(0UL);
            for (var i = 0; i < Columns.Count; i++)
            {
                // Every mapped column of the engine's tables is a CLR property (the session reads them through EF's getters).
                var property = Columns[i].PropertyInfo ?? throw new NotSupportedException($"{Table}.{Columns[i].Name} has no CLR property to compare.");
                var comparer = typeof(EqualityComparer<>).MakeGenericType(property.PropertyType);
                var differs = System.Linq.Expressions.Expression.Not(System.Linq.Expressions.Expression.Call(
                    System.Linq.Expressions.Expression.Property(null, comparer.GetProperty(nameof(EqualityComparer<int>.Default))!),
                    comparer.GetMethod(nameof(EqualityComparer<int>.Equals), [property.PropertyType, property.PropertyType])!,
                    System.Linq.Expressions.Expression.Property(ta, property), System.Linq.Expressions.Expression.Property(tb, property)));
                mask = System.Linq.Expressions.Expression.Or(mask, System.Linq.Expressions.Expression.Condition(differs,
                    System.Linq.Expressions.Expression.Constant(1UL << i), System.Linq.Expressions.Expression.Constant(0UL)));
            }
            var body = System.Linq.Expressions.Expression.Block([ta, tb],
                System.Linq.Expressions.Expression.Assign(ta, System.Linq.Expressions.Expression.Convert(a, clr)),
                System.Linq.Expressions.Expression.Assign(tb, System.Linq.Expressions.Expression.Convert(b, clr)),
                mask);
            return System.Linq.Expressions.Expression.Lambda<Func<object, object, ulong>>(body, a, b).Compile();
        }

        public string Table { get; }
        public IReadOnlyList<Microsoft.EntityFrameworkCore.Metadata.IProperty> Key { get; }
        public IReadOnlyList<Microsoft.EntityFrameworkCore.Metadata.IProperty> Columns { get; }

        /// <summary>The entity's non-key column values (CLR values), in <see cref="Columns"/> order.</summary>
        public object?[] Read(object entity)
        {
            var values = new object?[_getters.Length];
            for (var i = 0; i < values.Length; i++) values[i] = _getters[i].GetClrValue(entity);
            return values;
        }

        /// <summary>The parameter values of a change's statement, as the provider stores them: SET (changed columns, current), then WHERE (key, then original concurrency tokens).</summary>
        public object?[] Values(RowChange change)
        {
            var values = new object?[(change.Deleted ? 0 : System.Numerics.BitOperations.PopCount(change.Mask)) + Key.Count + _tokens.Length];
            var n = 0;
            if (!change.Deleted)
                for (var i = 0; i < Columns.Count; i++)
                    if ((change.Mask & (1UL << i)) != 0) values[n++] = ToProvider(Columns[i], change.Current is { } current ? current[i] : _getters[i].GetClrValue(change.Row.Entity));
            for (var k = 0; k < Key.Count; k++) values[n++] = ToProvider(Key[k], _keyGetters[k].GetClrValue(change.Row.Entity));
            foreach (var t in _tokens) values[n++] = ToProvider(Columns[t], OriginalValue(change.Row, t));
            return values;
        }

        private static object? ToProvider(Microsoft.EntityFrameworkCore.Metadata.IProperty property, object? value) =>
            value is not null && property.GetTypeMapping().Converter is { } converter ? converter.ConvertToProvider(value) : value;

        /// <summary>The columns of a change's parameters, in <see cref="Values"/> order.</summary>
        public IEnumerable<Microsoft.EntityFrameworkCore.Metadata.IProperty> Parameters(bool deleted, ulong mask) =>
            (deleted ? [] : Columns.Where((_, i) => (mask & (1UL << i)) != 0)).Concat(Key).Concat(_tokens.Select(t => Columns[t]));

        public string Sql(bool deleted, ulong mask)
        {
            var n = 0;
            string P() => "@p" + (n++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var set = deleted ? "" : string.Join(", ", Columns.Where((_, i) => (mask & (1UL << i)) != 0).Select(c => $"\"{c.GetColumnName()}\" = {P()}"));
            var where = string.Join(" AND ", Key.Concat(_tokens.Select(t => Columns[t])).Select(c => $"\"{c.GetColumnName()}\" = {P()}"));
            return deleted ? $"DELETE FROM \"{Table}\" WHERE {where}" : $"UPDATE \"{Table}\" SET {set} WHERE {where}";
        }
    }


    private sealed class Session : IWorkflowSession
    {
        private readonly List<(string Instance, string Scope, DateTimeOffset Now)> _cancels = [];
        private readonly WorkflowHostDbContext db;

        // No EF change tracking on the hot path (issue 13): at 10,000 units a step reads and writes tens of
        // thousands of rows, and EF's entries, snapshots, identity map and DetectChanges over them were a
        // third of the CPU. Rows are read with no-tracking queries and kept here, one instance per key (the
        // identity resolution EF's tracking gave), with their column values as read; the commit compares
        // and writes only what changed. New rows are kept in Add order and indexed for the finds.
        private readonly Dictionary<(Type Type, string Key), Row> _loaded = [];
        private readonly List<object> _added = [];
        private readonly Dictionary<string, Bookmark> _addedBookmarks = new(StringComparer.Ordinal);
        private readonly Dictionary<string, UnitTaskRecord> _addedTasks = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Instance, string Scope), ExecutionScope> _addedScopes = [];
        private readonly Dictionary<string, WorkflowInstance> _addedInstances = new(StringComparer.Ordinal);
        private readonly List<QuotaRecord> _addedQuotas = [];

        // A step of a large plan touches tens of thousands of rows. One query per row made a step
        // quadratic, so the session indexes what it holds and remembers which sets it holds completely;
        // finds over a complete set answer from memory.
        private readonly Dictionary<(string Instance, string Scope, string Activity), List<Bookmark>> _bookmarksByActivity = [];
        private readonly HashSet<(string Instance, string Scope)> _completeScopes = [];
        private readonly HashSet<(string Instance, string Scope, string Activity)> _completeActivities = [];
        private readonly Dictionary<string, List<Submission>> _submissionsByTask = new(StringComparer.Ordinal);
        private readonly List<Submission> _addedSubmissions = [];
        private DbCommand? _taskProbe;

        // Each instance's due timers as a group preload read them (PreloadDueTimersAsync), complete for that
        // instant: the instance's FindDueTimersAsync at the same instant answers from them.
        private readonly Dictionary<string, (DateTimeOffset Now, List<Bookmark> Stored)> _preloadedDueTimers = new(StringComparer.Ordinal);

        // An exclusive store's replica session (null for a shared database): every find asks it, and the rows
        // it hands out are attached here as read (Adopt), so the commit writes exactly what it would have
        // written had they come from the database.
        private readonly IWorkflowSession? _replica;
        private readonly HashSet<object> _addedSet = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<string> _removedBookmarkIds = new(StringComparer.Ordinal);

        private readonly EfWorkflowStore _store;

        public Session(EfWorkflowStore store, WorkflowHostDbContext context, IWorkflowSession? replica)
        {
            _store = store;
            db = context;
            _replica = replica;
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        }

        public async Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken)
        {
            if (_replica is not null) return Adopt(await _replica.FindInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false));
            if (_addedInstances.TryGetValue(instanceId, out var added)) return added;
            if (Known<WorkflowInstance>(instanceId) is { } known) return known;
            return Attach(await db.Instances.FirstOrDefaultAsync(i => i.Id == instanceId, cancellationToken).ConfigureAwait(false));
        }

        public async Task<ExecutionScope?> FindScopeAsync(string instanceId, string scopeId, CancellationToken cancellationToken)
        {
            if (_replica is not null) return Adopt(await _replica.FindScopeAsync(instanceId, scopeId, cancellationToken).ConfigureAwait(false));
            if (_addedScopes.TryGetValue((instanceId, scopeId), out var added)) return added;
            if (Known<ExecutionScope>(ScopeKey(instanceId, scopeId)) is { } known) return known;
            return Attach(await db.Scopes.FirstOrDefaultAsync(s => s.InstanceId == instanceId && s.Id == scopeId, cancellationToken).ConfigureAwait(false));
        }

        public async Task<IReadOnlyList<string>> FindChildScopeIdsAsync(string instanceId, string parentId, string ownerActivityId, CancellationToken cancellationToken) =>
            _replica is not null ? await _replica.FindChildScopeIdsAsync(instanceId, parentId, ownerActivityId, cancellationToken).ConfigureAwait(false) :
            await db.Scopes.Where(s => s.InstanceId == instanceId && s.ParentId == parentId && s.OwnerActivityId == ownerActivityId)
                .Select(s => s.Id).ToListAsync(cancellationToken).ConfigureAwait(false);

        public async Task<UnitTaskRecord?> FindTaskAsync(string taskId, CancellationToken cancellationToken)
        {
            if (_replica is not null) return Adopt(await _replica.FindTaskAsync(taskId, cancellationToken).ConfigureAwait(false));
            if (_addedTasks.TryGetValue(taskId, out var added)) return added;
            if (Known<UnitTaskRecord>(taskId) is { } known) return known;
            // Creating a task first checks that its id is free: a bare existence probe on one prepared
            // command costs a few microseconds, a full EF query of a missing row far more.
            if (!await TaskExistsAsync(taskId, cancellationToken).ConfigureAwait(false)) return null;
            return Attach(await db.Tasks.FirstOrDefaultAsync(t => t.Id == taskId, cancellationToken).ConfigureAwait(false));
        }

        public async Task<IReadOnlyList<UnitTaskRecord>> FindTasksAsync(IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
        {
            if (_replica is not null) return AdoptAll(await _replica.FindTasksAsync(taskIds, cancellationToken).ConfigureAwait(false));
            var found = new List<UnitTaskRecord>(taskIds.Count);
            var missing = new List<string>();
            foreach (var id in taskIds.Distinct(StringComparer.Ordinal))
                if (_addedTasks.TryGetValue(id, out var added)) found.Add(added);
                else if (Known<UnitTaskRecord>(id) is { } known) found.Add(known);
                else missing.Add(id);
            foreach (var chunk in missing.Chunk(Chunk))
                foreach (var task in await db.Tasks.Where(t => EF.Parameter(chunk).Contains(t.Id)).ToListAsync(cancellationToken).ConfigureAwait(false))
                    found.Add(Attach(task));
            return found;
        }

        public Task PreloadAsync(string instanceId, IReadOnlyCollection<string> scopeIds, IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken) =>
            _replica is not null ? _replica.PreloadAsync(instanceId, scopeIds, taskIds, cancellationToken)
            : PreloadScopesAsync([.. scopeIds.Select(s => (instanceId, s))], taskIds, cancellationToken);

        public async Task PreloadDueTimersAsync(IReadOnlyCollection<string> instanceIds, DateTimeOffset now, int max, CancellationToken cancellationToken)
        {
            if (_replica is not null)
            {
                await _replica.PreloadDueTimersAsync(instanceIds, now, max, cancellationToken).ConfigureAwait(false);
                return;
            }
            var scopes = new List<(string Instance, string Scope)>();
            var taskIds = new List<string>();
            foreach (var chunk in instanceIds.Distinct(StringComparer.Ordinal).Chunk(Chunk))
            {
                foreach (var instance in await db.Instances.Where(i => EF.Parameter(chunk).Contains(i.Id)).ToListAsync(cancellationToken).ConfigureAwait(false))
                    Attach(instance);
                var due = await db.Bookmarks.Where(b => EF.Parameter(chunk).Contains(b.InstanceId) && b.Kind == BookmarkKind.Timer && b.DueAt <= now)
                    .OrderBy(b => b.DueAt).ThenBy(b => b.Id).Take(max).ToListAsync(cancellationToken).ConfigureAwait(false);
                var held = due.Select(AttachLive).OfType<Bookmark>().Select(Track).ToList();
                // The group's list is each instance's complete list only when the limit did not cut it; else every
                // instance asks the database itself.
                if (due.Count < max)
                {
                    var byInstance = held.ToLookup(b => b.InstanceId, StringComparer.Ordinal);
                    foreach (var id in chunk) _preloadedDueTimers[id] = (now, [.. byInstance[id]]);
                }
                scopes.AddRange(held.Select(b => (b.InstanceId, b.ScopeId)));
                taskIds.AddRange(held.Where(b => b.Data is not null).Select(b => b.Data!));
            }
            await PreloadScopesAsync(scopes, taskIds, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Loads the scopes (instance, scope id) with all their bookmarks, and the tasks with their submissions, and
        /// marks them complete. Instances that want the same set of scope ids share a query, so a query never returns
        /// a scope nobody asked for.
        /// </summary>
        private async Task PreloadScopesAsync(IReadOnlyCollection<(string Instance, string Scope)> scopes, IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
        {
            var sets = scopes.Where(s => !_completeScopes.Contains(s)).Distinct()
                .GroupBy(s => s.Instance, s => s.Scope, StringComparer.Ordinal)
                .GroupBy(g => string.Join('\u001f', g.Order(StringComparer.Ordinal)), StringComparer.Ordinal);
            foreach (var set in sets)
                foreach (var instances in set.Select(g => g.Key).Chunk(Chunk))
                    foreach (var chunk in set.First().Chunk(Chunk))
                    {
                        foreach (var scope in await db.Scopes.Where(s => EF.Parameter(instances).Contains(s.InstanceId) && EF.Parameter(chunk).Contains(s.Id)).ToListAsync(cancellationToken).ConfigureAwait(false))
                            Attach(scope);
                        foreach (var bookmark in await db.Bookmarks.Where(b => EF.Parameter(instances).Contains(b.InstanceId) && EF.Parameter(chunk).Contains(b.ScopeId)).ToListAsync(cancellationToken).ConfigureAwait(false))
                            if (AttachLive(bookmark) is { } live) Track(live);
                        foreach (var instance in instances)
                            foreach (var scope in chunk) _completeScopes.Add((instance, scope));
                    }
            await FindTasksAsync(taskIds, cancellationToken).ConfigureAwait(false);
            var tasks = taskIds.Distinct(StringComparer.Ordinal).Where(t => !_submissionsByTask.ContainsKey(t)).ToList();
            foreach (var chunk in tasks.Chunk(Chunk))
            {
                var stored = (await db.Submissions.Where(s => EF.Parameter(chunk).Contains(s.TaskId)).ToListAsync(cancellationToken).ConfigureAwait(false)).Select(s => Attach(s));
                var wanted = chunk.ToHashSet(StringComparer.Ordinal);
                var byTask = stored.Concat(_addedSubmissions.Where(s => wanted.Contains(s.TaskId))).Distinct().ToLookup(s => s.TaskId, StringComparer.Ordinal);
                foreach (var task in chunk) _submissionsByTask[task] = [.. byTask[task]];
            }
        }

        public async Task<IReadOnlyList<Submission>> FindSubmissionsAsync(string taskId, CancellationToken cancellationToken)
        {
            if (_replica is not null) return AdoptAll(await _replica.FindSubmissionsAsync(taskId, cancellationToken).ConfigureAwait(false));
            if (!_submissionsByTask.TryGetValue(taskId, out var list))
            {
                var stored = (await db.Submissions.Where(s => s.TaskId == taskId).ToListAsync(cancellationToken).ConfigureAwait(false)).Select(s => Attach(s));
                _submissionsByTask[taskId] = list = [.. stored.Concat(_addedSubmissions.Where(s => s.TaskId == taskId)).Distinct()];
            }
            return [.. list.OrderBy(s => s.SubmittedAt).ThenBy(s => s.Id, StringComparer.Ordinal)];
        }

        public async Task<IReadOnlyList<UnitTaskRecord>> FindOpenTasksAsync(string instanceId, CancellationToken cancellationToken) =>
            _replica is not null ? AdoptAll(await _replica.FindOpenTasksAsync(instanceId, cancellationToken).ConfigureAwait(false)) :
            [.. (await WithLocalAsync(db.Tasks.Where(t => t.InstanceId == instanceId && t.Status != UnitTaskStatus.Done && t.Status != UnitTaskStatus.DoneLate && t.Status != UnitTaskStatus.Cancelled),
                _addedTasks.Values, t => t.InstanceId == instanceId && !t.IsClosed, cancellationToken).ConfigureAwait(false)).OrderBy(t => t.Id, StringComparer.Ordinal)];

        public async Task<IReadOnlyList<ExecutionScope>> FindRunningScopesAsync(string instanceId, CancellationToken cancellationToken) =>
            _replica is not null ? AdoptAll(await _replica.FindRunningScopesAsync(instanceId, cancellationToken).ConfigureAwait(false)) :
            [.. (await WithLocalAsync(db.Scopes.Where(s => s.InstanceId == instanceId && s.Status == WorkflowStatus.Running),
                _addedScopes.Values, s => s.InstanceId == instanceId && s.Status == WorkflowStatus.Running, cancellationToken).ConfigureAwait(false)).OrderBy(s => s.Id, StringComparer.Ordinal)];

        public async Task<IReadOnlyList<QuotaRecord>> FindQuotasAsync(string instanceId, string? unitCode, CancellationToken cancellationToken) =>
            _replica is not null ? AdoptAll(await _replica.FindQuotasAsync(instanceId, unitCode, cancellationToken).ConfigureAwait(false)) :
            [.. (await WithLocalAsync(db.Quotas.Where(q => q.InstanceId == instanceId && (unitCode == null || q.UnitCode == unitCode)),
                _addedQuotas, q => q.InstanceId == instanceId && (unitCode == null || q.UnitCode == unitCode), cancellationToken).ConfigureAwait(false))
                .OrderBy(q => q.Id, StringComparer.Ordinal)];

        public async Task<Bookmark?> FindBookmarkAsync(string bookmarkId, CancellationToken cancellationToken)
        {
            if (_replica is not null) return Adopt(await _replica.FindBookmarkAsync(bookmarkId, cancellationToken).ConfigureAwait(false));
            if (_addedBookmarks.TryGetValue(bookmarkId, out var added)) return added;
            if (_loaded.TryGetValue((typeof(Bookmark), bookmarkId), out var row)) return row.Deleted ? null : (Bookmark)row.Entity;
            var stored = await db.Bookmarks.FirstOrDefaultAsync(b => b.Id == bookmarkId, cancellationToken).ConfigureAwait(false);
            return stored is null ? null : AttachLive(stored) is { } live ? Track(live) : null;
        }

        public async Task<IReadOnlyList<Bookmark>> FindEventBookmarksAsync(string eventKey, CancellationToken cancellationToken) =>
            await FindEventBookmarksAsync([eventKey], cancellationToken).ConfigureAwait(false);

        public async Task<IReadOnlyList<Bookmark>> FindEventBookmarksAsync(IReadOnlyCollection<string> eventKeys, CancellationToken cancellationToken)
        {
            if (_replica is not null) return AdoptAll(await _replica.FindEventBookmarksAsync(eventKeys, cancellationToken).ConfigureAwait(false));
            var keys = eventKeys.ToHashSet(StringComparer.Ordinal);
            var stored = new List<Bookmark>();
            foreach (var chunk in keys.Chunk(Chunk))
                stored.AddRange(await db.Bookmarks.Where(b => b.Kind == BookmarkKind.Event && EF.Parameter(chunk).Contains(b.EventKey!)).ToListAsync(cancellationToken).ConfigureAwait(false));
            // Re-filtered on the session's values: a bookmark it holds may have been deleted or changed in this step.
            return [.. stored.Select(AttachLive).OfType<Bookmark>().Where(b => b.Kind == BookmarkKind.Event && b.EventKey is { } k && keys.Contains(k))
                .Select(Track)
                .Concat(_addedBookmarks.Values.Where(b => b.Kind == BookmarkKind.Event && b.EventKey is { } k && keys.Contains(k)))
                .Distinct()];
        }

        public async Task<IReadOnlyList<Bookmark>> FindActivityBookmarksAsync(string instanceId, string scopeId, string activityId, CancellationToken cancellationToken)
        {
            if (_replica is not null) return AdoptAll(await _replica.FindActivityBookmarksAsync(instanceId, scopeId, activityId, cancellationToken).ConfigureAwait(false));
            var key = (instanceId, scopeId, activityId);
            if (!_completeScopes.Contains((instanceId, scopeId)) && _completeActivities.Add(key))
                foreach (var bookmark in await db.Bookmarks.Where(b => b.InstanceId == instanceId && b.ScopeId == scopeId && b.ActivityId == activityId).ToListAsync(cancellationToken).ConfigureAwait(false))
                    if (AttachLive(bookmark) is { } live) Track(live);
            return _bookmarksByActivity.TryGetValue(key, out var list) ? [.. list] : [];
        }

        public async Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(string instanceId, DateTimeOffset now, int max, CancellationToken cancellationToken)
        {
            if (_replica is not null) return AdoptAll(await _replica.FindDueTimersAsync(instanceId, now, max, cancellationToken).ConfigureAwait(false));
            var stored = _preloadedDueTimers.TryGetValue(instanceId, out var preloaded) && preloaded.Now == now ? preloaded.Stored
                : await db.Bookmarks.Where(b => b.InstanceId == instanceId && b.Kind == BookmarkKind.Timer && b.DueAt <= now).OrderBy(b => b.DueAt).ThenBy(b => b.Id).Take(max)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. stored.Select(AttachLive).OfType<Bookmark>().Select(Track)
                .Concat(_addedBookmarks.Values)
                .Where(b => b.InstanceId == instanceId && b.Kind == BookmarkKind.Timer && b.DueAt <= now)
                .Distinct()
                .OrderBy(b => b.DueAt).ThenBy(b => b.Id, StringComparer.Ordinal).Take(max)];
        }

        /// <summary>A row the replica handed out: one this session added stays an insert; any other is attached as read (the replica hands out one instance per key).</summary>
        private T? Adopt<T>(T? row) where T : class => row is null || _addedSet.Contains(row) ? row : Attach(row);

        private List<T> AdoptAll<T>(IReadOnlyList<T> rows) where T : class
        {
            var adopted = new List<T>(rows.Count);
            foreach (var row in rows) adopted.Add(Adopt(row)!);
            return adopted;
        }

        /// <summary>Query results (as the session holds them, minus deleted, re-filtered on the session's values) plus added matches.</summary>
        private async Task<IReadOnlyList<T>> WithLocalAsync<T>(IQueryable<T> query, IEnumerable<T> added, Func<T, bool> predicate, CancellationToken cancellationToken) where T : class
        {
            var stored = await query.ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. stored.Select(AttachLive).OfType<T>().Where(predicate).Concat(added.Where(predicate)).Distinct()];
        }

        /// <summary>Adds a bookmark the session holds (not deleted) to the index (once).</summary>
        private Bookmark Track(Bookmark bookmark)
        {
            var key = (bookmark.InstanceId, bookmark.ScopeId, bookmark.ActivityId);
            if (!_bookmarksByActivity.TryGetValue(key, out var list)) _bookmarksByActivity[key] = list = [];
            if (!list.Contains(bookmark)) list.Add(bookmark);
            return bookmark;
        }

        private static string ScopeKey(string instanceId, string scopeId) => instanceId + "\u001f" + scopeId;

        private static string KeyOf(object row) => row switch
        {
            WorkflowInstance i => i.Id,
            ExecutionScope s => ScopeKey(s.InstanceId, s.Id),
            Bookmark b => b.Id,
            UnitTaskRecord t => t.Id,
            Submission s => s.Id,
            QuotaRecord q => q.Id,
            _ => throw new NotSupportedException($"{row.GetType().Name} is not read by a workflow session."),
        };

        /// <summary>The instance the session holds for this key (null when none or deleted).</summary>
        private T? Known<T>(string key) where T : class =>
            _loaded.TryGetValue((typeof(T), key), out var row) && !row.Deleted ? (T)row.Entity : null;

        /// <summary>
        /// The session's instance for a row just read: the one it already holds for that key (whose values the
        /// step may have changed: they win over the database's, as with EF's tracking), else the row itself,
        /// remembered with its column values as read.
        /// </summary>
        [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(row))]
        private T? Attach<T>(T? row) where T : class
        {
            if (row is null) return null;
            var key = (row.GetType(), KeyOf(row));
            if (_loaded.TryGetValue(key, out var known)) return (T)known.Entity;
            _loaded[key] = Read(row);
            return row;
        }

        /// <summary>
        /// How the session remembers a row as read: a replica's row by the committed row it was copied from (compared
        /// at commit without boxing), a database row by its column values.
        /// </summary>
        private Row Read(object row) => _replica is not null
            ? new Row(row, null, Origin: InMemoryWorkflowStore.OriginOf(_replica, row) ?? throw new InvalidOperationException($"The replica handed out a {row.GetType().Name} it did not read."))
            : new Row(row, Shape(row.GetType()).Read(row));

        /// <summary><see cref="Attach"/>, or null when the session deleted that row.</summary>
        private T? AttachLive<T>(T row) where T : class
        {
            var attached = Attach(row);
            return _loaded[(row.GetType(), KeyOf(row))].Deleted ? null : attached;
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
            return _replica?.CancelDescendantsAsync(instanceId, scopeId, now, cancellationToken) ?? Task.CompletedTask;
        }

        public void Add(object entity)
        {
            ArgumentNullException.ThrowIfNull(entity);
            _added.Add(entity);
            if (_replica is not null)
            {
                _replica.Add(entity);
                _addedSet.Add(entity);
            }
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
            if (_replica is not null)
            {
                _replica.Remove(bookmark);
                _removedBookmarkIds.Add(bookmark.Id);
            }
            // An added bookmark is dropped from the index (the commit skips rows no longer in it); a stored one is deleted at commit.
            if (_addedBookmarks.TryGetValue(bookmark.Id, out var added) && ReferenceEquals(added, bookmark)) _addedBookmarks.Remove(bookmark.Id);
            else _loaded[(typeof(Bookmark), bookmark.Id)] = (_loaded.TryGetValue((typeof(Bookmark), bookmark.Id), out var row) ? row : Read(bookmark)) with { Deleted = true };
            if (_bookmarksByActivity.TryGetValue((bookmark.InstanceId, bookmark.ScopeId, bookmark.ActivityId), out var list)) list.Remove(bookmark);
        }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            var added = _added.Where(e => e is not Bookmark b || (_addedBookmarks.TryGetValue(b.Id, out var kept) && ReferenceEquals(kept, b))).ToList();
            // The replica hides every bookmark of a removed id; this store inserts an added one that was not itself removed.
            // No activity removes and adds one id in one step; if one did, the two would part, so the step fails first.
            if (_replica is not null && added.OfType<Bookmark>().FirstOrDefault(b => _removedBookmarkIds.Contains(b.Id)) is { } both)
                throw new NotSupportedException($"Bookmark '{both.Id}' was removed and added in one step; an exclusive store's replica cannot follow that.");
            var changes = TakeChanges();
            var step = Step(changes, added);
            step.Cancels.AddRange(_cancels);
            if (_store._writer is { } writer)
            {
                // Written behind (ExclusiveAsync): checked here as the database would check it, then the replica
                // takes it and the writer writes it to the database in its own transaction.
                writer.ThrowIfFailed();
                CheckAgainstReplica(_store._replica!, changes, added);
                await _replica!.CommitAsync(cancellationToken).ConfigureAwait(false);
                await writer.EnqueueAsync(step).ConfigureAwait(false);
                return;
            }
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                if (db.Database.IsSqlite())
                {
                    // On SQLite every change is one prepared statement per table and set of changed columns,
                    // executed once per row, in the step's transaction: EF's generic batching re-parses every
                    // statement and costs several times more per row. An update or delete has EF's WHERE (key,
                    // plus the original value of a concurrency token) and EF's check that exactly one row was affected.
                    using var statements = new RowStatements(db);
                    await step.ExecuteAsync(db, statements, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // PostgreSQL: the same statements, the changes sent in batches and a table's many new rows as one binary COPY.
                    await PostgresStepWrite.ExecuteAsync(db, step, cancellationToken).ConfigureAwait(false);
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// What the database would refuse, checked against the replica's committed rows (which are the database's, or will
        /// be once the writer has caught up): an update or delete of a row that is gone or whose concurrency token
        /// changed (another session committed it first), and a new row whose key is taken.
        /// </summary>
        /// <exception cref="WorkflowConcurrencyException">One of them; nothing is written.</exception>
        private static void CheckAgainstReplica(InMemoryWorkflowStore replica, List<RowChange> changes, List<object> added)
        {
            foreach (var change in changes)
                if (replica.FindCommitted(change.Row.Entity) is not { } committed || !change.Shape.SameTokens(committed, change.Row))
                    throw new WorkflowConcurrencyException($"Another writer changed or deleted a row of {change.Shape.Table}; the step was not committed.");
            foreach (var row in added)
                if (row is not (OutboxMessage or JournalEntry) && replica.FindCommitted(row) is not null)
                    throw new WorkflowConcurrencyException($"Another writer added a {row.GetType().Name} with the same key; the step was not committed.");
        }

        /// <summary>The step's statements with their values as the provider stores them: updates and deletes, then inserts by table in the order first added (on PostgreSQL a table's many inserts become one COPY).</summary>
        private StepWrite Step(List<RowChange> changes, List<object> added)
        {
            var step = new StepWrite();
            foreach (var change in changes) step.Rows.Add((_store.ChangeSql(change.Shape, change.Deleted, change.Mask), change.Shape.Values(change)));
            foreach (var group in added.GroupBy(e => e.GetType()))
            {
                var shape = Shape(group.Key);
                foreach (var row in group) step.Rows.Add((shape.InsertSql, shape.InsertValues(row)));
            }
            return step;
        }

        /// <summary>Every deleted row and every row whose columns differ from those read, with the changed columns (current values) and the WHERE values (original).</summary>
        private List<RowChange> TakeChanges()
        {
            var taken = new List<RowChange>();
            foreach (var row in _loaded.Values)
            {
                var shape = Shape(row.Entity.GetType());
                ulong mask = 0;
                object?[]? current = null;
                if (!row.Deleted)
                {
                    if (row.Original is { } original)
                    {
                        current = shape.Read(row.Entity);
                        for (var i = 0; i < current.Length; i++)
                            if (!Equals(current[i], original[i])) mask |= 1UL << i;
                    }
                    else mask = shape.Diff(row.Entity, row.Origin!);
                    if (mask == 0) continue;
                }
                taken.Add(new RowChange(shape, row, row.Deleted, mask, current));
            }
            return taken;
        }

        private TableShape Shape(Type type) => _store.Shape(db.Model, type);

        public async ValueTask DisposeAsync()
        {
            if (_taskProbe is not null) await _taskProbe.DisposeAsync().ConfigureAwait(false);
            if (_replica is not null) await _replica.DisposeAsync().ConfigureAwait(false);
            // Opened by OpenSessionAsync (SQLite) or TaskExistsAsync; closing returns it to the pool.
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            await db.DisposeAsync().ConfigureAwait(false);
        }
    }
}
