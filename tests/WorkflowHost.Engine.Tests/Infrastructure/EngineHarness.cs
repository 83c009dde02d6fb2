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
        Clock = new VirtualTimeProvider(start);
        Source = new InMemoryDefinitionSource().AddDirectory(directory);
        foreach (var d in definitions) Source.AddDefinition(d);
        Runtime = new WorkflowRuntime(Store, Source, Clock);
    }

    public VirtualTimeProvider Clock { get; }
    public InMemoryWorkflowStore Store { get; } = new();
    public InMemoryDefinitionSource Source { get; }
    public WorkflowRuntime Runtime { get; }

    public static UnitDirectory TuanGiao => UnitDirectory.Parse(RepoFiles.Read("config/units/tuan-giao.json"));

    public static DateTimeOffset PlanStart => PlanTime.AtLocal(new DateOnly(2021, 8, 1), new TimeOnly(8, 0));

    public Task<SimulationResult> SimulateAsync(string definitionId, Scenario scenario) =>
        new PlanSimulator(Runtime, Clock, Store).RunAsync(
            new StartWorkflowRequest { DefinitionId = definitionId, Directory = "tuan-giao", InstanceId = "sim" },
            scenario, DateTimeOffset.MaxValue, CancellationToken.None);

    /// <summary>Moves the clock and resumes due timers.</summary>
    public async Task AdvanceToAsync(DateTimeOffset instant)
    {
        Clock.SetUtcNow(instant);
        await Runtime.ResumeDueTimersAsync(CancellationToken.None);
    }
}
