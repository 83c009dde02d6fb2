using System.Text.Json.Nodes;
using WorkflowHost.Engine.Activities.Domain;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Tests.Infrastructure;
using WorkflowHost.Engine.Timeline;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;
using static WorkflowHost.Engine.Tests.Infrastructure.EngineHarness;

namespace WorkflowHost.Engine.Tests.Activities;

/// <summary>
/// The rules the real plans use (issue 5): periodic tasks by unit group, quotas, working days,
/// amendments of a running plan and moving it to a new version.
/// </summary>
public sealed class PlanRulesTests
{
    private static readonly DateTimeOffset NewYear2022 = Local(2022, 1, 3, 8);

    private static JsonObject Recurring(string id, string recurrence, string from, string to, string milestone = "nomination", string? minimum = null, int offset = 0)
    {
        var activity = Activity(id, "ThiDua.RecurringUnitTask",
            ("kind", Literal("Nomination")),
            ("milestone", Literal(milestone)),
            ("title", Literal("Giới thiệu điển hình {period}")),
            ("recurrence", Literal(recurrence)),
            ("from", Literal(from, "DateOnly")),
            ("to", Literal(to, "DateOnly")),
            ("dueOffsetDays", Literal(offset.ToString(System.Globalization.CultureInfo.InvariantCulture), "Int32")));
        if (minimum is not null) activity["minimum"] = Literal(minimum);
        return activity;
    }

    private static JsonObject Quota(string id, string movement, string period, string from, string to, string? minimum = null, string[]? leadUnits = null)
    {
        var activity = Activity(id, "ThiDua.Quota",
            ("movement", Literal(movement)),
            ("period", Literal(period)),
            ("from", Literal(from, "DateOnly")),
            ("to", Literal(to, "DateOnly")));
        if (minimum is not null) activity["minimum"] = Literal(minimum);
        if (leadUnits is not null) activity["leadUnits"] = Strings(leadUnits);
        return activity;
    }

    /// <summary>The plan of the issue: group KHOI nominates at least 3 every quarter, group CUM at least 2 every six months, in 2022.</summary>
    private static string TwoCadencePlan() => new DefinitionBuilder()
        .Add(Start(), Fork("fork", "khoi", "cum"),
            ForEachUnit("each-khoi", new DefinitionBuilder("khoi-body").Add(Recurring("nominate-q", "hằng quý", "2022-01-01", "2022-12-31", "nomination-khoi", "ít nhất 03 điển hình")).AsActivity(), groups: ["KHOI"]),
            ForEachUnit("each-cum", new DefinitionBuilder("cum-body").Add(Recurring("nominate-h", "định kỳ 6 tháng", "2022-01-01", "2022-12-31", "nomination-cum", "02 điển hình")).AsActivity(), groups: ["CUM"]))
        .Chain("start", "fork")
        .Connect("fork", "each-khoi", "khoi")
        .Connect("fork", "each-cum", "cum")
        .Build();

    [Fact]
    public void Periods_QuarterHalfYearYear_EndOnThePeriodsLastDayAndStayInsideTheRange()
    {
        var quarters = RecurringUnitTaskActivity.Periods(RecurrenceCadence.Quarterly, new DateOnly(2022, 2, 10), new DateOnly(2022, 12, 31));
        Assert.Equal(["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"], quarters.Select(p => p.Key));
        Assert.Equal(new DateOnly(2022, 2, 10), quarters[0].Start);
        Assert.Equal(new DateOnly(2022, 3, 31), quarters[0].End);
        Assert.Equal("quý IV/2022", quarters[3].Label);
        var halves = RecurringUnitTaskActivity.Periods(RecurrenceCadence.HalfYearly, new DateOnly(2021, 1, 1), new DateOnly(2022, 9, 30));
        Assert.Equal(["2021-H1", "2021-H2", "2022-H1"], halves.Select(p => p.Key));
        Assert.Equal("6 tháng cuối năm 2021", halves[1].Label);
        var years = RecurringUnitTaskActivity.Periods(RecurrenceCadence.Yearly, new DateOnly(2021, 6, 1), new DateOnly(2025, 12, 31));
        Assert.Equal(5, years.Count);
        Assert.Equal(new DateOnly(2025, 12, 31), years[^1].End);
        Assert.Equal(RecurrenceCadence.HalfYearly, RecurringUnitTaskActivity.ParseCadence("dinh ky 6 thang"));
        Assert.Equal(RecurrenceCadence.Quarterly, RecurringUnitTaskActivity.ParseCadence("Quarterly"));
        Assert.Throws<FormatException>(() => RecurringUnitTaskActivity.ParseCadence("trước ngày 15/10/2021"));
    }

