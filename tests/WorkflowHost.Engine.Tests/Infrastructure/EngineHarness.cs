using System.Text.Json;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Tests.Infrastructure;

/// <summary>A runtime over the in-memory store with a virtual clock.</summary>
internal sealed class EngineHarness
{
    public EngineHarness(DateTimeOffset start, UnitDirectory directory, params string[] definitions)
        : this(start, directory, null, definitions)
    {
    }

    public EngineHarness(DateTimeOffset start, UnitDirectory directory, RuntimeOptions? options, params string[] definitions)
    {
        ArgumentNullException.ThrowIfNull(directory);
        DirectoryName = directory.Directory;
        Clock = new VirtualTimeProvider(start);
        Source = new InMemoryDefinitionSource().AddDirectory(directory);
        foreach (var d in definitions) Source.AddDefinition(d);
        Runtime = new WorkflowRuntime(Store, Source, Clock, options);
    }

    /// <summary>Uses <paramref name="options"/> (e.g. a working-day calendar) from now on; call before starting.</summary>
    public EngineHarness With(RuntimeOptions options)
    {
        Runtime = new WorkflowRuntime(Store, Source, Clock, options);
        return this;
    }

    /// <summary>A harness over the test directory (<see cref="TestUnits"/>) starting at <paramref name="start"/>.</summary>
    public static EngineHarness ForTest(DateTimeOffset start, params string[] definitions) => new(start, TestUnits.Create(), definitions);

    public string DirectoryName { get; }

    public VirtualTimeProvider Clock { get; }
    public InMemoryWorkflowStore Store { get; } = new();
    public InMemoryDefinitionSource Source { get; }
    public WorkflowRuntime Runtime { get; private set; }

    public static UnitDirectory TuanGiao => UnitDirectory.Parse(RepoFiles.Read("config/units/tuan-giao.json"));

    /// <summary>A local (Asia/Ho_Chi_Minh) date and time as a UTC instant.</summary>
    public static DateTimeOffset Local(int year, int month, int day, int hour = 0, int minute = 0) =>
        PlanTime.AtLocal(new DateOnly(year, month, day), new TimeOnly(hour, minute));

    public static DateTimeOffset PlanStart => PlanTime.AtLocal(new DateOnly(2021, 8, 1), new TimeOnly(8, 0));

    public Task<SimulationResult> SimulateAsync(string definitionId, Scenario scenario) =>
        new PlanSimulator(Runtime, Clock, Store).RunAsync(
            new StartWorkflowRequest { DefinitionId = definitionId, Directory = DirectoryName, InstanceId = "sim" },
            scenario, DateTimeOffset.MaxValue, CancellationToken.None);

    /// <summary>Starts <paramref name="definitionId"/> for this harness's directory as instance <paramref name="instanceId"/>.</summary>
    public Task<WorkflowInstance> StartAsync(string definitionId = "test", string instanceId = "wf") =>
        Runtime.StartAsync(new StartWorkflowRequest { DefinitionId = definitionId, Directory = DirectoryName, InstanceId = instanceId }, CancellationToken.None);

    /// <summary>The committed variables of an instance.</summary>
    public JsonObject Variables(string instanceId = "wf") =>
        JsonNode.Parse(Store.Instance(instanceId)?.VariablesJson ?? "{}") as JsonObject ?? [];

    /// <summary>Committed journal entries with this event name.</summary>
    public IReadOnlyList<Journal.JournalEntry> JournalOf(string @event) => [.. Store.Journal.Where(e => e.Event == @event)];

    /// <summary>
    /// Everything committed (instances, scopes, bookmarks, tasks with their submissions, outbox, journal)
    /// as one JSON text, to prove that a failed or refused step wrote nothing.
    /// </summary>
    public async Task<string> SnapshotAsync(params string[] instanceIds)
    {
        var submissions = new List<object>();
        await using (var session = await Store.OpenSessionAsync(CancellationToken.None))
            foreach (var task in Store.Tasks)
                submissions.AddRange(await session.FindSubmissionsAsync(task.Id, CancellationToken.None));
        return JsonSerializer.Serialize(new
        {
            Instances = instanceIds.Select(Store.Instance),
            Store.Scopes,
            Store.Bookmarks,
            Store.Tasks,
            Submissions = submissions,
            Store.Outbox,
            Store.Journal,
        });
    }

    /// <summary>
    /// Runs a live host up to <paramref name="instant"/>: the clock moves from one due timer to the next
    /// and each is resumed at its own time (unlike <see cref="AdvanceToAsync"/>, which jumps, as after a
    /// host that was down).
    /// </summary>
    public async Task RunToAsync(DateTimeOffset instant)
    {
        while (await Runtime.FindNextTimerDueAsync(CancellationToken.None) is { } next && next <= instant)
        {
            if (next > Clock.GetUtcNow()) Clock.SetUtcNow(next);
            if (await Runtime.ResumeDueTimersAsync(CancellationToken.None) == 0) break;
        }
        if (instant > Clock.GetUtcNow()) Clock.SetUtcNow(instant);
    }

    /// <summary>Moves the clock in one jump and resumes due timers (a host that was down until <paramref name="instant"/>).</summary>
    public async Task AdvanceToAsync(DateTimeOffset instant)
    {
        Clock.SetUtcNow(instant);
        await Runtime.ResumeDueTimersAsync(CancellationToken.None);
    }
}
