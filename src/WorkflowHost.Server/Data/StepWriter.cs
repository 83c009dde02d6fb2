using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Server.Data;

/// <summary>
/// One SQL statement of a step's writes: an INSERT, or an UPDATE/DELETE by key (and original concurrency tokens) that
/// must change exactly one row. <see cref="Columns"/> are the columns of its parameters @p0, @p1, … in order: their
/// provider types decide how the values are bound (<see cref="SqliteRowStatement.Binds"/>; on PostgreSQL the
/// parameters' types, <see cref="PostgresStepWrite"/>).
/// </summary>
internal sealed record RowSql(string Table, string Text, IReadOnlyList<IProperty> Columns, bool ChecksOneRow);

/// <summary>
/// What one step writes, ready to execute (on SQLite as it is, on PostgreSQL by <see cref="PostgresStepWrite"/>): its rows' statements with their parameter values as the
/// provider stores them (taken when the step committed, so the engine may go on changing its entities), in the
/// order of execution (updates and deletes, then inserts by table in the order the step added them), then the
/// cancelled subtrees. A step with a <see cref="Barrier"/> writes nothing: the writer completes it when every step
/// before it is in the file.
/// </summary>
internal sealed class StepWrite
{
    public List<(RowSql Sql, object?[] Values)> Rows { get; } = [];

    public List<(string Instance, string Scope, DateTimeOffset Now)> Cancels { get; } = [];

    public TaskCompletionSource? Barrier { get; init; }

    /// <summary>
    /// Executes the step's statements in <paramref name="db"/>'s current transaction, then its cancels (EF set-based
    /// updates and deletes by scope-id prefix, exactly as a shared store runs them).
    /// </summary>
    /// <exception cref="WorkflowConcurrencyException">An update or delete changed no row (another writer changed or deleted it).</exception>
    /// <exception cref="Microsoft.Data.Sqlite.SqliteException">SQLite refused a statement (a constraint, a full disk, …).</exception>
    public async Task ExecuteAsync(WorkflowHostDbContext db, RowStatements statements, CancellationToken cancellationToken)
    {
        ExecuteRows(statements, cancellationToken);
        await ExecuteCancelsAsync(db, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The step's cancelled subtrees, in <paramref name="db"/>'s current transaction: EF set-based updates and deletes by scope-id prefix.</summary>
    public async Task ExecuteCancelsAsync(WorkflowHostDbContext db, CancellationToken cancellationToken)
    {
        foreach (var (instance, scope, now) in Cancels)
        {
            var prefix = scope + "/";
            await db.Scopes.Where(s => s.InstanceId == instance && s.Id.StartsWith(prefix))
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, WorkflowStatus.Cancelled), cancellationToken).ConfigureAwait(false);
            await db.Bookmarks.Where(b => b.InstanceId == instance && b.ScopeId.StartsWith(prefix)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await db.Tasks.Where(t => t.InstanceId == instance && t.ScopeId.StartsWith(prefix)
                    && t.Status != UnitTaskStatus.Done && t.Status != UnitTaskStatus.DoneLate && t.Status != UnitTaskStatus.Cancelled)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.Status, UnitTaskStatus.Cancelled).SetProperty(t => t.CompletedAt, now), cancellationToken).ConfigureAwait(false);
        }
    }

    // Microsoft.Data.Sqlite runs every command synchronously; an async form would only add a task per row.
    private void ExecuteRows(RowStatements statements, CancellationToken cancellationToken)
    {
        foreach (var (sql, values) in Rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (statements.Get(sql).Execute(values) != 1 && sql.ChecksOneRow)
                throw new WorkflowConcurrencyException($"Another writer changed or deleted a row of {sql.Table} (expected 1 row affected); the step was not committed.");
        }
    }

}

/// <summary>
/// The prepared statements of one context's open connection, one per SQL text, kept until disposed: SQLitePCLRaw's
/// positional binding (<see cref="SqliteRowStatement"/>) when every column's provider type is one it binds, else
/// Microsoft.Data.Sqlite's command. They run in whatever transaction the connection is in.
/// </summary>
internal sealed class RowStatements(WorkflowHostDbContext db) : IDisposable
{
    private readonly Dictionary<string, RowStatement> _prepared = new(StringComparer.Ordinal);