    [Fact]
    public async Task RecurringTask_TwoGroupsTwoCadences_EachOccurrenceIsItsOwnTaskWithItsMinimum()
    {
        var harness = ForTest(NewYear2022, TwoCadencePlan());
        await harness.StartAsync();

        // Q1 and H1 occurrences exist at once; later ones appear when their period starts.
        Assert.Equal(["wf.nominate-h.XA-A.2022-H1", "wf.nominate-q.PNV.2022-Q1", "wf.nominate-q.PTC.2022-Q1"], harness.Store.Tasks.Select(t => t.Id).Order());
        var q1 = harness.Store.Tasks.Single(t => t.Id == "wf.nominate-q.PNV.2022-Q1");
        Assert.Equal(new DateOnly(2022, 3, 31), q1.DueDate);
        Assert.Equal("nomination-khoi-2022-Q1", q1.Milestone);
        Assert.Equal("Giới thiệu điển hình quý I/2022", q1.Title);
        Assert.Equal("any:3", q1.Minimum);
        var h1 = harness.Store.Tasks.Single(t => t.Id == "wf.nominate-h.XA-A.2022-H1");
        Assert.Equal(new DateOnly(2022, 6, 30), h1.DueDate);
        Assert.Equal("any:2", h1.Minimum);

        await harness.RunToAsync(Local(2022, 12, 31, 23));
        var tasks = harness.Store.Tasks;
        Assert.Equal(4, tasks.Count(t => t.UnitCode == "PNV"));
        Assert.Equal(2, tasks.Count(t => t.UnitCode == "XA-A"));
        Assert.Equal(0, tasks.Count(t => t.UnitCode == "XA-B")); // inactive
        Assert.Equal(new DateOnly(2022, 12, 31), tasks.Single(t => t.Id == "wf.nominate-q.PNV.2022-Q4").DueDate);
        // Each occurrence has its own ladder: the Q1 task of PNV got its own overdue notice.
        Assert.Contains(harness.Store.Outbox, m => m.Kind == MailKind.OverdueNotice && m.TaskId == "wf.nominate-q.PNV.2022-Q1");
        Assert.Contains(harness.Store.Outbox, m => m.Kind == MailKind.OverdueNotice && m.TaskId == "wf.nominate-q.PNV.2022-Q3");
    }

    [Fact]
    public async Task RecurringTask_EveryOccurrenceAccepted_CompletesAndTheFlowGoesOn()
    {
        var body = new DefinitionBuilder("body").Add(Recurring("nominate", "định kỳ 6 tháng", "2022-01-01", "2022-12-31")).AsActivity();
        var harness = ForTest(NewYear2022, new DefinitionBuilder()
            .Add(Start(), ForEachUnit("each", body, codes: ["PNV"]), SetVariable("after", "done", "yes"))
            .Chain("start", "each", "after").Build());
        await harness.StartAsync();
        foreach (var (period, submitAt) in new[] { ("2022-H1", Local(2022, 6, 20, 9)), ("2022-H2", Local(2022, 12, 20, 9)) })
        {
            await harness.RunToAsync(submitAt);
            await harness.Runtime.SubmitAsync($"wf.nominate.PNV.{period}", new JsonObject(), "unit:PNV", CancellationToken.None);
            await harness.Runtime.ReviewAsync($"wf.nominate.PNV.{period}", true, null, "secretariat", CancellationToken.None);
        }
        Assert.Equal("yes", (string?)harness.Variables()["done"]);
        Assert.Single(harness.JournalOf("RecurrenceCompleted"));
        Assert.All(harness.Store.Tasks, t => Assert.Equal(UnitTaskStatus.Done, t.Status));
        Assert.DoesNotContain(harness.Store.Bookmarks, b => b.ActivityId == "nominate");
    }

