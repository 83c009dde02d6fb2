using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Cli.Bench;

/// <summary>
/// P2: durable workflow steps per second against the machine's own limit, the rate of single-row
/// SQLite transactions on the same file settings (WAL, synchronous=FULL, same folder), both measured
/// here. A step is a unit's submission through <see cref="WorkflowRuntime.SubmitAsync"/>, as the API
/// makes it: look the task up, resume its bookmark, write the submission, the task, the scope state,
/// the instance and the journal entry in one transaction. The raw rate is measured before and after
/// the steps and averaged, so that a change in the machine's load during the run shows.
/// </summary>
public static class StepRateBench
{
    /// <summary>Runs P2 with <paramref name="count"/> steps and as many raw transactions each time.</summary>
    public static async Task<BenchFigures> RunAsync(int count, string folder, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(folder);
        var rawBefore = RawTransactionsPerSecond(Path.Combine(folder, "raw.db"), count);
        var steps = await StepsPerSecondAsync(Path.Combine(folder, "steps.db"), count, cancellationToken);
        var grouped = await GroupedStepsPerSecondAsync(Path.Combine(folder, "grouped.db"), count, cancellationToken);
        var rawAfter = RawTransactionsPerSecond(Path.Combine(folder, "raw.db"), count);
        var raw = (rawBefore + rawAfter) / 2;
        return new BenchFigures("P2")
        {
            ["steps"] = count,
            ["raw_tx_per_s_before"] = rawBefore,
            ["raw_tx_per_s_after"] = rawAfter,
            ["raw_tx_per_s"] = raw,
            ["single_steps_per_s"] = steps,
            ["single_ratio"] = steps / raw,
            ["grouped_steps_per_s"] = grouped,
            ["grouped_ratio"] = grouped / raw,
        };
    }

    /// <summary>Single-row INSERT transactions on a fresh file with the server's settings, one after another.</summary>
    public static double RawTransactionsPerSecond(string file, int count)
    {
        BenchDatabase.Delete(file);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE Rows (Id INTEGER PRIMARY KEY, InstanceId TEXT NOT NULL, Event TEXT NOT NULL, Detail TEXT)";
            setup.ExecuteNonQuery();
        }
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO Rows (InstanceId, Event, Detail) VALUES ($i, 'Submitted', $d)";
        var instance = insert.Parameters.Add("$i", SqliteType.Text);
        var detail = insert.Parameters.Add("$d", SqliteType.Text);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            using var transaction = connection.BeginTransaction();
            insert.Transaction = transaction;
            instance.Value = "s" + i.ToString("D5", CultureInfo.InvariantCulture);
            detail.Value = "đúng hạn, hồ sơ gửi qua cổng (benchmark row of about the size of a journal entry)";
            insert.ExecuteNonQuery();
            transaction.Commit();
        }
        return count / stopwatch.Elapsed.TotalSeconds;
    }

    private static async Task<double> StepsPerSecondAsync(string file, int count, CancellationToken cancellationToken)
    {
        var contexts = await BenchDatabase.CreateAsync(file, cancellationToken);
        var directory = BenchPlan.Directory("bench-step", 10);
        var unit = BenchPlan.UnitCode(1);
        var source = new InMemoryDefinitionSource()
            .AddDefinition(BenchPlan.TaskDefinition("bench-step", new DateOnly(2099, 12, 31), unit))
            .AddDirectory(directory);
        var runtime = new WorkflowRuntime(new EfWorkflowStore(contexts), source, TimeProvider.System);
        var ids = Enumerable.Range(1, count).Select(i => "s" + i.ToString("D5", CultureInfo.InvariantCulture)).ToList();
        foreach (var id in ids)
            await runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "bench-step", Directory = directory.Directory, InstanceId = id }, cancellationToken);
        var content = new JsonObject { ["note"] = "Báo cáo (benchmark)" };
        var stopwatch = Stopwatch.StartNew();
        foreach (var id in ids)
            await runtime.SubmitAsync($"{id}.task.{unit}", content, "unit:" + unit, cancellationToken);
        var rate = count / stopwatch.Elapsed.TotalSeconds;
        SqliteConnection.ClearAllPools();
        return rate;
    }

    /// <summary>
    /// The due-timer sweep of the live server over <paramref name="count"/> instances whose first
    /// reminder falls due at the same instant: one step per instance (the reminder email, the journal
    /// entry, the next timer), committed <see cref="RuntimeOptions.MaxInstancesPerTransaction"/> at a time.
    /// </summary>
    private static async Task<double> GroupedStepsPerSecondAsync(string file, int count, CancellationToken cancellationToken)
    {
        var contexts = await BenchDatabase.CreateAsync(file, cancellationToken);
        var directory = BenchPlan.Directory("bench-step", 10);
        var unit = BenchPlan.UnitCode(1);
        var due = new DateOnly(2030, 1, 31);
        var source = new InMemoryDefinitionSource().AddDefinition(BenchPlan.TaskDefinition("bench-sweep", due, unit)).AddDirectory(directory);
        var clock = new Engine.Timeline.VirtualTimeProvider(Engine.Timeline.PlanTime.AtLocal(due.AddDays(-30), new TimeOnly(8, 0)));
        var runtime = new WorkflowRuntime(new EfWorkflowStore(contexts), source, clock, new RuntimeOptions { MaxInstancesPerTransaction = 64 });
        for (var i = 1; i <= count; i++)
            await runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "bench-sweep", Directory = directory.Directory, InstanceId = "g" + i.ToString("D5", CultureInfo.InvariantCulture) }, cancellationToken);
        clock.SetUtcNow((await runtime.FindNextTimerDueAsync(cancellationToken))!.Value);
        var stopwatch = Stopwatch.StartNew();
        var resumed = await runtime.ResumeDueTimersAsync(cancellationToken);
        var rate = resumed / stopwatch.Elapsed.TotalSeconds;
        if (resumed != count) throw new InvalidOperationException($"The sweep resumed {resumed} timers, expected {count}.");
        SqliteConnection.ClearAllPools();
        return rate;
    }

}
