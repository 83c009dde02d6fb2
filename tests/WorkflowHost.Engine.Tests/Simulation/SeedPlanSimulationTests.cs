using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Tests.Infrastructure;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Tests.Simulation;

/// <summary>
/// Facts of the Hữu Lũng and Ia Bang plans (<c>../shared/seeds/</c>) that a reader can check against the
/// plan text, on the checked-in workflow, directory and typical scenario, with the working-day calendar.
/// </summary>
public sealed class SeedPlanSimulationTests
{
    private static readonly WorkingDayCalendar Vietnam = WorkingDayCalendar.Parse(RepoFiles.Read("config/calendar/vn-working-days.json"));

    private static async Task<(SimulationResult Result, EngineHarness Harness, UnitDirectory Directory)> SimulateAsync(string plan, string units, DateOnly start)
    {
        var directory = UnitDirectory.Parse(RepoFiles.Read($"config/units/{units}.json"));
        var harness = new EngineHarness(PlanTime.AtLocal(start, new TimeOnly(8, 0)), directory, RepoFiles.Read($"workflows/{plan}.json"))
            .With(new RuntimeOptions { Calendar = Vietnam });
        var result = await harness.SimulateAsync(plan, Scenario.Parse(RepoFiles.Read($"config/scenarios/{units}-typical.json")));
        return (result, harness, directory);
    }

    private static IReadOnlyList<UnitTaskRecord> Tasks(SimulationResult result, string milestone) => [.. result.Tasks.Where(t => t.Milestone == milestone)];

    /// <summary>
    /// Hữu Lũng, Mục II.3.1, II.5, II.3.2: unit plans "trong quý IV năm 2021" (31/12/2021) from every unit;
    /// the district's mid-term review on 11/6/2023 (Phòng Nội vụ), the units' with their first-half review
    /// (30/06/2023); units' final review "quý I, II năm 2025" (30/06/2025), the district's in Q3 (30/09/2025);
    /// yearly quotas 2022–2025 for the 14 lead units (Công an and Ban CHQS each 03 for the same movement).
    /// </summary>
    [Fact]
    public async Task HuuLung_TypicalScenario_DatesAndQuotasFollowThePlan()
    {
        var (result, harness, directory) = await SimulateAsync("huu-lung-2021-2025", "huu-lung", new DateOnly(2021, 11, 22));

        var unitPlans = Tasks(result, "unit-plan-2021");
        Assert.Equal(directory.Units.Count, unitPlans.Count);
        Assert.All(unitPlans, t => Assert.Equal(new DateOnly(2021, 12, 31), t.DueDate));
        var district = Assert.Single(Tasks(result, "mid-term-review-district-2023"));
        Assert.Equal(("PNV", new DateOnly(2023, 6, 11)), (district.UnitCode, district.DueDate));
        Assert.All(Tasks(result, "mid-term-review-units-2023"), t => Assert.Equal(new DateOnly(2023, 6, 30), t.DueDate));
        Assert.Equal(new DateOnly(2025, 6, 30), Tasks(result, "final-review-units-2025").Select(t => t.DueDate).Distinct().Single());
        Assert.Equal(new DateOnly(2025, 9, 30), Assert.Single(Tasks(result, "final-review-district-2025")).DueDate);
        foreach (var year in new[] { 2022, 2023, 2024 })
            Assert.Equal(new DateOnly(year, 12, 15), Tasks(result, $"year-end-review-{year}").Select(t => t.DueDate).Distinct().Single());

        var quotas = harness.Store.Quotas;
        Assert.Equal(14 * 4, quotas.Count);
        Assert.Equal(["2022", "2023", "2024", "2025"], quotas.Where(q => q.UnitCode == "PNV").Select(q => q.Period).Order(StringComparer.Ordinal));
        Assert.All(quotas.Where(q => q.UnitCode == "PNV"), q => Assert.Equal("any:3", q.Minimum)); // "ít nhất 03 điển hình tiên tiến/năm"
        Assert.All(quotas.Where(q => q.UnitCode == "PGDDT"), q => Assert.Equal("any:5", q.Minimum));
        Assert.All(quotas.Where(q => q.UnitCode == "HND"), q => Assert.Equal("individual:5", q.Minimum)); // 05 nông dân
        Assert.Equal(8, quotas.Count(q => q.UnitCode is "CAH" or "BCHQS" && q.Movement == "Thực hiện nhiệm vụ quốc phòng - an ninh"));
        Assert.Equal(["HLHPN 2023", "HUYENDOAN 2022", "PKTHT 2024", "TTYT 2025"],
            quotas.Where(q => q.Status == QuotaStatus.Shortfall).Select(q => $"{q.UnitCode} {q.Period}").Order(StringComparer.Ordinal));
        Assert.Equal(52, quotas.Count(q => q.Status == QuotaStatus.Met));
        // PKTHT's 2024 nomination came on 04/01/2025: it counts for 2025, not 2024.
        Assert.Equal(2, ExemplarCounts.Parse(quotas.Single(q => q.UnitCode == "PKTHT" && q.Period == "2025").Counted).Total);
        Assert.Equal(QuotaStatus.Met, quotas.Single(q => q.UnitCode == "PKTHT" && q.Period == "2025").Status);
    }

