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
    {
        ArgumentNullException.ThrowIfNull(directory);
        DirectoryName = directory.Directory;
        Clock = new VirtualTimeProvider(start);
        Source = new InMemoryDefinitionSource().AddDirectory(directory);
        foreach (var d in definitions) Source.AddDefinition(d);
        Runtime = new WorkflowRuntime(Store, Source, Clock);
    }

    /// <summary>A harness over the test directory (<see cref="TestUnits"/>) starting at <paramref name="start"/>.</summary>
    public static EngineHarness ForTest(DateTimeOffset start, params string[] definitions) => new(start, TestUnits.Create(), definitions);

    public string DirectoryName { get; }

    public VirtualTimeProvider Clock { get; }
    public InMemoryWorkflowStore Store { get; } = new();
    public InMemoryDefinitionSource Source { get; }
    public WorkflowRuntime Runtime { get; }

    public static UnitDirectory TuanGiao => UnitDirectory.Parse(RepoFiles.Read("config/units/tuan-giao.json"));

    /// <summary>A local (Asia/Ho_Chi_Minh) date and time as a UTC instant.</summary>
    public static DateTimeOffset Local(int year, int month, int day, int hour = 0, int minute = 0) =>
        PlanTime.AtLocal(new DateOnly(year, month, day), new TimeOnly(hour, minute));

    public static DateTimeOffset PlanStart => PlanTime.AtLocal(new DateOnly(2021, 8, 1), new TimeOnly(8, 0));

    public Task<SimulationResult> SimulateAsync(string definitionId, Scenario scenario) =>
        new PlanSimulator(Runtime, Clock, Store).RunAsync(
            new StartWorkflowRequest { DefinitionId = definitionId, Directory = "tuan-giao", InstanceId = "sim" },
            scenario, DateTimeOffset.MaxValue, CancellationToken.None);

    /// <summary>Starts <paramref name="definitionId"/> for this harness's directory as instance <paramref name="instanceId"/>.</summary>
    public Task<WorkflowInstance> StartAsync(string definitionId = "test", string instanceId = "wf") =>
        Runtime.StartAsync(new StartWorkflowRequest { DefinitionId = definitionId, Directory = DirectoryName, InstanceId = instanceId }, CancellationToken.None);

    /// <summary>The committed variables of an instance.</summary>
    public JsonObject Variables(string instanceId = "wf") =>
        JsonNode.Parse(Store.Instance(instanceId)?.VariablesJson ?? "{}") as JsonObject ?? [];

    /// <summary>Committed journal entries with this event name.</summary>
    public IReadOnlyList<Journal.JournalEntry> JournalOf(string @event) => [.. Store.Journal.Where(e => e.Event == @event)];

    /// <summary>Moves the clock and resumes due timers.</summary>
    public async Task AdvanceToAsync(DateTimeOffset instant)
    {
        Clock.SetUtcNow(instant);
        await Runtime.ResumeDueTimersAsync(CancellationToken.None);
    }
}