    [Fact]
    public async Task Quota_AcceptedNominationsCount_ShortfallEmailedToLeadUnitAndSecretariatAtYearEnd()
    {
        var body = new DefinitionBuilder("body").Add(UnitTask("nominate", "2022-06-30", milestone: "nomination-2022", kind: "Nomination")).AsActivity();
        var harness = ForTest(NewYear2022, new DefinitionBuilder()
            .Add(Start(), Fork("fork", "quota", "tasks"),
                Quota("quota", "Dân vận khéo", "Yearly", "2022-01-01", "2023-12-31", "03 tập thể, 03 cá nhân", ["PNV", "PTC"]),
                ForEachUnit("each", body, codes: ["PNV", "PTC"]))
            .Chain("start", "fork").Connect("fork", "quota", "quota").Connect("fork", "each", "tasks").Build());
        await harness.StartAsync();
        Assert.Equal(4, harness.Store.Quotas.Count);

        await harness.RunToAsync(Local(2022, 6, 10, 9));
        var rows = new JsonArray(
            Row("collective", "Trường Mầm non Hoa Ban", "Dân vận khéo"), Row("collective", "Trạm Y tế xã", "Dân vận khéo"), Row("collective", "Hợp tác xã", "Dân vận khéo"),
            Row("individual", "Lò Văn Ánh", "Dân vận khéo"), Row("individual", "Quàng Thị Bình", "Dân vận khéo"), Row("individual", "Cà Văn Chung", "Dân vận khéo"),
            Row("individual", "Other movement", "Chung sức xây dựng nông thôn mới"));
        await harness.Runtime.SubmitAsync("wf.nominate.PNV", new JsonObject { ["exemplars"] = rows }, "unit:PNV", CancellationToken.None);
        await harness.Runtime.SubmitAsync("wf.nominate.PTC", new JsonObject { ["exemplars"] = new JsonArray(Row("individual", "Tòng Văn Dũng", "dân vận khéo")) }, "unit:PTC", CancellationToken.None);
        await harness.Runtime.ReviewAsync("wf.nominate.PNV", true, null, "secretariat", CancellationToken.None);
        await harness.Runtime.ReviewAsync("wf.nominate.PTC", true, null, "secretariat", CancellationToken.None);

        var pnv = harness.Store.Quotas.Single(q => q.Id == "wf.quota.PNV.2022");
        Assert.Equal("collective:3;individual:3", pnv.Counted);
        Assert.Equal(QuotaStatus.Met, pnv.Status);
        Assert.Equal("individual:1", harness.Store.Quotas.Single(q => q.Id == "wf.quota.PTC.2022").Counted);
        Assert.Equal("", harness.Store.Quotas.Single(q => q.Id == "wf.quota.PTC.2023").Counted);

        // Evaluated on the first working morning after 31/12/2022 (every day counts here: 01/01/2023 08:00).
        await harness.RunToAsync(Local(2023, 1, 1, 7));
        Assert.DoesNotContain(harness.Store.Outbox, m => m.Kind == MailKind.QuotaShortfall);
        await harness.RunToAsync(Local(2023, 1, 1, 9));
        var shortfall = harness.Store.Outbox.Where(m => m.Kind == MailKind.QuotaShortfall).ToList();
        Assert.Equal([TestUnits.Email("PTC"), TestUnits.SecretariatEmail], shortfall.Select(m => m.To));
        Assert.Contains("Còn thiếu: 3 tập thể, 2 cá nhân", shortfall[0].TextBody, StringComparison.Ordinal);
        Assert.Contains("Phòng Tài chính – Kế hoạch — tối thiểu 3 tập thể, 3 cá nhân — đã chấp thuận 1 cá nhân — thiếu 3 tập thể, 2 cá nhân", shortfall[1].TextBody, StringComparison.Ordinal);
        Assert.Equal(QuotaStatus.Shortfall, harness.Store.Quotas.Single(q => q.Id == "wf.quota.PTC.2022").Status);
        Assert.Single(harness.JournalOf("QuotaMet"));

        // 2023: nobody nominates; both fall short, the quota activity completes after the last period.
        await harness.RunToAsync(Local(2024, 1, 2, 9));
        Assert.Equal(2, harness.Store.Quotas.Count(q => q.Period == "2023" && q.Status == QuotaStatus.Shortfall));
        Assert.DoesNotContain(harness.Store.Bookmarks, b => b.ActivityId == "quota");
    }

