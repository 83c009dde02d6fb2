using System.Text.Json.Nodes;
using WorkflowHost.Engine.Activities.Domain;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Expressions;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Tests.Infrastructure;
using WorkflowHost.Engine.Timeline;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;
using static WorkflowHost.Engine.Tests.Infrastructure.EngineHarness;

namespace WorkflowHost.Engine.Tests.Activities;

/// <summary>
/// Issue 14: the timeline shapes of other provinces' plans, expressed as data only — a cadence starting
/// mid-period and mid-plan, one group split by a tag, a plan issued late, a yearly milestone on a fixed day —
/// and the example province plan (<c>workflows/examples/tinh-mau-2023-2026.json</c>) that uses them all.
/// </summary>
public sealed class ProvincePlanShapesTests
{
    private const string Lvt = "luc-luong-vu-trang";

    private static readonly WorkingDayCalendar Vietnam = WorkingDayCalendar.Parse(RepoFiles.Read("config/calendar/vn-working-days.json"));

    private static JsonObject Recurring(string id, string recurrence, string from, string to, int offset = 0, string? partial = null, string fromSyntax = "Deadline", string? minimum = null)
    {
        var activity = Activity(id, "ThiDua.RecurringUnitTask",
            ("kind", Literal("Nomination")),
            ("milestone", Literal("nomination")),
            ("title", Literal("Giới thiệu điển hình {period}")),
            ("description", Literal("Mục II.2 Kế hoạch.")),
            ("recurrence", Literal(recurrence)),
            ("from", Input(fromSyntax, from, "DateOnly")),
            ("to", Input("Deadline", to, "DateOnly")),
            ("dueOffsetDays", Literal(offset.ToString(System.Globalization.CultureInfo.InvariantCulture), "Int32")));
        if (partial is not null) activity["partialFirstPeriod"] = Literal(partial);
        if (minimum is not null) activity["minimum"] = Literal(minimum);
        return activity;
    }

    private static string OneUnit(JsonObject task, string code = "PNV") => new DefinitionBuilder()
        .Add(Start(), ForEachUnit("each", new DefinitionBuilder("body").Add(task).AsActivity(), codes: [code]))
        .Chain("start", "each").Build();

    // --- the Deadline phrases of a start and an end ---

