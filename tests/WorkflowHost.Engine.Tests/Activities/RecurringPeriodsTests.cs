using System.Globalization;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Activities.Domain;
using WorkflowHost.Engine.Tests.Infrastructure;
using WorkflowHost.Engine.Timeline;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;
using static WorkflowHost.Engine.Tests.Infrastructure.EngineHarness;

namespace WorkflowHost.Engine.Tests.Activities;

/// <summary>
/// Issue 15.6, what the README states: a recurring period's task opens at 00:00 local on the period's first
/// day; a period partly covered by <c>from</c> is included (opening on <c>from</c>, due as a whole period);
/// a period that ends after <c>to</c> is not created.
/// </summary>
public sealed class RecurringPeriodsTests
{
    private static JsonObject Recurring(string from, string to) => Activity("nominate", "ThiDua.RecurringUnitTask",
        ("kind", Literal("Nomination")),
        ("milestone", Literal("nomination")),
        ("title", Literal("Giới thiệu điển hình {period}")),
        ("recurrence", Literal("hằng quý")),
        ("from", Literal(from, "DateOnly")),
        ("to", Literal(to, "DateOnly")),
        ("dueOffsetDays", Literal(10.ToString(CultureInfo.InvariantCulture), "Int32")),
        ("unitCode", Literal("PNV")));

    [Fact]
    public void Periods_FromMidQuarter_IncludesThatQuarterAndDropsOneEndingAfterTo()
    {
        var periods = RecurringUnitTaskActivity.Periods(Engine.Timeline.RecurrenceCadence.Quarterly, new DateOnly(2023, 5, 15), new DateOnly(2025, 11, 15));

        Assert.Equal("2023-Q2", periods[0].Key);
        Assert.Equal((new DateOnly(2023, 5, 15), new DateOnly(2023, 6, 30)), (periods[0].Start, periods[0].End));
        Assert.Equal("2025-Q3", periods[^1].Key); // Q4/2025 ends on 31/12, after "to"
        Assert.Equal(10, periods.Count);
    }

    [Fact]
    public async Task Execute_FromMidQuarter_FirstTaskOpensOnFromThenEachOnItsPeriodsFirstDay()
    {
        var harness = ForTest(Local(2023, 1, 2, 8), new DefinitionBuilder().Add(Start(), Recurring("2023-05-15", "2023-12-31")).Chain("start", "nominate").Build());
        await harness.StartAsync();
        await harness.RunToAsync(Local(2023, 10, 2));

        var tasks = harness.Store.Tasks.OrderBy(t => t.DueDate).ToList();
        Assert.Equal(["nomination-2023-Q2", "nomination-2023-Q3", "nomination-2023-Q4"], tasks.Select(t => t.Milestone));
        Assert.Equal([Local(2023, 5, 15), Local(2023, 7, 1), Local(2023, 10, 1)], tasks.Select(t => t.CreatedAt));
        Assert.Equal([new DateOnly(2023, 7, 10), new DateOnly(2023, 10, 10), new DateOnly(2024, 1, 10)], tasks.Select(t => t.DueDate));
    }
}