    private static JsonObject Row(string kind, string name, string movement) => new() { ["kind"] = kind, ["name"] = name, ["movement"] = movement };

    [Fact]
    public async Task Quota_LeadUnitsAndMinimumFromTheDirectory_WholePeriod()
    {
        var directory = TestUnits.Create();
        directory = new UnitDirectory
        {
            Directory = directory.Directory,
            Secretariat = directory.Secretariat,
            Leaders = directory.Leaders,
            Groups = directory.Groups,
            Units = [.. directory.Units.Select(u => u.Code == "PTC" ? u with { LeadOf = [new LeadMovement("Dân vận khéo", new Dictionary<string, int> { ["collective"] = 1, ["individual"] = 1 })] } : u)],
        };
        var harness = new EngineHarness(NewYear2022, directory, new DefinitionBuilder()
            .Add(Start(), Quota("quota", "Dân vận khéo", "WholePeriod", "2021-01-01", "2025-12-31")).Chain("start", "quota").Build());
        await harness.StartAsync();
        var quota = Assert.Single(harness.Store.Quotas);
        Assert.Equal(("PTC", "2021-2025", "collective:1;individual:1"), (quota.UnitCode, quota.Period, quota.Minimum));
        Assert.Equal(Local(2026, 1, 1, 8), harness.Store.Bookmarks.Single(b => b.ActivityId == "quota").DueAt);
    }

    // ---- working days ----

    private static readonly WorkingDayCalendar Vietnam = WorkingDayCalendar.Parse(RepoFiles.Read("config/calendar/vn-working-days.json"));

    [Fact]
    public void Ladder_WithTheVietnameseCalendar_MovesRungsOffWeekendsAndTetButNotTheDueDate()
    {
        var options = new RuntimeOptions { Calendar = Vietnam };
        // Due Monday 12/02/2024, in Tết (08–14/02/2024): 7 days before = Monday 05/02 (a working day);
        // 1 day before = Sunday 11/02 (Tết): the next working day (15/02) is past the deadline, so the
        // reminder goes out on the last working day before, Wednesday 07/02. The overdue notice of
        // 13/02 (Tết) moves to Thursday 15/02, the head escalation stays on Friday 16/02.
        var ladder = TaskLadder.Build(new DateOnly(2024, 2, 12), [7, 1], ["0:unit", "3:head"], options.NotificationTime);
        Assert.Equal([Local(2024, 2, 5, 8), Local(2024, 2, 7, 8), Local(2024, 2, 15, 8), Local(2024, 2, 16, 8)], ladder.Select(r => r.FireAt));
        // A Saturday deadline stays a Saturday; the day-before reminder (Friday) stays; the overdue notice (Sunday) → Monday.
        var saturday = TaskLadder.Build(new DateOnly(2024, 3, 16), [1], ["0:unit"], options.NotificationTime);
        Assert.Equal([Local(2024, 3, 15, 8), Local(2024, 3, 18, 8)], saturday.Select(r => r.FireAt));
    }

