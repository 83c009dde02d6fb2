using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Tests.Infrastructure;
using WorkflowHost.Engine.Timeline;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;
using static WorkflowHost.Engine.Tests.Infrastructure.EngineHarness;

namespace WorkflowHost.Engine.Tests.Simulation;

/// <summary>Issue 15: what a simulation reports about minimums, working days and an instance that cannot finish.</summary>
public sealed class SimulationDefectsTests
{
    private static readonly WorkingDayCalendar Vietnam = WorkingDayCalendar.Parse(RepoFiles.Read("config/calendar/vn-working-days.json"));

    /// <summary>One report per active unit (PNV, PTC, XA-A), due <paramref name="due"/>, then End.</summary>
    private static string AllUnitsPlan(string due, string kind = "Report", string? minimum = null)
    {
        var task = UnitTask("task", due, milestone: "bao-cao", kind: kind);
        if (minimum is not null) task["minimum"] = Literal(minimum);
        var body = new DefinitionBuilder("body").Add(task).AsActivity();
        return new DefinitionBuilder().Add(Start(), ForEachUnit("each", body), End()).Chain("start", "each", "end").Build();
    }

    [Fact]
    public async Task Summary_UnitNeverSubmits_SaysWhichTasksKeepTheInstanceOpen()
    {
        var harness = ForTest(Local(2024, 3, 1, 8), AllUnitsPlan("2024-03-15"));
        var scenario = Scenario.Parse("""{"rules": [{"milestone": "bao-cao", "units": ["PTC"], "action": "never"}]}""");

        var result = await harness.SimulateAsync("test", scenario);
        var text = SimulationSummary.From(result).ToText(result);

        Assert.DoesNotContain(result.Journal, e => e.Event == "WorkflowFinished");
        Assert.Contains("WorkflowFinished", text, StringComparison.Ordinal);
        Assert.Contains("1 nhiệm vụ còn mở", text, StringComparison.Ordinal);
        Assert.Contains("PTC — bao-cao — hạn 15/03/2024 — Open", text, StringComparison.Ordinal);
        Assert.DoesNotContain("PNV — bao-cao", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Summary_InstanceFinishes_SaysNothingAboutOpenTasks()
    {
        var harness = ForTest(Local(2024, 3, 1, 8), AllUnitsPlan("2024-03-15"));

        var result = await harness.SimulateAsync("test", new Scenario());
        var text = SimulationSummary.From(result).ToText(result);

        Assert.Contains(result.Journal, e => e.Event == "WorkflowFinished");
        Assert.DoesNotContain("còn mở", text, StringComparison.Ordinal);
    }
}
