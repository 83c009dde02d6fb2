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

    // ---- working days (issue 15.3) ----

    private static async Task<UnitTaskRecord> SimulateOneAsync(string due, string scenarioJson)
    {
        var harness = ForTest(Local(2024, 1, 2, 8), AllUnitsPlan(due)).With(new RuntimeOptions { Calendar = Vietnam });
        var result = await harness.SimulateAsync("test", Scenario.Parse(scenarioJson));
        return result.Tasks.Single(t => t.UnitCode == "PNV");
    }

    [Fact]
    public async Task Simulate_SubmissionOnTetMung1_MovesToTheNextWorkingDay()
    {
        // 10 days before 20/02/2024 is Saturday 10/02, Tết mùng 1: the unit submits on Thursday 15/02,
        // the first working day after Tết; the review (16/02) is a working day.
        var task = await SimulateOneAsync("2024-02-20", """{"default": {"daysBeforeDue": 10}}""");

        Assert.Equal(Local(2024, 2, 15, 9), task.SubmittedAt);
        Assert.Equal(Local(2024, 2, 16, 10), task.CompletedAt);
        Assert.Equal(UnitTaskStatus.Done, task.Status);
    }

    [Fact]
    public async Task Simulate_MovingLaterWouldMakeItLate_MovesToThePreviousWorkingDay()
    {
        // 2 days before Monday 12/02/2024 is mùng 1 (10/02); the next working day (15/02) is past the
        // deadline, so the on-time unit submits on the last working day before, Wednesday 07/02, and is
        // still on time; the review, due on 08/02 (Tết), moves to Thursday 15/02.
        var task = await SimulateOneAsync("2024-02-12", "{}");

        Assert.Equal(Local(2024, 2, 7, 9), task.SubmittedAt);
        Assert.Equal(Local(2024, 2, 15, 10), task.CompletedAt);
        Assert.Equal(UnitTaskStatus.Done, task.Status);
    }

    [Fact]
    public async Task Simulate_WorkingDaysOnlyOff_SubmitsOnTheHoliday()
    {
        var task = await SimulateOneAsync("2024-02-20", """{"workingDaysOnly": false, "default": {"daysBeforeDue": 10}}""");

        Assert.Equal(Local(2024, 2, 10, 9), task.SubmittedAt);
        Assert.Equal(Local(2024, 2, 11, 10), task.CompletedAt);
    }

    [Fact]
    public async Task Simulate_ReturnedSubmission_ResubmitsAndIsReviewedOnWorkingDays()
    {
        // Submitted Thursday 01/02/2024, returned Friday 02/02, resubmitted 2 days later = Sunday 04/02 →
        // Monday 05/02, accepted Tuesday 06/02.
        var task = await SimulateOneAsync("2024-02-29", """{"rules": [{"units": ["PNV"], "daysBeforeDue": 28, "returnOnce": true}]}""");

        Assert.Equal(Local(2024, 2, 5, 9), task.SubmittedAt);
        Assert.Equal(Local(2024, 2, 6, 10), task.CompletedAt);
    }

    // ---- minimums (issue 15.1) ----

    private const string TwoRows = """{"exemplars": [{"milestone": "bao-cao", "units": ["PNV"], "rows": [{"kind": "collective", "name": "Tập thể", "count": 2}]}]}""";

    [Fact]
    public async Task Accept_NominationBelowItsMinimum_IsAcceptedButFlaggedShort()
    {
        var harness = ForTest(Local(2024, 3, 1, 8), AllUnitsPlan("2024-03-15", "Nomination", "ít nhất 03 điển hình"));
        var result = await harness.SimulateAsync("test", Scenario.Parse(TwoRows));

        var pnv = result.Tasks.Single(t => t.UnitCode == "PNV");
        Assert.Equal(UnitTaskStatus.Done, pnv.Status);
        Assert.Equal(("any:3", "collective:2", "any:1"), (pnv.Minimum, pnv.Counted, pnv.Shortfall));
        Assert.True(pnv.IsShort);
        // PTC submitted no rows at all: short by 3.
        var ptc = result.Tasks.Single(t => t.UnitCode == "PTC");
        Assert.Equal(("", "any:3"), (ptc.Counted, ptc.Shortfall));
        var journaled = Assert.Single(result.Journal, e => e.Event == "MinimumShortfall" && e.UnitCode == "PNV");
        Assert.Equal("cần ít nhất 3 điển hình, đã khai 2 tập thể (thiếu 1 điển hình)", journaled.Detail);
        Assert.Contains(result.Journal, e => e.Event == "Accepted" && e.UnitCode == "PNV" && e.Detail == "hoàn thành đúng hạn, thiếu so với mức tối thiểu");
    }

    [Fact]
    public async Task Accept_PerKindMinimumMet_IsNotShort()
    {
        var harness = ForTest(Local(2024, 3, 1, 8), AllUnitsPlan("2024-03-15", "Nomination", "02 tập thể"));
        var result = await harness.SimulateAsync("test", Scenario.Parse(TwoRows));

        var pnv = result.Tasks.Single(t => t.UnitCode == "PNV");
        Assert.Equal(("collective:2", ""), (pnv.Counted, pnv.Shortfall));
        Assert.False(pnv.IsShort);
        Assert.DoesNotContain(result.Journal, e => e.Event == "MinimumShortfall" && e.UnitCode == "PNV");
        Assert.Contains(result.Journal, e => e.Event == "Accepted" && e.UnitCode == "PNV" && e.Detail == "hoàn thành đúng hạn");
    }

    [Fact]
    public async Task Summary_TaskWithAMinimum_ShowsTheMinimumAndTheRowsCounted()
    {
        var harness = ForTest(Local(2024, 3, 1, 8), AllUnitsPlan("2024-03-15", "Nomination", "ít nhất 03 điển hình"));
        var result = await harness.SimulateAsync("test", Scenario.Parse(TwoRows));

        var text = SimulationSummary.From(result).ToText(result);
        Assert.Contains("bao-cao: tối thiểu 3 điển hình; 3 được chấp thuận, 0 đủ, 3 thiếu", text, StringComparison.Ordinal);
        Assert.Contains("thiếu PNV: đã khai 2 tập thể", text, StringComparison.Ordinal);
        var timeline = SimulationTimeline.ToText(result.Journal);
        Assert.Contains("MinimumShortfall PNV: cần ít nhất 3 điển hình, đã khai 2 tập thể", timeline, StringComparison.Ordinal);
    }
}