    /// <summary>
    /// Ia Bang, Mục IV.1 and III: unit plans "trước ngày 25/8/2021" = on time until the end of 24/08/2021,
    /// from the commune's bodies (not the villages); phase 1 review on 11/6/2023; the exemplars conference
    /// in 2025; whole-period quotas 2021–2025 of the lead officers (02 households for poverty reduction).
    /// </summary>
    [Fact]
    public async Task IaBang_TypicalScenario_DatesAndQuotasFollowThePlan()
    {
        var (result, harness, directory) = await SimulateAsync("ia-bang-2021-2025", "ia-bang", new DateOnly(2021, 8, 18));

        var unitPlans = Tasks(result, "unit-plan-2021");
        Assert.Equal(directory.Units.Count(u => u.Group != "THON-LANG"), unitPlans.Count);
        Assert.All(unitPlans, t => Assert.Equal(new DateOnly(2021, 8, 24), t.DueDate));
        Assert.All(unitPlans, t => Assert.Equal(PlanTime.EndOfDay(new DateOnly(2021, 8, 24)), t.DueAt));
        Assert.All(Tasks(result, "phase-1-review-units-2023"), t => Assert.Equal(new DateOnly(2023, 6, 11), t.DueDate));
        var conference = Assert.Single(Tasks(result, "exemplars-conference-2025"));
        Assert.Equal(("CC-VPTK", 2025), (conference.UnitCode, conference.DueDate.Year));
        Assert.Equal(directory.Units.Count, Tasks(result, "final-review-units-2025").Count);

        var quotas = harness.Store.Quotas;
        Assert.Equal(11, quotas.Count);
        Assert.All(quotas, q => Assert.Equal(("2021-2025", new DateOnly(2021, 1, 1), new DateOnly(2025, 12, 31)), (q.Period, q.PeriodStart, q.PeriodEnd)));
        Assert.Equal("collective:1;individual:1", quotas.Single(q => q.UnitCode == "CC-DCNN").Minimum);
        Assert.Equal("collective:2;individual:2", quotas.Single(q => q.UnitCode == "CC-VHXH-VH").Minimum);
        Assert.Equal("household:2", quotas.Single(q => q.Movement == "Gia Lai chung tay vì người nghèo").Minimum);
        Assert.Equal(["BCHQSX", "CC-TPHT", "CC-VHXH-XH"], quotas.Where(q => q.Status == QuotaStatus.Shortfall).Select(q => q.UnitCode).Order(StringComparer.Ordinal));
        Assert.Equal(8, quotas.Count(q => q.Status == QuotaStatus.Met));
    }
}