    [Theory]
    [InlineData("từ quý II/2023", "2023-04-01")]
    [InlineData("tu quy 2/2023", "2023-04-01")]
    [InlineData("kể từ quý IV năm 2023", "2023-10-01")]
    [InlineData("từ năm 2024", "2024-01-01")]
    [InlineData("từ 6 tháng cuối năm 2023", "2023-07-01")]
    [InlineData("từ tháng 9/2023", "2023-09-01")]
    [InlineData("từ ngày 14/8/2023", "2023-08-14")]
    [InlineData("bắt đầu từ quý I, II năm 2025", "2025-01-01")]
    public void Parse_FromPhrase_GivesTheFirstDayOfThePeriod(string phrase, string expected)
    {
        var result = DeadlinePhraseParser.Parse(phrase);

        Assert.True(result.IsStart);
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), result.DueDate);
        Assert.Equal(result.DueDate, result.PeriodStart);
    }

    [Theory]
    [InlineData("hết năm 2025", "2025-12-31", "2025-01-01")]
    [InlineData("đến hết năm 2025", "2025-12-31", "2025-01-01")]
    [InlineData("đến hết quý IV/2025", "2025-12-31", "2025-10-01")]
    [InlineData("quý II/2023", "2023-06-30", "2023-04-01")]
    [InlineData("đến tháng 6/2024", "2024-06-30", "2024-06-01")]
    [InlineData("trước ngày 15/10/2021", "2021-10-14", "2021-10-14")]
    public void Parse_EndPhrase_GivesTheLastDayAndThePeriodStart(string phrase, string due, string start)
    {
        var result = DeadlinePhraseParser.Parse(phrase);

        Assert.False(result.IsStart);
        Assert.Equal(DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture), result.DueDate);
        Assert.Equal(DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture), result.PeriodStart);
    }

    [Theory]
    [InlineData("hằng năm, dịp 11/6", 6, 11)]
    [InlineData("hàng năm vào dịp 11/6", 6, 11)]
    [InlineData("hằng năm, ngày 11/06", 6, 11)]
    [InlineData("hang nam dip ky niem ngay 2/9", 9, 2)]
    [InlineData("hằng năm, dịp 29/2", 2, 29)]
    public void Parse_YearlyWithFixedDay_GivesTheAnniversary(string phrase, int month, int day)
    {
        var result = DeadlinePhraseParser.Parse(phrase);

        Assert.Equal(RecurrenceCadence.Yearly, result.Cadence);
        Assert.Equal(new AnnualDate(month, day), result.Anniversary);
        Assert.Null(DeadlinePhraseParser.Parse("hằng năm").Anniversary);
    }

    [Theory]
    [InlineData("hằng năm, dịp 31/2", "31/2")]
    [InlineData("từ hằng quý", "not a known deadline form")]
    [InlineData("hằng quý, dịp 11/6", "not a known deadline form")]
    public void Parse_BadAnniversaryOrStart_IsRefusedWithTheReason(string phrase, string reason)
    {
        var e = Assert.Throws<DeadlinePhraseException>(() => DeadlinePhraseParser.Parse(phrase));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluateStart_PeriodPhraseIsItsFirstDay_DatesAreThemselves_ShiftApplies()
    {
        var evaluator = new ExpressionEvaluator(dateShiftDays: 0);
        Assert.Equal(new DateOnly(2023, 4, 1), evaluator.EvaluateStart(new WorkflowExpression("Deadline", JsonValue.Create("quý II/2023"))));
        Assert.Equal(new DateOnly(2023, 4, 1), evaluator.EvaluateStart(new WorkflowExpression("Literal", JsonValue.Create("quý II/2023"))));
        Assert.Equal(new DateOnly(2023, 8, 14), evaluator.EvaluateStart(new WorkflowExpression("Literal", JsonValue.Create("2023-08-14"))));
        // As a due date the same phrase is still the period's last day.
        Assert.Equal(new DateOnly(2023, 6, 30), evaluator.Evaluate<DateOnly>(new WorkflowExpression("Deadline", JsonValue.Create("quý II/2023"))));
        Assert.Equal(new DateOnly(2023, 4, 3), new ExpressionEvaluator(dateShiftDays: 2).EvaluateStart(new WorkflowExpression("Deadline", JsonValue.Create("quý II/2023"))));
    }

    // --- 1. a cadence starting mid-period and mid-plan ---

    [Fact]
    public void Periods_FromQuarterTwo2023ToEnd2025Quarterly_AreElevenQuarters()
    {
        var from = DeadlinePhraseParser.Parse("quý II/2023").PeriodStart!.Value;
        var to = DeadlinePhraseParser.Parse("hết năm 2025").DueDate!.Value;

        var quarters = RecurringUnitTaskActivity.Periods(RecurrenceCadence.Quarterly, from, to, null);

        Assert.Equal(11, quarters.Count);
        Assert.Equal(("2023-Q2", new DateOnly(2023, 4, 1)), (quarters[0].Key, quarters[0].Start));
        Assert.Equal(("2025-Q4", new DateOnly(2025, 12, 31)), (quarters[^1].Key, quarters[^1].End));
        Assert.DoesNotContain(quarters, p => p.IsPartial);
    }

    [Fact]
    public void Periods_HalfYearlyFromQuarterTwo_HalfYearContainingTheStartIsIncludedPartial_OrSkipped()
    {
        var from = new DateOnly(2023, 4, 1);
        var to = new DateOnly(2025, 12, 31);

        var included = RecurringUnitTaskActivity.Periods(RecurrenceCadence.HalfYearly, from, to, null);
        var skipped = RecurringUnitTaskActivity.Periods(RecurrenceCadence.HalfYearly, from, to, null, PartialPeriod.Skip);

        Assert.Equal(6, included.Count);
        Assert.Equal(("2023-H1", new DateOnly(2023, 4, 1), new DateOnly(2023, 6, 30), true), (included[0].Key, included[0].Start, included[0].End, included[0].IsPartial));
        Assert.Equal(["2023-H2", "2024-H1", "2024-H2", "2025-H1", "2025-H2"], skipped.Select(p => p.Key));
        // The default is the behaviour before the input existed.
        Assert.Equal(RecurringUnitTaskActivity.Periods(RecurrenceCadence.HalfYearly, from, to).Select(p => p.Key), included.Select(p => p.Key));
    }

    [Fact]
    public async Task RecurringTask_FirstPeriodPartial_TheRuleIsJournaledAndWrittenIntoTheUnitsTask()
    {
        var harness = ForTest(Local(2023, 4, 3, 8), OneUnit(Recurring("nominate", "định kỳ 6 tháng", "quý II/2023", "hết năm 2025", 15)));
        await harness.StartAsync();

        var started = Assert.Single(harness.JournalOf("RecurrenceStarted"));
        Assert.StartsWith("6 kỳ: 2023-H1, 2023-H2", started.Detail, StringComparison.Ordinal);
        Assert.Contains("kỳ đầu 6 tháng đầu năm 2023 không trọn (nhiệm vụ tính từ 01/04/2023): vẫn được tính", started.Detail, StringComparison.Ordinal);
        var first = Assert.Single(harness.Store.Tasks);
        Assert.Equal(("wf.nominate.PNV.2023-H1", new DateOnly(2023, 7, 15)), (first.Id, first.DueDate));
        Assert.Equal("Mục II.2 Kế hoạch.\nGhi chú: Kỳ đầu 6 tháng đầu năm 2023 không trọn (nhiệm vụ tính từ 01/04/2023): vẫn được tính, từ 01/04/2023 đến 30/06/2023.", first.Description);

        await harness.RunToAsync(Local(2023, 7, 2, 8));
        var second = harness.Store.Tasks.Single(t => t.Id == "wf.nominate.PNV.2023-H2");
        Assert.Equal("Mục II.2 Kế hoạch.", second.Description);
    }

    [Fact]
    public async Task RecurringTask_PartialFirstPeriodSkip_FirstTaskIsTheFirstWholePeriodAndSaysSo()
    {
        var harness = ForTest(Local(2023, 8, 14, 8), OneUnit(Recurring("nominate", "hằng quý", "từ ngày 14/8/2023", "hết năm 2026", 15, "Skip")));
        await harness.StartAsync();

        Assert.StartsWith("13 kỳ: 2023-Q4,", Assert.Single(harness.JournalOf("RecurrenceStarted")).Detail, StringComparison.Ordinal);
        Assert.Empty(harness.Store.Tasks); // Q4 opens on 01/10/2023
        await harness.RunToAsync(Local(2023, 10, 1, 8));
        var first = Assert.Single(harness.Store.Tasks);
        Assert.Equal(("nomination-2023-Q4", new DateOnly(2024, 1, 15)), (first.Milestone, first.DueDate));
        Assert.Contains("Kỳ đầu quý III/2023 không trọn (nhiệm vụ tính từ 14/08/2023): không tính, kỳ đầu tiên là quý IV/2023.", first.Description, StringComparison.Ordinal);
    }

    // --- 3. a plan issued late in the year ---

    [Fact]
    public async Task PlanSignedInAugust_QuarterlyFromSigning_StartsInQuarterThreeOpenAtOnce()
    {
        var harness = ForTest(Local(2023, 8, 14, 8), OneUnit(Recurring("nominate", "hằng quý", "từ ngày 14/8/2023", "hết năm 2025", 15)));
        await harness.StartAsync();

        var q3 = Assert.Single(harness.Store.Tasks);
        Assert.Equal(("wf.nominate.PNV.2023-Q3", new DateOnly(2023, 10, 15), Local(2023, 8, 14, 8)), (q3.Id, q3.DueDate, q3.CreatedAt));
        Assert.Contains("vẫn được tính, từ 14/08/2023 đến 30/09/2023", q3.Description, StringComparison.Ordinal);
        Assert.Equal(10, RecurringUnitTaskActivity.Periods(RecurrenceCadence.Quarterly, new DateOnly(2023, 8, 14), new DateOnly(2025, 12, 31), null).Count);
    }

    [Fact]
    public async Task TaskBornOverdue_GoesToTheLatestRung_JournalAndTheUnitsFirstEmailSaySo()
    {
        // Due 19/07/2023, the plan starts 14/08/2023: every rung has passed; the latest (+7: secretariat, leaders)
        // writes only digests, so the unit is told by an overdue notice of its own.
        var harness = ForTest(Local(2023, 8, 14, 8), OneUnit(UnitTask("report", "trước ngày 20/7/2023", "mid-year-review-2023")));
        await harness.StartAsync();

        var created = Assert.Single(harness.JournalOf("TaskCreated"));
        Assert.Equal("hạn 19/07/2023; đã quá hạn 26 ngày khi giao (kế hoạch bắt đầu sau hạn)", created.Detail);
        Assert.Equal(4, harness.JournalOf("RungSkipped").Count);
        Assert.Equal(2, harness.JournalOf("EscalationListed").Count);
        var notice = Assert.Single(harness.Store.Outbox, m => m.Kind == MailKind.OverdueNotice);
        Assert.Equal(TestUnits.Email("PNV"), notice.To);
        Assert.Contains("Nhiệm vụ được giao ngày 14/08/2023, khi hạn đã qua (kế hoạch ban hành sau hạn này)", notice.TextBody, StringComparison.Ordinal);
        Assert.Equal("giao sau hạn, quá hạn 26 ngày", Assert.Single(harness.JournalOf("OverdueNoticeSent")).Detail);
        Assert.DoesNotContain(harness.Store.Outbox, m => m.Kind == MailKind.Reminder);
    }

    [Fact]
    public async Task TaskBornOneDayOverdue_TheOverdueRungItselfIsTheUnitsEmail_NoSecondOne()
    {
        var harness = ForTest(Local(2023, 7, 20, 9), OneUnit(UnitTask("report", "trước ngày 20/7/2023", "mid-year-review-2023")));
        await harness.StartAsync();

        var notice = Assert.Single(harness.Store.Outbox, m => m.Kind == MailKind.OverdueNotice);
        Assert.Contains("khi hạn đã qua", notice.TextBody, StringComparison.Ordinal);
        Assert.Equal("quá hạn 1 ngày", Assert.Single(harness.JournalOf("OverdueNoticeSent")).Detail);
    }

    [Fact]
    public async Task TaskOpenedBeforeItsDueDate_OverdueNoticeHasNoLateStartSentence()
    {
        var harness = ForTest(Local(2023, 7, 1, 8), OneUnit(UnitTask("report", "trước ngày 20/7/2023", "mid-year-review-2023")));
        await harness.StartAsync();
        await harness.RunToAsync(Local(2023, 7, 20, 9));

        Assert.Equal("hạn 19/07/2023", Assert.Single(harness.JournalOf("TaskCreated")).Detail);
        Assert.DoesNotContain("khi hạn đã qua", Assert.Single(harness.Store.Outbox, m => m.Kind == MailKind.OverdueNotice).TextBody, StringComparison.Ordinal);
    }

    // --- 4. a fixed-date yearly milestone ---

    [Fact]
    public void Periods_Anniversary_OnePerYearWhoseDayIsInsideThePlan()
    {
        var years = RecurringUnitTaskActivity.Periods(RecurrenceCadence.Yearly, new DateOnly(2023, 8, 14), new DateOnly(2026, 12, 31), new AnnualDate(6, 11));

        Assert.Equal(["2024", "2025", "2026"], years.Select(p => p.Key));
        Assert.Equal((new DateOnly(2024, 1, 1), new DateOnly(2024, 6, 11), "dịp 11/6/2024"), (years[0].Start, years[0].End, years[0].Label));
        var leap = RecurringUnitTaskActivity.Periods(RecurrenceCadence.Yearly, new DateOnly(2023, 1, 1), new DateOnly(2024, 12, 31), new AnnualDate(2, 29));
        Assert.Equal([new DateOnly(2023, 2, 28), new DateOnly(2024, 2, 29)], leap.Select(p => p.End));
    }

    [Fact]
    public async Task RecurringTask_YearlyOnElevenJune_DueTenDaysBeforeEveryYearOfTheFourYearPlan()
    {
        var harness = ForTest(Local(2022, 1, 3, 8), OneUnit(Recurring("report-11-6", "hằng năm, dịp 11/6", "năm 2022", "hết năm 2025", -10)));
        await harness.StartAsync();
        await harness.RunToAsync(Local(2025, 12, 31, 23));

        var tasks = harness.Store.Tasks.OrderBy(t => t.DueDate).ToList();
        Assert.Equal(["nomination-2022", "nomination-2023", "nomination-2024", "nomination-2025"], tasks.Select(t => t.Milestone));
        Assert.All(tasks, t => Assert.Equal(new DateOnly(t.DueDate.Year, 6, 1), t.DueDate));
        Assert.Equal("Giới thiệu điển hình dịp 11/6/2024", tasks[2].Title);
        Assert.All(tasks.Skip(1), t => Assert.Equal(Local(t.DueDate.Year, 1, 1), t.CreatedAt));
        // Each year has its own ladder: a reminder 7 days before 01/06.
        Assert.Equal(4, harness.JournalOf("ReminderSent").Count(e => e.Detail!.StartsWith("nhắc trước 7 ngày", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RecurringTask_YearlyDayWithDateShift_TheDayMovesWithThePlansDates()
    {
        var harness = ForTest(Local(2024, 1, 5, 8), OneUnit(Recurring("report-11-6", "hằng năm, dịp 11/6", "năm 2024", "hết năm 2025", -10)));
        await harness.Runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "test", Directory = harness.DirectoryName, InstanceId = "wf", DateShiftDays = 3 }, CancellationToken.None);

        var first = Assert.Single(harness.Store.Tasks);
        Assert.Equal(("nomination-2024", new DateOnly(2024, 6, 4)), (first.Milestone, first.DueDate));
    }

    [Fact]
    public async Task Quota_FromAsAPeriodPhrase_StartsOnItsFirstDay()
    {
        var quota = Activity("quota", "ThiDua.Quota",
            ("movement", Literal("Phong trào thử")), ("period", Literal("WholePeriod")), ("leadUnits", Strings("PNV")), ("minimum", Literal("01 tập thể")),
            ("from", Input("Deadline", "năm 2023", "DateOnly")), ("to", Input("Deadline", "hết năm 2025", "DateOnly")));
        var harness = ForTest(Local(2023, 1, 2, 8), new DefinitionBuilder().Add(Start(), quota).Chain("start", "quota").Build());
        await harness.StartAsync();

        var record = Assert.Single(harness.Store.Quotas);
        Assert.Equal((new DateOnly(2023, 1, 1), new DateOnly(2025, 12, 31), "2023-2025"), (record.PeriodStart, record.PeriodEnd, record.Period));
    }

    // --- 2. one group split by a tag ---

    [Fact]
    public void Select_GroupAndRequireTags_IsTheIntersection_ExcludeTagsTheRest_UnionUnchanged()
    {
        var directory = UnitDirectory.Parse(RepoFiles.Read("config/units/tinh-mau.json"));
        string[] block = ["KHOI-NOI-CHINH"];

        var armed = ForEachUnitActivity.Select(directory, block, [], [], [Lvt], []);
        var others = ForEachUnitActivity.Select(directory, block, [], [], [], [Lvt]);
        var union = ForEachUnitActivity.Select(directory, block, [], [Lvt]);

        Assert.Equal(["CA-TINH", "BCH-QS", "BCH-BP"], armed.Select(u => u.Code));
        Assert.Equal(["SO-TP"], others.Select(u => u.Code));
        Assert.Equal(["CA-TINH", "BCH-QS", "BCH-BP", "SO-TP"], union.Select(u => u.Code));
        Assert.Empty(ForEachUnitActivity.Select(directory, [], [], [], [Lvt, "lead"], []));
        Assert.Equal(57, ForEachUnitActivity.Select(directory, [], [], [], [], [Lvt]).Count);
    }

    // --- 6. the example province plan ---

    [Fact]
    public void ExamplePlan_Validates()
    {
        var result = WorkflowDefinitionReader.Default.Read(RepoFiles.Read("workflows/examples/tinh-mau-2023-2026.json"));
        Assert.True(result.IsValid, string.Join("; ", result.Problems));
    }

    [Fact]
    public void ExamplePlan_NextPeriod_MovesTheStartAndEndPhrasesAndStaysValid_TheYearlyDayStays()
    {
        var proposal = NextPeriodPlanner.Propose(JsonNode.Parse(RepoFiles.Read("workflows/examples/tinh-mau-2023-2026.json"))!.AsObject(), 5);

        Assert.Equal("tinh-mau-2028-2031", proposal.DefinitionId);
        Assert.Contains(proposal.Changes, c => c.Input == "from" && c.Old == "từ ngày 14/8/2023" && c.New == "từ ngày 14/8/2028");
        Assert.Contains(proposal.Changes, c => c.Input == "to" && c.Old == "hết năm 2025" && c.New == "hết năm 2030");
        Assert.DoesNotContain(proposal.Changes, c => c.Input == "recurrence");
        var result = WorkflowDefinitionReader.Default.Read(proposal.Definition.ToJsonString());
        Assert.True(result.IsValid, string.Join("; ", result.Problems));
    }

    [Fact]
    public async Task ExamplePlan_TypicalScenario_EveryShapeGivesThePeriodsThePlanSays()
    {
        var directory = UnitDirectory.Parse(RepoFiles.Read("config/units/tinh-mau.json"));
        Assert.Equal((15, 60), (directory.Groups.Count, directory.Units.Count));
        Assert.All(directory.Groups, g => Assert.Equal(4, directory.Units.Count(u => u.Group == g.Code)));
        var harness = new EngineHarness(Local(2023, 8, 14, 8), directory, RepoFiles.Read("workflows/examples/tinh-mau-2023-2026.json"))
            .With(new RuntimeOptions { Calendar = Vietnam });
        var result = await harness.SimulateAsync("tinh-mau-2023-2026", Scenario.Parse(RepoFiles.Read("config/scenarios/tinh-mau-typical.json")));
        IReadOnlyList<UnitTaskRecord> Of(string prefix) => [.. result.Tasks.Where(t => t.Milestone.StartsWith(prefix, StringComparison.Ordinal))];

        // The block split by the tag: armed forces 11 quarters with "ít nhất 03", the other unit 6 half-years with "ít nhất 02".
        var armed = Of("nomination-lvt-");
        Assert.Equal(["BCH-BP", "BCH-QS", "CA-TINH"], armed.Select(t => t.UnitCode).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(33, armed.Count);
        Assert.All(armed, t => Assert.Equal("any:3", t.Minimum));
        var other = Of("nomination-noi-chinh-");
        Assert.Equal(["2023-H1", "2023-H2", "2024-H1", "2024-H2", "2025-H1", "2025-H2"], other.Select(t => t.Milestone[^7..]).Order(StringComparer.Ordinal));
        Assert.All(other, t => Assert.Equal(("SO-TP", "any:2"), (t.UnitCode, t.Minimum)));
        // Seven blocks quarterly from signing, Q3/2023 skipped; seven district clusters half-yearly, H2/2023 included.
        Assert.Equal(28 * 13, Of("nomination-khoi-").Count);
        Assert.Equal("nomination-khoi-2023-Q4", Of("nomination-khoi-").MinBy(t => t.DueDate)!.Milestone);
        Assert.Equal(28 * 7, Of("nomination-cum-").Count);
        Assert.Equal("nomination-cum-2023-H2", Of("nomination-cum-").MinBy(t => t.DueDate)!.Milestone);
        // "hằng năm, dịp 11/6", 10 days before: 2024–2026 (11/6/2023 was before the plan), every unit.
        var anniversary = Of("anniversary-11-6-");
        Assert.Equal(60 * 3, anniversary.Count);
        Assert.Equal([new DateOnly(2024, 6, 1), new DateOnly(2025, 6, 1), new DateOnly(2026, 6, 1)], anniversary.Select(t => t.DueDate).Distinct().Order());
        // Issued late: the mid-year report (due 19/07/2023) and the armed forces' Q2/2023 are overdue at once and say so.
        var bornLate = Of("mid-year-review-2023").Concat(Of("nomination-lvt-2023-Q2")).Concat(Of("nomination-noi-chinh-2023-H1")).ToList();
        Assert.Equal(64, bornLate.Count);
        Assert.All(bornLate, t => Assert.Equal(UnitTaskStatus.DoneLate, t.Status));
        var lateNotices = result.Journal.Where(e => e.Event == "OverdueNoticeSent" && e.At == Local(2023, 8, 14, 8)).ToList();
        Assert.Equal(64, lateNotices.Count);
        Assert.All(result.Journal.Where(e => e.Event == "TaskCreated" && bornLate.Any(t => t.Id == e.TaskId)), e => Assert.Contains("khi giao (kế hoạch bắt đầu sau hạn)", e.Detail, StringComparison.Ordinal));

        var summary = SimulationSummary.From(result).ToText(result);
        Assert.Contains("Nhiệm vụ định kỳ (recurring periods):", summary, StringComparison.Ordinal);
        Assert.Contains("task-nomination-lvt                hằng quý              3     11  2023-Q2 → 2025-Q4", summary, StringComparison.Ordinal);
        Assert.Contains("task-anniversary-11-6              hằng năm             60      3  2024 → 2026", summary, StringComparison.Ordinal);
        Assert.Contains("3 đơn vị — hằng năm: 3 kỳ, hằng quý: 11 kỳ (CA-TINH, BCH-QS, BCH-BP)", summary, StringComparison.Ordinal);
        Assert.Contains("1 đơn vị — hằng năm: 3 kỳ, định kỳ 6 tháng: 6 kỳ (SO-TP)", summary, StringComparison.Ordinal);
    }
}
