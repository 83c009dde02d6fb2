using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Server.Tests.Infrastructure;
using WorkflowHost.Server.Tests.Restart;

namespace WorkflowHost.Server.Tests.Data;

/// <summary>
/// The live server's grouped timer sweep on the database (issue 13, P2): a group of instances is read in a few
/// queries (<see cref="IWorkflowSession.PreloadDueTimersAsync"/>) instead of a few per instance, and writes
/// exactly what one step per transaction writes. On SQLite and, in the second pass, on PostgreSQL.
/// </summary>
public sealed class GroupedSweepTests : IDisposable
{
    private static readonly DateTimeOffset Start = PlanTime.AtLocal(new DateOnly(2024, 3, 1), new TimeOnly(8, 0));
    private static readonly DateTimeOffset End = PlanTime.AtLocal(new DateOnly(2024, 4, 30), new TimeOnly(8, 0));

    /// <summary>
    /// Every unit of the Tuần Giáo directory (50) reports by 15/3/2024 with the default ladder: every instance has a
    /// task, a scope and a ladder of timers per unit.
    /// </summary>
    private static readonly string Plan = PlanJson();

    private static string PlanJson()
    {
        var task = TestPlans.UnitTask("task", "2024-03-15");
        task.Remove("reminderDays");
        task.Remove("escalation");
        return TestPlans.ForEveryUnit("sweep", "each", TestPlans.Sequence("body", task)).ToJsonString();
    }

    private readonly List<TestDatabase> _databases = [];

    public void Dispose()
    {
        foreach (var database in _databases) database.Dispose();
    }

    /// <summary>Counts the queries EF runs (readers of a SELECT: on PostgreSQL EF's write batches are readers too), while <see cref="Counting"/> is set.</summary>
    private sealed class QueryCounter : DbCommandInterceptor
    {
        public bool Counting { get; set; }

        public int Queries { get; private set; }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (Counting && command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)) Queries++;
            return ValueTask.FromResult(result);
        }
    }

    private async Task<(WorkflowRuntime Runtime, VirtualTimeProvider Clock, PooledDbContextFactory<WorkflowHostDbContext> Contexts)> StartAsync(int instances, int maxInstancesPerTransaction, QueryCounter? counter = null)
    {
        var database = new TestDatabase();
        _databases.Add(database);
        var options = new DbContextOptionsBuilder<WorkflowHostDbContext>();
        database.Configure(options);
        if (counter is not null) options.AddInterceptors(counter);
        var contexts = new PooledDbContextFactory<WorkflowHostDbContext>(options.Options);
        await contexts.InitializeDatabaseAsync(CancellationToken.None);
        var directory = UnitDirectory.Parse(await File.ReadAllTextAsync(RepoPaths.Of("config/units/tuan-giao.json")));
        var clock = new VirtualTimeProvider(Start);
        var runtime = new WorkflowRuntime(new EfWorkflowStore(contexts), new InMemoryDefinitionSource().AddDefinition(Plan).AddDirectory(directory), clock,
            new RuntimeOptions { MaxInstancesPerTransaction = maxInstancesPerTransaction });
        for (var i = 1; i <= instances; i++)
            await runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "sweep", Directory = directory.Directory, InstanceId = $"s{i}" }, CancellationToken.None);
        return (runtime, clock, contexts);
    }

    /// <summary>Every row the steps wrote, without the database's own row numbers.</summary>
    private static async Task<List<string>> RowsAsync(PooledDbContextFactory<WorkflowHostDbContext> contexts)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var journal = await db.Journal.AsNoTracking().OrderBy(j => j.InstanceId).ThenBy(j => j.Sequence).ToListAsync();
        var outbox = await db.OutboxMessages.AsNoTracking().OrderBy(o => o.IdempotencyKey).ToListAsync();
        var bookmarks = await db.Bookmarks.AsNoTracking().OrderBy(b => b.Id).ToListAsync();
        var tasks = await db.Tasks.AsNoTracking().OrderBy(t => t.Id).ToListAsync();
        var scopes = await db.Scopes.AsNoTracking().OrderBy(s => s.InstanceId).ThenBy(s => s.Id).ToListAsync();
        return
        [
            .. journal.Select(j => $"J {j.InstanceId} {j.Sequence} {j.At:O} {j.Event} {j.ActivityId} {j.UnitCode} {j.TaskId} {j.Detail}"),
            .. outbox.Select(o => $"O {o.IdempotencyKey} {o.Kind} {o.To} {o.CreatedAt:O} {o.Subject} {o.TextBody}"),
            .. bookmarks.Select(b => $"B {b.Id} {b.InstanceId} {b.ScopeId} {b.ActivityId} {b.Kind} {b.DueAt:O} {b.Data}"),
            .. tasks.Select(t => $"T {t.Id} {t.Status} {t.NextRung} {t.DueAt:O} {t.CompletedAt:O}"),
            .. scopes.Select(s => $"S {s.InstanceId} {s.Id} {s.Status} {s.Revision} {s.StateJson}"),
        ];
    }

    private static async Task RunToEndAsync(WorkflowRuntime runtime, VirtualTimeProvider clock)
    {
        while (await runtime.FindNextTimerDueAsync(CancellationToken.None) is { } next && next <= End)
        {
            clock.SetUtcNow(next);
            Assert.True(await runtime.ResumeDueTimersAsync(CancellationToken.None) > 0);
        }
    }

    [Fact]
    public async Task ResumeDueTimers_Grouped_WritesWhatOneStepPerTransactionWrites()
    {
        var alone = await StartAsync(instances: 3, maxInstancesPerTransaction: 1);
        var grouped = await StartAsync(instances: 3, maxInstancesPerTransaction: 64);

        await RunToEndAsync(alone.Runtime, alone.Clock);
        await RunToEndAsync(grouped.Runtime, grouped.Clock);

        var rows = await RowsAsync(grouped.Contexts);
        Assert.Contains(rows, r => r.StartsWith("O ", StringComparison.Ordinal));
        Assert.Equal(await RowsAsync(alone.Contexts), rows);
    }

    [Fact]
    public async Task ResumeDueTimers_Grouped_ReadsAGroupInAFewQueriesWhateverItsSize()
    {
        async Task<(int Queries, int Resumed)> SweepAsync(int instances)
        {
            var counter = new QueryCounter();
            var (runtime, clock, _) = await StartAsync(instances, maxInstancesPerTransaction: 64, counter);
            clock.SetUtcNow((await runtime.FindNextTimerDueAsync(CancellationToken.None))!.Value);
            counter.Counting = true;
            var resumed = await runtime.ResumeDueTimersAsync(CancellationToken.None);
            return (counter.Queries, resumed);
        }

        var small = await SweepAsync(2);
        var large = await SweepAsync(8);

        // Every unit's first reminder of every instance, in one group: 50 per instance.
        Assert.Equal((100, 400), (small.Resumed, large.Resumed));
        // Two global look-ups (the due timers, then none left) and the group's preload: four times the
        // instances, not one more query. Before the preload each instance cost five queries of its own.
        Assert.Equal(small.Queries, large.Queries);
        Assert.InRange(large.Queries, 1, 12);
    }
}