    public RowStatement Get(RowSql sql)
    {
        if (_prepared.TryGetValue(sql.Text, out var known))
        {
            known.UseTransaction(db.Database.CurrentTransaction?.GetDbTransaction());
            return known;
        }
        var connection = db.Database.GetDbConnection();
        RowStatement statement;
        if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite
            && sql.Columns.All(c => SqliteRowStatement.Binds(c.GetTypeMapping().Converter?.ProviderClrType ?? c.ClrType)))
            statement = new RowStatement(SqliteRowStatement.Prepare(sqlite, sql.Text), null);
        else
        {
            var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = sql.Text;
            for (var i = 0; i < sql.Columns.Count; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                command.Parameters.Add(parameter);
            }
            command.Prepare();
            statement = new RowStatement(null, command);
        }
        return _prepared[sql.Text] = statement;
    }

    public void Dispose()
    {
        foreach (var statement in _prepared.Values) statement.Dispose();
        _prepared.Clear();
    }

    /// <summary>One of the two forms of a prepared row statement; <see cref="Execute"/> returns the rows changed.</summary>
    internal sealed record RowStatement(SqliteRowStatement? Raw, DbCommand? Command) : IDisposable
    {
        public void UseTransaction(DbTransaction? transaction)
        {
            if (Command is not null) Command.Transaction = transaction;
        }

        public int Execute(object?[] values)
        {
            if (Raw is not null) return Raw.Execute(values);
            for (var i = 0; i < values.Length; i++) Command!.Parameters[i].Value = values[i] ?? DBNull.Value;
            return Command!.ExecuteNonQuery();
        }

        public void Dispose()
        {
            Raw?.Dispose();
            Command?.Dispose();
        }
    }
}

/// <summary>
/// Writes an exclusive store's steps to its database behind the engine (issue 13): the engine hands each committed
/// step over and goes on with the next while this writer, on the other core, executes it in one transaction of its own
/// connection: on SQLite with statements prepared once for the whole run, on PostgreSQL in batches and COPY
/// (<see cref="PostgresStepWrite"/>). Steps are written one at a time, in the order handed
/// over; at most <see cref="Depth"/> wait, so the engine is never more than that many steps ahead of the database.
/// </summary>
/// <remarks>
/// A failed write (a full disk, a constraint, a row changed in the database behind the store's back) stops the writer: the
/// failed step's transaction is rolled back, later steps are not written, and the failure is thrown by the next
/// <see cref="EnqueueAsync"/> and by every <see cref="FlushAsync"/>. The database then holds every step before the failed
/// one, each whole.
/// </remarks>
internal sealed class StepWriter : IAsyncDisposable
{
    /// <summary>Steps handed over and not yet written, at most.</summary>
    public const int Depth = 2;

