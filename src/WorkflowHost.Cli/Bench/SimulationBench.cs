using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Cli.Bench;

/// <summary>
/// P1: the Tuần Giáo workflow over a generated directory, start to end, on the live server's code
/// path (<see cref="WorkflowRuntime"/> over <see cref="EfWorkflowStore"/> on a SQLite file in WAL mode
/// with synchronous=FULL, one transaction per step), exactly as <c>workflowhost simulate</c> does.
/// </summary>
public static class SimulationBench
{
    /// <summary>Runs one simulation of <paramref name="units"/> units in this process and returns its figures.</summary>
    public static async Task<BenchFigures> RunAsync(int units, string folder, CancellationToken cancellationToken)
    {
        var json = await File.ReadAllTextAsync(BenchPaths.Repo(BenchPlan.WorkflowPath), cancellationToken);
        var definition = JsonNode.Parse(json)!;
        var directory = BenchPlan.Directory("bench", units);
        var scenario = BenchPlan.Scenario(BenchPlan.Milestones(definition), units);
        System.IO.Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "simulation.db");
        var contexts = await BenchDatabase.CreateAsync(file, cancellationToken);

        var stopwatch = Stopwatch.StartNew();
        var clock = new VirtualTimeProvider(PlanTime.AtLocal(new DateOnly(2021, 8, 1), new TimeOnly(8, 0)));
        var source = new InMemoryDefinitionSource().AddDefinition(json).AddDirectory(directory);
        var store = new EfWorkflowStore(contexts);
        var runtime = new WorkflowRuntime(store, source, clock);
        var result = await new PlanSimulator(runtime, clock, store).RunAsync(
            new StartWorkflowRequest { DefinitionId = (string)definition["definitionId"]!, Directory = directory.Directory, InstanceId = "sim" },
            scenario, DateTimeOffset.MaxValue,
            // As `workflowhost simulate` does: the journal is streamed, not kept (here only counted).
            new SimulationOutput { KeepJournal = false, ReadTasks = false }, cancellationToken);
        var elapsed = stopwatch.Elapsed;

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var emails = await db.OutboxMessages.CountAsync(cancellationToken);
        var journal = await db.Journal.CountAsync(cancellationToken);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var figures = new BenchFigures("P1")
        {
            ["units"] = units,
            ["seconds"] = elapsed.TotalSeconds,
            ["steps"] = result.Steps,
            ["steps_per_s"] = result.Steps / elapsed.TotalSeconds,
            ["events"] = result.Events,
            ["events_per_s"] = result.Events / elapsed.TotalSeconds,
            ["journal_rows"] = journal,
            ["tasks"] = result.TaskCount,
            ["emails"] = emails,
            ["peak_mb"] = process.PeakWorkingSet64 / 1048576.0,
            ["db_mb"] = new FileInfo(file).Length / 1048576.0,
        };
        SqliteConnection.ClearAllPools();
        return figures;
    }
}
