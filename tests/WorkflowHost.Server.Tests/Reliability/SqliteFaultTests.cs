using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Reliability;

/// <summary>
/// Database busy and disk full on SQLite (issue 6): a step whose commit fails leaves the instance at its
/// last committed state (nothing half-written) and stays due; the next sweep retries it and it commits once.
/// "Disk full" is SQLite's own SQLITE_FULL, raised by capping the file's page count on every connection.
/// </summary>
/// <remarks>SQLite only: the faults are SQLite's own (a locked file, SQLITE_FULL); the PostgreSQL pass skips it.</remarks>
[Trait("Database", "SqliteOnly")]
public sealed class SqliteFaultTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("wfh-fault-");
    private readonly PageCap _cap = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _root.Delete(recursive: true);
    }

    /// <summary>Runs <c>PRAGMA max_page_count</c> on every connection EF opens, while a cap is set.</summary>
    private sealed class PageCap : DbConnectionInterceptor
    {
        public long? MaxPages { get; set; }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA max_page_count = {MaxPages ?? 1_073_741_823}";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task<(WorkflowRuntime Runtime, VirtualTimeProvider Clock, PooledDbContextFactory<WorkflowHostDbContext> Contexts)> StartAsync(string connectionOptions = "")
    {
        var file = Path.Combine(_root.FullName, "workflowhost.db");
        var contexts = new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>()
            .UseSqlite($"Data Source={file}{connectionOptions}").AddInterceptors(_cap).Options);
        await contexts.InitializeDatabaseAsync(CancellationToken.None);
        var plan = """
            {"definitionId":"fault","version":1,"isPublished":true,"root":{"id":"root","type":"Elsa.Flowchart","version":1,"activities":[
              {"id":"start","type":"Elsa.Start","version":1},
              {"id":"each","type":"ThiDua.ForEachUnit","version":1,"body":{"id":"body","type":"Elsa.Flowchart","version":1,"activities":[
                {"id":"task","type":"ThiDua.UnitTask","version":1,"kind":{"typeName":"String","expression":{"type":"Literal","value":"Report"}},
                 "milestone":{"typeName":"String","expression":{"type":"Literal","value":"report-2024"}},
                 "title":{"typeName":"String","expression":{"type":"Literal","value":"Báo cáo kết quả thi đua năm 2024"}},
                 "dueDate":{"typeName":"DateOnly","expression":{"type":"Deadline","value":"chậm nhất ngày 15/3/2024"}}}],"connections":[]}}],
              "connections":[{"source":{"activity":"start","port":"Done"},"target":{"activity":"each","port":"In"}}]}}
            """;
        var directory = UnitDirectory.Parse(await File.ReadAllTextAsync(RepoPaths.Of("config/units/tuan-giao.json")));
        var clock = new VirtualTimeProvider(PlanTime.AtLocal(new DateOnly(2024, 3, 1), new TimeOnly(8, 0)));
        var runtime = new WorkflowRuntime(new EfWorkflowStore(contexts), new InMemoryDefinitionSource().AddDefinition(plan).AddDirectory(directory), clock);
        await runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "fault", Directory = directory.Directory, InstanceId = "f" }, CancellationToken.None);
        return (runtime, clock, contexts);
    }

    private static async Task<string> StateAsync(PooledDbContextFactory<WorkflowHostDbContext> contexts)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var instance = await db.Instances.AsNoTracking().SingleAsync();
        return string.Join("|",
            instance.JournalSequence, instance.UpdatedAt.UtcTicks,
            await db.Journal.CountAsync(), await db.OutboxMessages.CountAsync(),
            string.Join(",", await db.Bookmarks.AsNoTracking().OrderBy(b => b.Id).Select(b => b.Id + "@" + b.DueAt).ToListAsync()),
            string.Join(",", await db.Tasks.AsNoTracking().OrderBy(t => t.Id).Select(t => t.Id + ":" + t.NextRung).ToListAsync()),
            string.Join(",", await db.Scopes.AsNoTracking().OrderBy(s => s.Id).Select(s => s.Id + ":" + s.Revision).ToListAsync()));
    }

    [Fact]
    public async Task DiskFull_DuringAStep_NothingWrittenAndTheStepIsRetriedOnce()
    {
        var (runtime, clock, contexts) = await StartAsync();
        long pages;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)");
            pages = (await db.Database.SqlQueryRaw<long>("SELECT page_count AS \"Value\" FROM pragma_page_count()").ToListAsync())[0];
        }
        var before = await StateAsync(contexts);

        // 08/03 08:00: the 7-day reminders of 50 units fall due; the file may not grow.
        _cap.MaxPages = pages;
        SqliteConnection.ClearAllPools();
        clock.SetUtcNow(PlanTime.AtLocal(new DateOnly(2024, 3, 8), new TimeOnly(8, 0)));
        var failure = await Assert.ThrowsAsync<AggregateException>(() => runtime.ResumeDueTimersAsync(CancellationToken.None));
        Assert.Contains(failure.InnerExceptions, e => e.GetBaseException() is SqliteException { SqliteErrorCode: 13 }); // SQLITE_FULL

        _cap.MaxPages = null;
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, await StateAsync(contexts));

        // Space again: the next sweep runs the same step, once.
        Assert.Equal(50, await runtime.ResumeDueTimersAsync(CancellationToken.None));
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var reminders = await db.OutboxMessages.Where(m => m.Kind == MailKind.Reminder).Select(m => m.IdempotencyKey).ToListAsync();
            Assert.Equal(50, reminders.Count);
            Assert.Equal(50, reminders.Distinct().Count());
            Assert.Equal(50, await db.Journal.CountAsync(j => j.Event == "ReminderSent"));
        }
        Assert.Equal(0, await runtime.ResumeDueTimersAsync(CancellationToken.None));
    }

    [Fact]
    public async Task DatabaseBusy_AnotherWriterHoldsTheLock_StepFailsCleanThenCommitsOnRetry()
    {
        var (runtime, clock, contexts) = await StartAsync(";Default Timeout=1");
        var before = await StateAsync(contexts);
        var file = Path.Combine(_root.FullName, "workflowhost.db");
        clock.SetUtcNow(PlanTime.AtLocal(new DateOnly(2024, 3, 8), new TimeOnly(8, 0)));
        await using (var blocker = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await blocker.OpenAsync();
            await using var hold = blocker.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false); // BEGIN IMMEDIATE: holds the write lock
            var failure = await Assert.ThrowsAsync<AggregateException>(() => runtime.ResumeDueTimersAsync(CancellationToken.None));
            Assert.Contains(failure.InnerExceptions, e => e.GetBaseException() is SqliteException { SqliteErrorCode: 5 }); // SQLITE_BUSY
            await hold.RollbackAsync();
        }
        Assert.Equal(before, await StateAsync(contexts));
        Assert.Equal(50, await runtime.ResumeDueTimersAsync(CancellationToken.None));
        await using var db = await contexts.CreateDbContextAsync();
        Assert.Equal(50, await db.OutboxMessages.CountAsync(m => m.Kind == MailKind.Reminder));
    }
}
