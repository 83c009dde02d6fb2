using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Tests.Infrastructure;

namespace WorkflowHost.Engine.Tests.Simulation;

public sealed class TuanGiaoSimulationTests
{
    [Fact]
    public async Task Simulate_TypicalScenario_PrintsSummary()
    {
        var harness = new EngineHarness(EngineHarness.PlanStart, EngineHarness.TuanGiao, RepoFiles.Read("workflows/tuan-giao-2021-2025.json"));
        var result = await harness.SimulateAsync("tuan-giao-2021-2025", Scenario.Parse(RepoFiles.Read("config/scenarios/tuan-giao-typical.json")));
        var summary = SimulationSummary.From(result);
        Console.WriteLine(summary.ToText(result));
        Assert.NotEmpty(summary.Milestones);
    }
}