    private readonly Channel<StepWrite> _queue = Channel.CreateBounded<StepWrite>(new BoundedChannelOptions(Depth)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TimeSpan _cpu;
    private volatile Exception? _failure;
    private long _steps, _writingTicks, _waitingTicks;

    /// <summary>Steps written so far, the time the writer spent writing them, and the time the engine waited for room in the queue.</summary>
    public WriteBehindStatistics Statistics => new(Interlocked.Read(ref _steps),
        System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _writingTicks)), System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitingTicks)))
    {
        WriterCpu = _stopped.Task.IsCompleted ? _cpu : null,
    };

    public StepWriter(IDbContextFactory<WorkflowHostDbContext> contexts)
    {
        // A thread of its own, not the pool's: it blocks on SQLite for the whole run, and its CPU time is measured.
        var thread = new Thread(() => Run(contexts)) { IsBackground = true, Name = "workflowhost-file-writer" };
        thread.Start();
    }

    /// <summary>Throws the writer's failure, if it failed.</summary>
    /// <exception cref="InvalidOperationException">The database could not be written; the inner exception says why.</exception>
    public void ThrowIfFailed()
    {
        if (_failure is { } failure) throw Failed(failure);
    }

    /// <summary>Hands a committed step over (waits while <see cref="Depth"/> steps wait already).</summary>
    /// <exception cref="InvalidOperationException">The writer failed earlier; the inner exception says why.</exception>
    public async ValueTask EnqueueAsync(StepWrite step)
    {
        ThrowIfFailed();
        if (_queue.Writer.TryWrite(step)) return;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Not cancellable: the step is already committed in the replica, so the database must receive it.
        await _queue.Writer.WriteAsync(step, CancellationToken.None).ConfigureAwait(false);
        Interlocked.Add(ref _waitingTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
    }

    /// <summary>Waits until every step handed over is in the database.</summary>
    /// <exception cref="InvalidOperationException">A step could not be written; the inner exception says why.</exception>
    public async Task FlushAsync()
    {
        var barrier = new StepWrite { Barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        if (!_queue.Writer.TryWrite(barrier))
            try
            {
                await _queue.Writer.WriteAsync(barrier, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                ThrowIfFailed();
                return;
            }
        await barrier.Barrier!.Task.ConfigureAwait(false);
    }

    private static InvalidOperationException Failed(Exception failure) =>
        new($"Không ghi được CSDL ({failure.Message}); CSDL vẫn giữ nguyên mọi bước trước bước lỗi, lần chạy này dừng lại (the database could not be written; it holds every step before the failed one, and this run cannot go on).", failure);

    private void Run(IDbContextFactory<WorkflowHostDbContext> contexts)
    {
        WorkflowHostDbContext? db = null;
        RowStatements? statements = null;
        try
        {
            while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                while (_queue.Reader.TryRead(out var step))
                {
                    if (step.Barrier is { } barrier)
                    {
                        if (_failure is { } failure) barrier.TrySetException(Failed(failure));
                        else barrier.TrySetResult();
                        continue;
                    }
                    if (_failure is not null) continue;
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    try
                    {
                        if (db is null)
                        {
                            db = contexts.CreateDbContext();
                            db.Database.OpenConnection();
                        }
                        if (statements is null && db.Database.IsSqlite())
                        {
                            // As a session's connection: a large plan's file outgrows SQLite's default 2 MB page cache.
                            // The WAL is copied into the file every 25,000 pages (100 MB) instead of SQLite's 1,000: the same
                            // bytes in fewer, longer checkpoints. P1 at 3,000 units: 14.1 s with 1,000, 12.0-12.4 s with 10,000,
                            // 11.7-11.8 s with 25,000 (docs/benchmarks.md, issue 13 fifth session).
                            db.Database.ExecuteSqlRaw("PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 25000");
                            statements = new RowStatements(db);
                        }
                        using var transaction = db.Database.BeginTransaction();
                        // The writer's own thread, with no synchronisation context: its rows run synchronously anyway
                        // (Microsoft.Data.Sqlite), and the rare cancels, and PostgreSQL's round trips, wait here.
                        (statements is not null ? step.ExecuteAsync(db, statements, CancellationToken.None) : PostgresStepWrite.ExecuteAsync(db, step, CancellationToken.None))
                            .GetAwaiter().GetResult();
                        transaction.Commit();
                        Interlocked.Increment(ref _steps);
                    }
                    catch (Exception e)
                    {
                        _failure = e;
                    }
                    Interlocked.Add(ref _writingTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
                }
        }
        finally
        {
            statements?.Dispose();
            if (db is not null)
            {
                db.Database.CloseConnection();
                db.Dispose();
            }
            _cpu = ThreadCpu.Current();
            _stopped.TrySetResult();
        }
    }

    /// <summary>Writes what was handed over, then stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
    }
}

/// <summary>How an exclusive store's file writer has fared (<see cref="EfWorkflowStore.WriteBehind"/>).</summary>
/// <param name="Steps">Steps written to the database.</param>
/// <param name="Writing">Time the writer spent writing them (its transactions, start to commit).</param>
/// <param name="EngineWaited">Time the engine waited because <see cref="StepWriter.Depth"/> steps were waiting already.</param>
public sealed record WriteBehindStatistics(long Steps, TimeSpan Writing, TimeSpan EngineWaited)
{
    /// <summary>CPU time (user + system) of the writer's thread, once it has stopped (on Linux; null before or elsewhere).</summary>
    public TimeSpan? WriterCpu { get; init; }
}

/// <summary>The calling thread's own CPU time, from <c>/proc/thread-self/stat</c> (Linux); zero where that is not readable.</summary>
internal static class ThreadCpu
{
    public static TimeSpan Current()
    {
        try
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            // Fields after the command name "(…)": state is field 3, utime 14 and stime 15, in clock ticks (USER_HZ, 100 on Linux).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return TimeSpan.Zero;
        }
    }
}
