using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Cli;

/// <summary>
/// <c>workflowhost simulate WORKFLOW --units DIRECTORY [--scenario SCENARIO] [--out FOLDER] [--start yyyy-MM-dd] [--in-memory]</c>:
/// runs a plan from its start to its end on a virtual clock, with durable writes to a SQLite file
/// (the live server's code path) unless <c>--in-memory</c>, then prints a timeline and a summary and
/// writes <c>events.jsonl</c>, <c>tasks.csv</c>, <c>timeline.txt</c> and <c>summary.txt</c>.
/// Same inputs give byte-identical files.
/// </summary>
public static class SimulateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var workflow = new Argument<FileInfo>("workflow") { Description = "Workflow definition JSON (Elsa 3 shape)." };
        var units = new Option<FileInfo>("--units") { Description = "Unit directory JSON (config/units/*.json).", Required = true };
        var scenario = new Option<FileInfo?>("--scenario") { Description = "Scenario JSON (config/scenarios/*.json); default: every unit submits 2 days before the due date." };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Output folder (default artifacts/simulation/<definitionId>)." };
        var start = new Option<string?>("--start") { Description = "Virtual start, local date yyyy-MM-dd (08:00 Asia/Ho_Chi_Minh); default: the definition's createdAt date, else 2021-01-01." };
        var inMemory = new Option<bool>("--in-memory") { Description = "Use the in-memory store instead of a SQLite file." };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the summary." };
        var postgres = new Option<string?>("--postgres") { Description = "Use this (empty) PostgreSQL database instead of a SQLite file (Npgsql connection string)." };
        var calendar = new Option<string>("--calendar")
        {
            Description = "Working-day calendar JSON (reminders and escalations move off weekends and holidays); \"none\" = every day is a working day.",
            DefaultValueFactory = _ => DefaultCalendarPath,
        };
        var command = new Command("simulate", "Simulates a plan on a virtual clock and prints its timeline and summary.") { workflow, units, scenario, output, start, inMemory, quiet, postgres, calendar };
        command.SetAction((result, cancellationToken) => RunAsync(new Options(result.GetValue(workflow)!, result.GetValue(units)!, result.GetValue(scenario),
            result.GetValue(output), result.GetValue(start), result.GetValue(inMemory), result.GetValue(quiet), result.GetValue(postgres),
            result.GetValue(calendar) is { } c && !c.Equals("none", StringComparison.OrdinalIgnoreCase) ? new FileInfo(c) : null), Console.Out, cancellationToken));
        return command;
    }

    /// <summary>The calendar file used when <c>--calendar</c> is not given (relative to the working directory).</summary>
    public const string DefaultCalendarPath = "config/calendar/vn-working-days.json";

    /// <summary>Command options. <paramref name="Calendar"/> null = every day is a working day.</summary>
    public sealed record Options(FileInfo Workflow, FileInfo Units, FileInfo? Scenario, DirectoryInfo? Output, string? Start, bool InMemory, bool Quiet, string? Postgres = null, FileInfo? Calendar = null);

    /// <summary>Runs a simulation; returns the exit code (0 ok, 2 bad input).</summary>
    public static async Task<int> RunAsync(Options options, TextWriter stdout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        var stopwatch = Stopwatch.StartNew();
        var json = await File.ReadAllTextAsync(options.Workflow.FullName, cancellationToken);
        var read = Engine.Definitions.WorkflowDefinitionReader.Default.Read(json);
        if (!read.IsValid)
        {
            await Console.Error.WriteLineAsync($"{options.Workflow.Name}: invalid workflow definition:\n  " + string.Join("\n  ", read.Problems));
            return 2;
        }
        var definition = read.Blueprint!.Definition;
        UnitDirectory directory;
        Scenario scenario;
        try
        {
            directory = UnitDirectory.Parse(await File.ReadAllTextAsync(options.Units.FullName, cancellationToken));
            scenario = options.Scenario is null ? new Scenario() : Scenario.Parse(await File.ReadAllTextAsync(options.Scenario.FullName, cancellationToken));
        }
        catch (System.Text.Json.JsonException e)
        {
            await Console.Error.WriteLineAsync($"Invalid JSON: {e.Message}");
            return 2;
        }
        WorkingDayCalendar? calendar = null;
        if (options.Calendar is { } calendarFile)
        {
            try
            {
                calendar = WorkingDayCalendar.Parse(await File.ReadAllTextAsync(calendarFile.FullName, cancellationToken));
            }
            catch (Exception e) when (e is FormatException or IOException)
            {
                await Console.Error.WriteLineAsync($"{calendarFile.Name}: {e.Message}");
                return 2;
            }
        }
        var startDate = options.Start is { } s ? DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture)
            : definition.Json["createdAt"] is { } created && DateTimeOffset.TryParse((string?)created, CultureInfo.InvariantCulture, DateTimeStyles.None, out var c) ? DateOnly.FromDateTime(c.Date)
            : new DateOnly(2021, 1, 1);
        var clock = new VirtualTimeProvider(PlanTime.AtLocal(startDate, new TimeOnly(8, 0)));
        var outDir = options.Output ?? new DirectoryInfo(Path.Combine("artifacts", "simulation", definition.DefinitionId));
        outDir.Create();
        var source = new InMemoryDefinitionSource().AddDefinition(definition.Json.ToJsonString()).AddDirectory(directory);

        IWorkflowStore store;
        IDbContextFactory<WorkflowHostDbContext>? contexts = null;
        if (options.InMemory)
        {
            store = new InMemoryWorkflowStore();
        }
        else if (options.Postgres is { } postgresConnection)
        {
            contexts = new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>().UseNpgsql(postgresConnection).Options);
            await contexts.InitializeDatabaseAsync(cancellationToken);
            store = new EfWorkflowStore(contexts);
        }
        else
        {
            var file = Path.Combine(outDir.FullName, "simulation.db");
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
            contexts = new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>()
                .UseSqlite(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = file }.ToString()).Options);
            await contexts.InitializeDatabaseAsync(cancellationToken);
            // A new file that only this run writes: the store answers its reads from an in-memory replica.
            store = await EfWorkflowStore.ExclusiveAsync(contexts, cancellationToken);
        }
        var runtime = new WorkflowRuntime(store, source, clock, new RuntimeOptions { Calendar = calendar });
        // The journal is streamed as steps commit (events.jsonl, timeline.txt, the summary's counters)
        // instead of being kept: a 10,000-unit plan writes half a million entries.
        var counters = new SimulationCounters();
        var eventsPath = Path.Combine(outDir.FullName, "events.jsonl");
        var timelinePath = Path.Combine(outDir.FullName, "timeline.txt");
        SimulationResult result;
        await using (var events = new StreamWriter(eventsPath, false, Utf8, 1 << 16))
        await using (var timelineFile = new StreamWriter(timelinePath, false, Utf8, 1 << 16))
        {
            var timelineWriter = new SimulationTimeline.Writer(timelineFile);
            result = await new PlanSimulator(runtime, clock, store).RunAsync(
                new StartWorkflowRequest { DefinitionId = definition.DefinitionId, Version = definition.Version, Directory = directory.Directory, InstanceId = "sim" },
                scenario, DateTimeOffset.MaxValue,
                new SimulationOutput
                {
                    KeepJournal = false,
                    OnStep = entries =>
                    {
                        SimulationTimeline.WriteJsonLines(events, entries);
                        timelineWriter.Add(entries);
                        counters.Add(entries);
                    },
                },
                cancellationToken);
            timelineWriter.Finish();
        }
        // The SQLite file is written behind the engine (EfWorkflowStore.ExclusiveAsync): the run ends when it holds every step.
        if (store is EfWorkflowStore written) await written.DisposeAsync();
        var elapsed = stopwatch.Elapsed;

        var summary = SimulationSummary.From(counters, result.Tasks);
        var summaryText = summary.ToText(result);
        await File.WriteAllTextAsync(Path.Combine(outDir.FullName, "summary.txt"), summaryText, Utf8, cancellationToken);
        await WriteTasksCsvAsync(Path.Combine(outDir.FullName, "tasks.csv"), result, cancellationToken);

        if (!options.Quiet) await stdout.WriteLineAsync(await File.ReadAllTextAsync(timelinePath, Utf8, cancellationToken));
        await stdout.WriteLineAsync(summaryText);
        if (contexts is not null)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var outbox = await db.OutboxMessages.GroupBy(m => m.Kind).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
            await stdout.WriteLineAsync("Hộp thư đi trong CSDL (outbox rows in the database): " + string.Join(", ", outbox.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Count}")) + $"; tổng {outbox.Sum(o => o.Count)}");
        }
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Thời gian chạy (wall clock): {elapsed.TotalSeconds:0.00} s; {result.Steps} bước, {result.Steps / Math.Max(elapsed.TotalSeconds, 0.001):0} bước/s; kết quả trong {outDir.FullName}"));
        return 0;
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static async Task WriteTasksCsvAsync(string path, SimulationResult result, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(path, false, Utf8);
        var csv = CsvWriter.Create(writer, new CsvWriterOptions(), true);
        // minimum, counted, shortfall: canonical exemplar counts (collective:3;individual:3, any:3), empty = none (issue 15.1).
        csv.WriteRecord(["task", "milestone", "unit", "kind", "due_date", "status", "submitted_at", "completed_at", "returns", "minimum", "counted", "shortfall"]);
        foreach (var t in result.Tasks.OrderBy(t => t.DueDate).ThenBy(t => t.Milestone, StringComparer.Ordinal).ThenBy(t => t.UnitCode, StringComparer.Ordinal))
            csv.WriteRecord([t.Id, t.Milestone, t.UnitCode, t.Kind.ToString(), PlanTime.Format(t.DueDate), t.Status.ToString(),
                t.SubmittedAt is { } sa ? PlanTime.Format(sa) : "", t.CompletedAt is { } ca ? PlanTime.Format(ca) : "", t.ReturnCount.ToString(CultureInfo.InvariantCulture),
                t.Minimum, t.Counted, t.Shortfall]);
        await csv.FlushAsync(cancellationToken);
    }
}