    [Fact]
    public async Task UnitTask_RungsMovedOntoTheSameMorning_AreAllSent()
    {
        // Due Friday 31/12/2021: the overdue notice (01/01, a holiday, then a weekend and the compensatory
        // Monday) and the head escalation (+3 = 04/01) both go out on Tuesday 04/01/2022.
        var harness = ForTest(Local(2021, 12, 1, 8), new DefinitionBuilder()
            .Add(Start(), UnitTask("task", "2021-12-31", unitCode: "PNV", reminderDays: [], escalation: ["0:unit", "3:head"])).Chain("start", "task").Build())
            .With(new RuntimeOptions { Calendar = Vietnam });
        await harness.StartAsync();
        await harness.RunToAsync(Local(2022, 1, 10));
        Assert.Equal([(MailKind.OverdueNotice, Local(2022, 1, 4, 8)), (MailKind.Escalation, Local(2022, 1, 4, 8))],
            harness.Store.Outbox.Select(m => (m.Kind, m.CreatedAt)));
        Assert.Empty(harness.JournalOf("RungSkipped"));
    }

    [Fact]
    public async Task UnitTask_TwoRemindersMovedOntoTheSameMorning_OneIsSent()
    {
        // Due Monday 18/03/2024 with reminders 2 and 1 days before: Saturday 16/03 and Sunday 17/03 both
        // move to Monday 18/03 08:00; the unit gets one reminder (the 1-day one), the other is journaled as skipped.
        var harness = ForTest(Local(2024, 3, 1, 8), new DefinitionBuilder()
            .Add(Start(), UnitTask("task", "2024-03-18", unitCode: "PNV", reminderDays: [2, 1], escalation: ["0:unit"])).Chain("start", "task").Build())
            .With(new RuntimeOptions { Calendar = Vietnam });
        await harness.StartAsync();
        await harness.RunToAsync(Local(2024, 3, 18, 12));
        var reminder = Assert.Single(harness.Store.Outbox, m => m.Kind == MailKind.Reminder);
        Assert.Equal(Local(2024, 3, 18, 8), reminder.CreatedAt);
        Assert.Single(harness.JournalOf("RungSkipped"));
    }

    [Fact]
    public async Task UnitTask_WithCalendar_RemindersGoOutOnWorkingDaysOnly()
    {
        var harness = ForTest(Local(2024, 3, 1, 8), new DefinitionBuilder()
            .Add(Start(), UnitTask("task", "2024-03-18", unitCode: "PNV", reminderDays: [7, 1])).Chain("start", "task").Build())
            .With(new RuntimeOptions { Calendar = Vietnam });
        await harness.StartAsync();
        await harness.RunToAsync(Local(2024, 3, 31));
        Assert.All(harness.Store.Outbox, m => Assert.True(Vietnam.IsWorkingDay(PlanTime.LocalDate(m.CreatedAt)), $"{m.Kind} on {PlanTime.Format(m.CreatedAt)}"));
        // 1 day before Monday 18/03 is Sunday 17/03 → sent Monday 18/03, the due day itself.
        Assert.Contains(harness.Store.Outbox, m => m.Kind == MailKind.Reminder && m.CreatedAt == Local(2024, 3, 18, 8));
        Assert.Equal(new DateOnly(2024, 3, 18), harness.Store.Tasks.Single().DueDate);
    }

    // ---- amendments ----

    private static async Task<EngineHarness> AllUnitsTaskAsync(string due = "2024-03-15")
    {
        var body = new DefinitionBuilder("body").Add(UnitTask("task", due)).AsActivity();
        var harness = ForTest(Local(2024, 3, 4, 8), new DefinitionBuilder().Add(Start(), ForEachUnit("each", body)).Chain("start", "each").Build());
        await harness.StartAsync();
        return harness;
    }

