using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Cli.Bench;

/// <summary>
/// P1: the Tuần Giáo workflow over a generated directory, start to end, on the live server's engine
/// (<see cref="WorkflowRuntime"/> over <see cref="EfWorkflowStore"/> on a SQLite file in WAL mode
/// with synchronous=FULL, one transaction per step), exactly as <c>workflowhost simulate</c> does: the
/// file is the run's own, so the store is exclusive (<see cref="EfWorkflowStore.ExclusiveAsync"/>: the
/// same writes, reads from an in-memory replica). On PostgreSQL (P1PG) the database is the run's own too, and
/// the store exclusive as well: the replica answers the reads, and each step is written to PostgreSQL behind the
/// engine (prepared batches and COPY), as the SQLite file is.
/// With <c>inMemory</c> (P1MEM, <c>--in-memory</c>) the same run goes over <see cref="InMemoryWorkflowStore"/>
/// instead of the SQLite file, to show how much of P1 is the engine and how much the store (issue 13).
/// </summary>
public static class SimulationBench
{
    /// <summary>
    /// Runs one simulation of <paramref name="units"/> units in this process and returns its figures: P1 on a
    /// SQLite file in <paramref name="folder"/>, or P1MEM in memory when <paramref name="inMemory"/> (nothing written to disk).
    /// </summary>
    public static async Task<BenchFigures> RunAsync(int units, string folder, bool inMemory, CancellationToken cancellationToken)
    {
        var json = await File.ReadAllTextAsync(BenchPaths.Repo(BenchPlan.WorkflowPath), cancellationToken);
        var definition = JsonNode.Parse(json)!;
        var directory = BenchPlan.Directory("bench", units, withHomeAffairs: true);
        var scenario = BenchPlan.Scenario(BenchPlan.Milestones(definition), units);
        var file = Path.Combine(folder, "simulation.db");
        IDbContextFactory<WorkflowHostDbContext>? contexts = null;
        // P1 on the scale-out store instead of the file: a PostgreSQL connection string in WORKFLOWHOST_BENCH_POSTGRES
        // (its database is dropped and created anew); printed as P1PG.
        var postgres = inMemory ? null : Environment.GetEnvironmentVariable("WORKFLOWHOST_BENCH_POSTGRES") is { Length: > 0 } pg ? pg : null;
        if (postgres is not null)
        {
            contexts = new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>().UseNpgsql(postgres).Options);
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken)) await db.Database.EnsureDeletedAsync(cancellationToken);
            await contexts.InitializeDatabaseAsync(cancellationToken);
        }
        else if (!inMemory)
        {
            System.IO.Directory.CreateDirectory(folder);
            contexts = await BenchDatabase.CreateAsync(file, cancellationToken);
        }

        var stopwatch = Stopwatch.StartNew();
        var clock = new VirtualTimeProvider(PlanTime.AtLocal(new DateOnly(2021, 8, 1), new TimeOnly(8, 0)));
        var source = new InMemoryDefinitionSource().AddDefinition(json).AddDirectory(directory);
        // The SQLite file (or the PostgreSQL database) is this run's alone, as `workflowhost simulate`'s is: an exclusive store (reads from its replica).
        IWorkflowStore store = contexts is null ? new InMemoryWorkflowStore() : await EfWorkflowStore.ExclusiveAsync(contexts, cancellationToken);
        var runtime = new WorkflowRuntime(store, source, clock);
        var faults = 0;
        var result = await new PlanSimulator(runtime, clock, store).RunAsync(
            new StartWorkflowRequest { DefinitionId = (string)definition["definitionId"]!, Directory = directory.Directory, InstanceId = "sim" },
            scenario, DateTimeOffset.MaxValue,
            // As `workflowhost simulate` does: the journal is streamed, not kept (here only counted).
            new SimulationOutput { KeepJournal = false, ReadTasks = false, OnStep = entries => faults += entries.Count(e => e.Event == "Faulted") }, cancellationToken);
        // The run ends when the database holds every step (the exclusive store writes behind the engine).
        if (store is EfWorkflowStore written) await written.DisposeAsync();
        var elapsed = stopwatch.Elapsed;

        int emails, journal;
        if (store is InMemoryWorkflowStore memory)
            (emails, journal) = (memory.OutboxCount, memory.JournalCount);
        else
        {
            await using var db = await contexts!.CreateDbContextAsync(cancellationToken);
            emails = await db.OutboxMessages.CountAsync(cancellationToken);
            journal = await db.Journal.CountAsync(cancellationToken);
        }
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var figures = new BenchFigures(inMemory ? "P1MEM" : postgres is not null ? "P1PG" : "P1")
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
            // Activities that faulted: 0 (before 7/12 the directory lacked PNV and 7 of the plan's own tasks faulted).
            // The instance itself stays Running at the end by design: the 4 % of units that never submit keep their tasks open.
            ["faults"] = faults,
            ["peak_mb"] = process.PeakWorkingSet64 / 1048576.0,
            // Where a step's CPU goes besides the engine's own code (issue 13): what the run allocated, and the
            // collector's pauses and collections by generation.
            ["alloc_gb"] = GC.GetTotalAllocatedBytes() / 1073741824.0,
            ["gc_pause_s"] = GC.GetTotalPauseDuration().TotalSeconds,
            ["gc0"] = GC.CollectionCount(0),
            ["gc1"] = GC.CollectionCount(1),
            ["gc2"] = GC.CollectionCount(2),
            ["cpu_s"] = process.TotalProcessorTime.TotalSeconds,
        };
        // What the run still holds once it is over (the replica's rows, or the in-memory store's): the live heap after a full collection.
        GC.Collect();
        figures["live_mb_end"] = GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0;
        GC.KeepAlive(store);
        if (store is InMemoryWorkflowStore kept)
        {
            // What the in-memory store keeps of the emails' text (UTF-16), the bulk of its peak (docs/benchmarks.md, P1MEM).
            figures["outbox_text_mb"] = kept.Outbox.Sum(o => (long)o.HtmlBody.Length + o.TextBody.Length + o.Subject.Length) * 2 / 1048576.0;
            return figures;
        }
        if (store is EfWorkflowStore { WriteBehind: { } behind })
        {
            // The database's writer beside the engine (issue 13): busy this long of the run, and the engine waited this long for it.
            figures["writer_busy_s"] = behind.Writing.TotalSeconds;
            figures["engine_waited_s"] = behind.EngineWaited.TotalSeconds;
            if (behind.WriterCpu is { } cpu) figures["writer_cpu_s"] = cpu.TotalSeconds;
        }
        if (postgres is not null) return figures;
        figures["db_mb"] = new FileInfo(file).Length / 1048576.0;
        SqliteConnection.ClearAllPools();
        return figures;
    }
}
