using System.Text.Json.Nodes;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Tests.Infrastructure;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Tests.Definitions;

/// <summary>Reusing the Tuần Giáo plan 2021–2025 for 2026–2030 (issue 5, point 6).</summary>
public sealed class NextPeriodPlannerTests
{
    private static JsonObject TuanGiao => (JsonObject)JsonNode.Parse(RepoFiles.Read("workflows/tuan-giao-2021-2025.json"))!;

    private static string Value(NextPeriodProposal proposal, string activityId, string input) =>
        proposal.Changes.Single(c => c.ActivityId == activityId && c.Input == input).New;

    [Theory]
    [InlineData("trước ngày 15/10/2021", "trước ngày 15/10/2026")]
    [InlineData("chậm nhất ngày 11/6/2023", "chậm nhất ngày 11/6/2028")]
    [InlineData("đến hết ngày 05/03/2024", "đến hết ngày 05/03/2029")]
    [InlineData("trong quý III năm 2021", "trong quý III năm 2026")]
    [InlineData("quý I, II năm 2025", "quý I, II năm 2030")]
    [InlineData("6 tháng đầu năm 2023", "6 tháng đầu năm 2028")]
    [InlineData("trong tháng 12/2024", "trong tháng 12/2029")]
    [InlineData("chậm nhất ngày 29/2/2024", "chậm nhất ngày 28/2/2029")]
    [InlineData("hằng quý", "hằng quý")]
    public void ShiftPhrase_MovesDatesAndYearsKeepingTheWording(string phrase, string expected)
    {
        var shifted = NextPeriodPlanner.ShiftPhrase(phrase, 5);
        Assert.Equal(expected, shifted);
        // The parser reads the shifted phrase as the old due date plus five years (the end of a month stays the end).
        Assert.Equal(DeadlinePhraseParser.Parse(phrase).DueDate?.AddYears(5), DeadlinePhraseParser.Parse(shifted).DueDate);
    }

    [Fact]
    public void Propose_TuanGiao_2026To2030_MidTermOn11June2028AndCongressIn2030()
    {
        var proposal = NextPeriodPlanner.Propose(TuanGiao, 5);

        Assert.Equal("tuan-giao-2026-2030", proposal.DefinitionId);
        Assert.Contains("2026-2030", (string?)proposal.Definition["name"], StringComparison.Ordinal);
        Assert.Equal("chậm nhất ngày 11/6/2028", Value(proposal, "task-mid-term-review-district-2023", "dueDate"));
        Assert.Equal("2030-03-31", Value(proposal, "task-congress-nominations-2025", "dueDate"));
        Assert.Equal("congress-nominations-2030", Value(proposal, "task-congress-nominations-2025", "milestone"));
        Assert.Equal("2026-09-01T08:00:00+07:00", Value(proposal, "open-registration-2021", "dateTime"));
        Assert.Equal("trước ngày 15/10/2026", Value(proposal, "task-registration-2021", "dueDate"));
        Assert.Equal("chậm nhất trong quý III năm 2026", Value(proposal, "task-unit-plan-2021", "dueDate"));
        // Descriptions cite the old plan's clauses and are kept for the secretariat to review.
        Assert.DoesNotContain(proposal.Changes, c => c.Input == "description");
        // The source is untouched.
        Assert.Equal("tuan-giao-2021-2025", (string?)TuanGiao["definitionId"]);

        var read = WorkflowDefinitionReader.Default.Read(proposal.Definition.ToJsonString());
        Assert.True(read.IsValid, string.Join("; ", read.Problems));
        var dueDates = read.Blueprint!.AllActivities.OfType<WorkflowHost.Engine.Activities.Domain.UnitTaskActivity>()
            .Select(a => WorkflowHost.Engine.Expressions.ExpressionEvaluator.Static.Evaluate<DateOnly>(a.DueDate.Expression!)).ToList();
        Assert.All(dueDates, d => Assert.InRange(d.Year, 2026, 2030));
    }

    [Fact]
    public async Task Propose_TuanGiao_TheNewPlanSimulatesFrom2026()
    {
        var proposal = NextPeriodPlanner.Propose(TuanGiao, 5);
        var harness = new EngineHarness(PlanTime.AtLocal(new DateOnly(2026, 8, 1), new TimeOnly(8, 0)), EngineHarness.TuanGiao, proposal.Definition.ToJsonString());

        var result = await harness.SimulateAsync(proposal.DefinitionId, Scenario.Parse(RepoFiles.Read("config/scenarios/tuan-giao-typical.json")));

        Assert.All(SimulationSummary.From(result).Milestones, m => Assert.Matches("-20(2[6-9]|30)$", m.Milestone));
        Assert.Contains(result.Tasks, t => t.Milestone == "mid-term-review-district-2028" && t.DueDate == new DateOnly(2028, 6, 11));
        Assert.All(result.Tasks, t => Assert.InRange(t.DueDate.Year, 2026, 2030));
        Assert.DoesNotContain(result.Journal, e => e.Event == "Faulted");
    }
}