    [Fact]
    public async Task AmendDueDate_Extended_ReplansTheLadderAndNeverResendsWhatWasSent()
    {
        var harness = await AllUnitsTaskAsync();
        await harness.RunToAsync(Local(2024, 3, 8, 9)); // r0 (7 days before 15/03) sent on 08/03
        Assert.Equal(3, harness.Store.Outbox.Count(m => m.Kind == MailKind.Reminder));

        var changed = await harness.Runtime.AmendDueDateAsync(["wf.task.PNV"], new DateOnly(2024, 3, 29), "Gia hạn theo đề nghị của đơn vị", "secretariat:thuky", CancellationToken.None);

        Assert.Equal(1, changed);
        var task = harness.Store.Tasks.Single(t => t.Id == "wf.task.PNV");
        Assert.Equal((new DateOnly(2024, 3, 29), 1), (task.DueDate, task.DueRevision));
        var notice = Assert.Single(harness.Store.Outbox, m => m.Kind == MailKind.DueDateChanged);
        Assert.Contains("từ 15/03/2024 thành 29/03/2024", notice.TextBody, StringComparison.Ordinal);
        Assert.Contains("Gia hạn theo đề nghị", notice.TextBody, StringComparison.Ordinal);
        Assert.Equal("secretariat:thuky", harness.JournalOf("DueDateChanged").Single().Actor);

        await harness.RunToAsync(Local(2024, 4, 10));
        var pnv = harness.Store.Outbox.Where(m => m.TaskId == "wf.task.PNV").ToList();
        // The other units keep 15/03: overdue on 16/03. PNV: reminders 22/03 and 28/03 for the new date, overdue on 30/03.
        Assert.DoesNotContain(pnv, m => m.Kind == MailKind.OverdueNotice && m.CreatedAt < Local(2024, 3, 30));
        Assert.Equal([Local(2024, 3, 8, 8), Local(2024, 3, 22, 8), Local(2024, 3, 28, 8)], pnv.Where(m => m.Kind == MailKind.Reminder).Select(m => m.CreatedAt));
        Assert.Contains(pnv, m => m.Kind == MailKind.OverdueNotice && m.CreatedAt == Local(2024, 3, 30, 8));
        Assert.Contains(harness.Store.Outbox, m => m.Kind == MailKind.OverdueNotice && m.TaskId == "wf.task.PTC" && m.CreatedAt == Local(2024, 3, 16, 8));
        Assert.Equal(harness.Store.Outbox.Count, harness.Store.Outbox.Select(m => m.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task AmendDueDate_OverdueTaskGivenNewDate_IsNoLongerOverdueAndEscalationsStartOver()
    {
        var harness = await AllUnitsTaskAsync();
        await harness.RunToAsync(Local(2024, 3, 20, 9)); // overdue notice 16/03 and head escalation 19/03 sent
        await harness.Runtime.AmendDueDateAsync(["wf.task.PNV", "wf.task.PTC", "wf.task.XA-A"], new DateOnly(2024, 3, 25), null, "secretariat", CancellationToken.None);
        Assert.All(harness.Store.Tasks, t => Assert.True(t.DueAt > harness.Clock.GetUtcNow()));
        // 7-day reminder (18/03) has passed under the new date and is not sent; the 1-day one (24/03) is.
        await harness.RunToAsync(Local(2024, 3, 26, 9));
        var pnv = harness.Store.Outbox.Where(m => m.TaskId == "wf.task.PNV").Select(m => (m.Kind, m.CreatedAt)).ToList();
        Assert.Contains((MailKind.Reminder, Local(2024, 3, 24, 8)), pnv);
        Assert.Contains((MailKind.OverdueNotice, Local(2024, 3, 26, 8)), pnv);
        Assert.Single(pnv, p => p.Kind == MailKind.Reminder && p.CreatedAt > Local(2024, 3, 20));
    }

    [Fact]
    public async Task AmendDueDate_PastDateOrClosedTask_IsRefusedAndWritesNothing()
    {
        var harness = await AllUnitsTaskAsync();
        await Assert.ThrowsAsync<TaskStateException>(() => harness.Runtime.AmendDueDateAsync(["wf.task.PNV"], new DateOnly(2024, 3, 1), null, "secretariat", CancellationToken.None));
        await harness.Runtime.SubmitAsync("wf.task.PNV", new JsonObject(), "unit:PNV", CancellationToken.None);
        await harness.Runtime.ReviewAsync("wf.task.PNV", true, null, "secretariat", CancellationToken.None);
        var before = await harness.SnapshotAsync("wf");
        Assert.Equal(0, await harness.Runtime.AmendDueDateAsync(["wf.task.PNV", "no-such-task"], new DateOnly(2024, 4, 1), null, "secretariat", CancellationToken.None));
        await Assert.ThrowsAsync<TaskStateException>(() => harness.Runtime.RemindAsync("wf.task.PNV", "secretariat", CancellationToken.None));
        Assert.Equal(before, await harness.SnapshotAsync("wf"));
    }

    [Fact]
    public async Task Remind_SendsNowBeforeOrAfterTheDueDate()
    {
        var harness = await AllUnitsTaskAsync();
        await harness.Runtime.RemindAsync("wf.task.PTC", "secretariat:thuky", CancellationToken.None);
        Assert.Single(harness.Store.Outbox, m => m.TaskId == "wf.task.PTC" && m.Kind == MailKind.Reminder);
        await harness.RunToAsync(Local(2024, 3, 17, 14));
        await harness.Runtime.RemindAsync("wf.task.PTC", "secretariat:thuky", CancellationToken.None);
        Assert.Contains(harness.Store.Outbox, m => m.TaskId == "wf.task.PTC" && m.Kind == MailKind.OverdueNotice && m.CreatedAt == Local(2024, 3, 17, 14));
        Assert.Equal(2, harness.Store.Journal.Count(e => e.Actor == "secretariat:thuky"));
    }

    [Fact]
    public async Task AddUnit_ToARunningForEachUnit_StartsItsBranchOnce()
    {
        var directory = TestUnits.Create();
        var harness = await AllUnitsTaskAsync();
        var grown = new UnitDirectory
        {
            Directory = directory.Directory,
            Secretariat = directory.Secretariat,
            Leaders = directory.Leaders,
            Groups = directory.Groups,
            Units = [.. directory.Units, new Unit { Code = "XA-C", Name = "UBND xã Chiềng Sinh", Group = "CUM", Email = "xa-c@example.test" }],
        };
        harness.Source.AddDirectory(grown);

        Assert.Equal(1, await harness.Runtime.AddUnitAsync("wf", "XA-C", "secretariat", CancellationToken.None));
        Assert.Equal(1, await harness.Runtime.AddUnitAsync("wf", "XA-C", "secretariat", CancellationToken.None));
        Assert.Single(harness.Store.Tasks, t => t.UnitCode == "XA-C");
        Assert.Single(harness.JournalOf("UnitAdded"));

        // The ForEachUnit now also waits for the new branch.
        foreach (var code in new[] { "PNV", "PTC", "XA-A" })
        {
            await harness.Runtime.SubmitAsync($"wf.task.{code}", new JsonObject(), "unit:" + code, CancellationToken.None);
            await harness.Runtime.ReviewAsync($"wf.task.{code}", true, null, "secretariat", CancellationToken.None);
        }
        Assert.Empty(harness.JournalOf("ForEachUnitCompleted"));
        await harness.Runtime.SubmitAsync("wf.task.XA-C", new JsonObject(), "unit:XA-C", CancellationToken.None);
        await harness.Runtime.ReviewAsync("wf.task.XA-C", true, null, "secretariat", CancellationToken.None);
        Assert.Single(harness.JournalOf("ForEachUnitCompleted"));
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    // ---- versions ----

    private static string Version(int version, string due, bool withSecondTask = true)
    {
        var builder = new DefinitionBuilder("body").Add(UnitTask("task", due));
        var body = builder.AsActivity();
        var plan = new DefinitionBuilder().Add(Start(), ForEachUnit("each", body));
        if (withSecondTask) plan.Add(UnitTask("final", "2024-12-31", milestone: "final", unitCode: "PNV")).Chain("start", "each", "final");
        else plan.Chain("start", "each");
        var json = plan.BuildObject();
        json["version"] = version;
        return json.ToJsonString();
    }

    [Fact]
    public async Task Migrate_DryRunThenApply_OpenTasksTakeNewDatesCompletedOnesAreUntouched()
    {
        var harness = ForTest(Local(2024, 3, 4, 8), Version(1, "2024-03-15"), Version(2, "2024-04-15"));
        await harness.Runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "test", Version = 1, Directory = harness.DirectoryName, InstanceId = "wf" }, CancellationToken.None);
        await harness.Runtime.SubmitAsync("wf.task.PNV", new JsonObject(), "unit:PNV", CancellationToken.None);
        await harness.Runtime.ReviewAsync("wf.task.PNV", true, null, "secretariat", CancellationToken.None);
        var before = await harness.SnapshotAsync("wf");

        var plan = await harness.Runtime.PlanMigrationAsync("wf", 2, CancellationToken.None);

        Assert.Equal(before, await harness.SnapshotAsync("wf"));
        Assert.Empty(plan.Blockers);
        Assert.Equal(["wf.task.PTC", "wf.task.XA-A"], plan.Changes.Select(c => c.TaskId));
        Assert.All(plan.Changes, c => Assert.Equal((new DateOnly(2024, 3, 15), new DateOnly(2024, 4, 15)), (c.OldDueDate, c.NewDueDate)));

        await harness.Runtime.MigrateAsync("wf", 2, "secretariat", CancellationToken.None);

        Assert.Equal(2, harness.Store.Instance("wf")!.DefinitionVersion);
        Assert.Equal(new DateOnly(2024, 3, 15), harness.Store.Tasks.Single(t => t.Id == "wf.task.PNV").DueDate);
        Assert.Equal(UnitTaskStatus.Done, harness.Store.Tasks.Single(t => t.Id == "wf.task.PNV").Status);
        Assert.All(harness.Store.Tasks.Where(t => t.Id != "wf.task.PNV"), t => Assert.Equal(new DateOnly(2024, 4, 15), t.DueDate));
        Assert.Single(harness.JournalOf("VersionChanged"));
        Assert.Equal(2, harness.JournalOf("DueDateChanged").Count);
    }

    [Fact]
    public async Task Migrate_WaitingActivityRemovedInNewVersion_IsBlockedAndWritesNothing()
    {
        var harness = ForTest(Local(2024, 3, 4, 8), Version(1, "2024-03-15"), Version(2, "2024-03-15", withSecondTask: false));
        await harness.Runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "test", Version = 1, Directory = harness.DirectoryName, InstanceId = "wf" }, CancellationToken.None);
        foreach (var code in TestUnits.ActiveCodes)
        {
            await harness.Runtime.SubmitAsync($"wf.task.{code}", new JsonObject(), "unit:" + code, CancellationToken.None);
            await harness.Runtime.ReviewAsync($"wf.task.{code}", true, null, "secretariat", CancellationToken.None);
        }
        var before = await harness.SnapshotAsync("wf");

        var plan = await harness.Runtime.PlanMigrationAsync("wf", 2, CancellationToken.None);
        Assert.Contains(plan.Blockers, b => b.Contains("\"final\"", StringComparison.Ordinal));
        var e = await Assert.ThrowsAsync<TaskStateException>(() => harness.Runtime.MigrateAsync("wf", 2, "secretariat", CancellationToken.None));
        Assert.Contains("final", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await harness.SnapshotAsync("wf"));
    }
}
