using System.Net;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Tests.Infrastructure;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;
using static WorkflowHost.Engine.Tests.Infrastructure.EngineHarness;

namespace WorkflowHost.Engine.Tests.Activities;

/// <summary>
/// The task ladder used throughout, for a task due Friday 15/03/2024 with the default ladder
/// (reminders [7,1]; escalation 0:unit, 3:head, 7:secretariat,leaders), all at 08:00 local (UTC+7):
/// r0 reminder 08/03, r1 reminder 14/03, r2 overdue notice 16/03, r3 head 19/03, r4 digests 23/03.
/// </summary>
public sealed class UnitTaskTests
{
    private const string TaskId = "wf.task.PNV";
    private static readonly DateTimeOffset Monday = Local(2024, 3, 4, 8);
    private static readonly DateOnly Due = new(2024, 3, 15);
    private static readonly DateTimeOffset Reminder7 = Local(2024, 3, 8, 8), Reminder1 = Local(2024, 3, 14, 8);
    private static readonly DateTimeOffset Overdue = Local(2024, 3, 16, 8), Head = Local(2024, 3, 19, 8), Digest = Local(2024, 3, 23, 8);

    private static readonly string[] LateUnitNames = ["Phòng Nội vụ", "Phòng Tài chính – Kế hoạch", "UBND xã An Bình"];

    /// <summary>One task for PNV in the root flowchart; its outcome port sets the variable "outcome".</summary>
    private static async Task<EngineHarness> StartSingleAsync(DateTimeOffset? start = null, string dueDate = "2024-03-15", string[]? escalation = null)
    {
        var harness = ForTest(start ?? Monday, new DefinitionBuilder()
            .Add(Start(), UnitTask("task", dueDate, unitCode: "PNV", escalation: escalation), SetVariable("on-time", "outcome", "Done"), SetVariable("late", "outcome", "DoneLate"))
            .Chain("start", "task")
            .Connect("task", "on-time", "Done")
            .Connect("task", "late", "DoneLate")
            .Build());
        await harness.StartAsync();
        return harness;
    }

    /// <summary>One task per active unit (PNV, PTC, XA-A).</summary>
    private static async Task<EngineHarness> StartAllUnitsAsync()
    {
        var body = new DefinitionBuilder("body").Add(UnitTask("task", "2024-03-15")).AsActivity();
        var harness = ForTest(Monday, new DefinitionBuilder().Add(Start(), ForEachUnit("each", body)).Chain("start", "each").Build());
        await harness.StartAsync();
        return harness;
    }

    private static async Task SubmitAtAsync(EngineHarness harness, DateTimeOffset at, string taskId = TaskId)
    {
        await harness.RunToAsync(at);
        await harness.Runtime.SubmitAsync(taskId, new() { ["soVanBan"] = "15/KH-UBND" }, "unit:PNV", CancellationToken.None);
    }

    private static async Task ReviewAtAsync(EngineHarness harness, DateTimeOffset at, bool accept, string? comment = null, string taskId = TaskId)
    {
        await harness.RunToAsync(at);
        await harness.Runtime.ReviewAsync(taskId, accept, comment, "thuongtruc", CancellationToken.None);
    }

    private static UnitTaskRecord Task(EngineHarness harness, string taskId = TaskId) => harness.Store.Tasks.Single(t => t.Id == taskId);

    private static List<OutboxMessage> Mails(EngineHarness harness, MailKind kind) => [.. harness.Store.Outbox.Where(o => o.Kind == kind)];

    // ---- creation ----

    [Fact]
    public async Task Execute_CreatesTaskDueAtEndOfLocalDay()
    {
        var harness = await StartSingleAsync();

        var task = Task(harness);
        Assert.Equal(Due, task.DueDate);
        // End of 15/03 local = 00:00 +07:00 on 16/03 = 17:00 UTC on 15/03.
        Assert.Equal(new DateTimeOffset(2024, 3, 16, 0, 0, 0, TimeSpan.FromHours(7)), task.DueAt);
        Assert.Equal(new DateTimeOffset(2024, 3, 15, 17, 0, 0, TimeSpan.Zero), task.DueAt);
        Assert.Equal(TimeSpan.Zero, task.DueAt.Offset);
        Assert.Equal(UnitTaskStatus.Open, task.Status);
        Assert.Equal("PNV", task.UnitCode);
        Assert.Equal("bao-cao-2024", task.Milestone);
        Assert.Equal(UnitTaskKind.Report, task.Kind);
        Assert.Equal(Monday, task.CreatedAt);
        Assert.Equal("7,1", task.ReminderDays);
        Assert.Equal("0:unit;3:head;7:secretariat,leaders", task.Escalation);
        Assert.Empty(harness.Store.Outbox);
    }

    [Fact]
    public async Task Execute_WaitsOnSubmissionEventAndFirstRungTimer()
    {
        var harness = await StartSingleAsync();

        var bookmarks = harness.Store.Bookmarks;
        Assert.Contains(bookmarks, b => b.Kind == BookmarkKind.Event && b.EventKey == "task:" + TaskId);
        var timer = Assert.Single(bookmarks, b => b.Kind == BookmarkKind.Timer);
        Assert.Equal(Reminder7, timer.DueAt);
        Assert.Equal(new DateTimeOffset(2024, 3, 8, 1, 0, 0, TimeSpan.Zero), timer.DueAt);
    }

    [Theory]
    [InlineData("trước ngày 16/3/2024")]
    [InlineData("chậm nhất ngày 15/3/2024")]
    [InlineData("2024-03-15")]
    public async Task Execute_DeadlinePhrase_GivesLastLocalDay(string dueDate)
    {
        var harness = await StartSingleAsync(dueDate: dueDate);

        Assert.Equal(Due, Task(harness).DueDate);
    }

    // ---- the ladder ----

    [Fact]
    public async Task Ladder_Reminders_At0800LocalNDaysBefore()
    {
        var harness = await StartSingleAsync();

        await harness.RunToAsync(Reminder7.AddMinutes(-1));
        Assert.Empty(harness.Store.Outbox);
        await harness.RunToAsync(Reminder7);
        var first = Assert.Single(harness.Store.Outbox);
        await harness.RunToAsync(Reminder1.AddMinutes(-1));
        Assert.Single(harness.Store.Outbox);
        await harness.RunToAsync(Reminder1);

        var reminders = Mails(harness, MailKind.Reminder);
        Assert.Equal(2, reminders.Count);
        Assert.Equal(harness.Store.Outbox.Count, reminders.Count);
        Assert.All(reminders, r => Assert.Equal(TestUnits.Email("PNV"), r.To));
        Assert.Equal([Reminder7, Reminder1], reminders.Select(r => r.CreatedAt));
        Assert.Contains("còn 07 ngày đến hạn", first.TextBody, StringComparison.Ordinal);
        Assert.Contains("còn 01 ngày đến hạn", reminders[1].TextBody, StringComparison.Ordinal);
        Assert.Equal(2, harness.JournalOf("ReminderSent").Count);
    }

    [Fact]
    public async Task Ladder_OverdueNotice_OnTheMorningAfterTheDueDate()
    {
        var harness = await StartSingleAsync();

        await harness.RunToAsync(Local(2024, 3, 15, 23, 59));
        await harness.RunToAsync(Overdue.AddMinutes(-1));
        Assert.Empty(Mails(harness, MailKind.OverdueNotice));

        await harness.RunToAsync(Overdue);

        var notice = Assert.Single(Mails(harness, MailKind.OverdueNotice));
        Assert.Equal(TestUnits.Email("PNV"), notice.To);
        Assert.Equal(Overdue, notice.CreatedAt);
        Assert.StartsWith("[Quá hạn]", notice.Subject, StringComparison.Ordinal);
        Assert.Contains("quá hạn 1 ngày", notice.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ladder_HeadEscalation_ThreeDaysAfterTheOverdueNotice()
    {
        var harness = await StartSingleAsync();

        await harness.RunToAsync(Head.AddMinutes(-1));
        Assert.Empty(Mails(harness, MailKind.Escalation));
        await harness.RunToAsync(Head);

        var escalation = Assert.Single(Mails(harness, MailKind.Escalation));
        Assert.Equal(TestUnits.HeadEmail("PNV"), escalation.To);
        Assert.Equal("[Đôn đốc] Phòng Nội vụ chậm thực hiện: Báo cáo kết quả thi đua năm 2024", escalation.Subject);
        Assert.Contains("Kính gửi: Thủ trưởng Phòng Nội vụ — Phòng Nội vụ", escalation.TextBody, StringComparison.Ordinal);
        Assert.Contains("hiện đã quá hạn 4 ngày", escalation.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ladder_SecretariatAndLeaders_OneDigestEachListingEveryLateUnit()
    {
        var harness = await StartAllUnitsAsync();

        await harness.RunToAsync(Digest.AddMinutes(-1));
        Assert.Empty(Mails(harness, MailKind.EscalationDigest));
        await harness.RunToAsync(Digest);

        var digests = Mails(harness, MailKind.EscalationDigest);
        // One email per recipient for the milestone, not one per late unit.
        Assert.Equal([TestUnits.ChairEmail, TestUnits.ViceChairEmail, TestUnits.SecretariatEmail], digests.Select(d => d.To).Order(StringComparer.Ordinal));
        Assert.All(digests, d =>
        {
            Assert.Equal("[Báo cáo quá hạn] 3 đơn vị chậm: Báo cáo kết quả thi đua năm 2024", d.Subject);
            foreach (var name in LateUnitNames)
            {
                Assert.Contains(name, d.TextBody, StringComparison.Ordinal);
                Assert.Contains($"<td>{name}</td>", d.HtmlBody, StringComparison.Ordinal);
            }
            Assert.DoesNotContain("Bình Yên", d.TextBody, StringComparison.Ordinal);
            Assert.Contains("quá hạn 8 ngày", d.TextBody, StringComparison.Ordinal);
            Assert.Contains("Đến ngày 23/03/2024, 3 đơn vị chưa hoàn thành", d.TextBody, StringComparison.Ordinal);
        });
        Assert.Equal(3, harness.JournalOf("EscalationDigestSent").Count);
        // Units got their own notices and head escalations, one each.
        Assert.Equal(3, Mails(harness, MailKind.OverdueNotice).Count);
        Assert.Equal(3, Mails(harness, MailKind.Escalation).Count);
    }

    [Fact]
    public async Task Ladder_UnitAcceptedLateBeforeTheDigest_IsNotListed()
    {
        var harness = await StartAllUnitsAsync();
        await SubmitAtAsync(harness, Local(2024, 3, 20, 9), "wf.task.XA-A");
        await ReviewAtAsync(harness, Local(2024, 3, 21, 10), accept: true, taskId: "wf.task.XA-A");

        await harness.RunToAsync(Digest);

        var digests = Mails(harness, MailKind.EscalationDigest);
        Assert.Equal(3, digests.Count);
        Assert.All(digests, d =>
        {
            Assert.StartsWith("[Báo cáo quá hạn] 2 đơn vị chậm", d.Subject, StringComparison.Ordinal);
            Assert.DoesNotContain("UBND xã An Bình", d.TextBody, StringComparison.Ordinal);
        });
        Assert.Equal(UnitTaskStatus.DoneLate, Task(harness, "wf.task.XA-A").Status);
    }

    // ---- review ----

    [Fact]
    public async Task Accept_SubmittedBeforeDue_CompletesDone()
    {
        var harness = await StartSingleAsync();
        await SubmitAtAsync(harness, Local(2024, 3, 10, 9));
        Assert.Equal(UnitTaskStatus.Submitted, Task(harness).Status);

        await ReviewAtAsync(harness, Local(2024, 3, 11, 10), accept: true);

        var task = Task(harness);
        Assert.Equal(UnitTaskStatus.Done, task.Status);
        Assert.Equal(Local(2024, 3, 11, 10), task.CompletedAt);
        Assert.Equal(Local(2024, 3, 10, 9), task.SubmittedAt);
        Assert.Equal("Done", (string?)harness.Variables()["outcome"]);
        var accepted = Assert.Single(Mails(harness, MailKind.SubmissionAccepted));
        Assert.Equal(TestUnits.Email("PNV"), accepted.To);
        Assert.Contains("(đúng hạn)", accepted.TextBody, StringComparison.Ordinal);
        Assert.Empty(harness.Store.Bookmarks);
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Theory]
    // Submitted in the last minute of the due date, reviewed after it: on time.
    [InlineData(2024, 3, 15, 23, 59, UnitTaskStatus.Done, "Done")]
    // Submitted at the first instant after the due date: late.
    [InlineData(2024, 3, 16, 0, 0, UnitTaskStatus.DoneLate, "DoneLate")]
    [InlineData(2024, 3, 20, 9, 0, UnitTaskStatus.DoneLate, "DoneLate")]
    public async Task Accept_Submission_StatusFollowsTheSubmissionInstant(int year, int month, int day, int hour, int minute, UnitTaskStatus expected, string outcome)
    {
        var harness = await StartSingleAsync();
        await SubmitAtAsync(harness, Local(year, month, day, hour, minute));

        await ReviewAtAsync(harness, Local(2024, 3, 21, 10), accept: true);

        Assert.Equal(expected, Task(harness).Status);
        Assert.Equal(outcome, (string?)harness.Variables()["outcome"]);
        Assert.Single(harness.JournalOf("VariableSet"));
    }

    [Fact]
    public async Task Return_WithComment_EmailsTheUnitEscapedAndWaitsAgain()
    {
        const string comment = "<b>x</b> & \"y\"";
        var harness = await StartSingleAsync();
        await SubmitAtAsync(harness, Local(2024, 3, 10, 9));

        await ReviewAtAsync(harness, Local(2024, 3, 11, 10), accept: false, comment);

        var returned = Assert.Single(Mails(harness, MailKind.SubmissionReturned));
        Assert.Equal(TestUnits.Email("PNV"), returned.To);
        Assert.StartsWith("[Trả lại]", returned.Subject, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;", returned.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>x</b>", returned.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(comment, returned.TextBody, StringComparison.Ordinal);
        var task = Task(harness);
        Assert.Equal(UnitTaskStatus.Returned, task.Status);
        Assert.Equal(1, task.ReturnCount);
        Assert.Equal(comment, task.LastComment);
        Assert.Contains(harness.Store.Bookmarks, b => b.EventKey == "task:" + TaskId);
        Assert.Null((string?)harness.Variables()["outcome"]);

        await SubmitAtAsync(harness, Local(2024, 3, 12, 9));
        await ReviewAtAsync(harness, Local(2024, 3, 13, 10), accept: true);

        Assert.Equal(UnitTaskStatus.Done, Task(harness).Status);
        Assert.Equal("Done", (string?)harness.Variables()["outcome"]);
        Assert.Equal(["Submitted", "Returned", "Submitted", "Accepted"],
            harness.Store.Journal.Where(e => e.Event is "Submitted" or "Returned" or "Accepted").Select(e => e.Event));
    }

    [Fact]
    public async Task Accept_ThenClockRunsToTheEnd_NoMoreRemindersOrEscalations()
    {
        var harness = await StartSingleAsync();
        await harness.RunToAsync(Reminder7);
        await SubmitAtAsync(harness, Local(2024, 3, 9, 9));
        var acceptedAt = Local(2024, 3, 12, 10);
        await ReviewAtAsync(harness, acceptedAt, accept: true);

        await harness.RunToAsync(Local(2024, 6, 30));

        Assert.DoesNotContain(harness.Store.Outbox, o => o.CreatedAt > acceptedAt);
        Assert.Equal([MailKind.Reminder, MailKind.SubmissionAccepted], harness.Store.Outbox.Select(o => o.Kind));
        Assert.Empty(harness.Store.Bookmarks);
    }

    [Fact]
    public async Task Ladder_RungsFallingDueWhileAwaitingReview_AreSkipped()
    {
        var harness = await StartSingleAsync();
        await harness.RunToAsync(Reminder7);
        // Submitted before the 1-day reminder; the secretariat reviews only on 17/03, after the overdue rung.
        await SubmitAtAsync(harness, Local(2024, 3, 13, 9));

        await harness.RunToAsync(Local(2024, 3, 17, 9));

        Assert.Single(harness.Store.Outbox);
        var skipped = harness.JournalOf("RungSkipped");
        Assert.Equal([Reminder1, Overdue], skipped.Select(e => e.At));
        Assert.All(skipped, e => Assert.Contains("đang chờ xem xét", e.Detail, StringComparison.Ordinal));

        // Returned after the due date: the skipped rungs do not come back, the next one fires as planned.
        await ReviewAtAsync(harness, Local(2024, 3, 17, 10), accept: false, "Thiếu chữ ký.");
        await harness.RunToAsync(Head);

        Assert.Equal([MailKind.Reminder, MailKind.SubmissionReturned, MailKind.Escalation], harness.Store.Outbox.Select(o => o.Kind));
    }

    [Fact]
    public async Task Submit_AcceptedTask_ThrowsAndWritesNothing()
    {
        var harness = await StartSingleAsync();
        await SubmitAtAsync(harness, Local(2024, 3, 10, 9));
        await ReviewAtAsync(harness, Local(2024, 3, 11, 10), accept: true);
        var before = await harness.SnapshotAsync("wf");

        await Assert.ThrowsAsync<TaskStateException>(() => harness.Runtime.SubmitAsync(TaskId, null, "unit:PNV", CancellationToken.None));

        Assert.Equal(before, await harness.SnapshotAsync("wf"));
    }

    [Fact]
    public async Task Submit_AlreadySubmitted_ThrowsAndWritesNothing()
    {
        var harness = await StartSingleAsync();
        await SubmitAtAsync(harness, Local(2024, 3, 10, 9));
        var before = await harness.SnapshotAsync("wf");

        await Assert.ThrowsAsync<TaskStateException>(() => harness.Runtime.SubmitAsync(TaskId, null, "unit:PNV", CancellationToken.None));

        Assert.Equal(before, await harness.SnapshotAsync("wf"));
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, "Đề nghị bổ sung.")]
    public async Task Review_NothingSubmitted_ThrowsAndWritesNothing(bool accept, string? comment)
    {
        var harness = await StartSingleAsync();
        await harness.RunToAsync(Reminder7);
        var before = await harness.SnapshotAsync("wf");

        await Assert.ThrowsAsync<TaskStateException>(() => harness.Runtime.ReviewAsync(TaskId, accept, comment, "thuongtruc", CancellationToken.None));

        Assert.Equal(before, await harness.SnapshotAsync("wf"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public async Task Review_ReturnWithoutComment_ThrowsAndWritesNothing(string? comment)
    {
        var harness = await StartSingleAsync();
        await SubmitAtAsync(harness, Local(2024, 3, 10, 9));
        var before = await harness.SnapshotAsync("wf");

        await Assert.ThrowsAsync<TaskStateException>(() => harness.Runtime.ReviewAsync(TaskId, accept: false, comment, "thuongtruc", CancellationToken.None));

        Assert.Equal(before, await harness.SnapshotAsync("wf"));
    }

    [Fact]
    public async Task Submit_UnknownTask_ThrowsKeyNotFound()
    {
        var harness = await StartSingleAsync();

        await Assert.ThrowsAsync<KeyNotFoundException>(() => harness.Runtime.SubmitAsync("wf.task.KHONG-CO", null, "unit:X", CancellationToken.None));
    }

    // ---- no stale flood ----

    [Fact]
    public async Task Execute_StartedAfterSeveralRungsPassed_SendsOnlyTheLatestPassedRung()
    {
        // Started on 17/03: the two reminders and the overdue notice (16/03) have passed.
        var harness = await StartSingleAsync(Local(2024, 3, 17, 9));

        var only = Assert.Single(harness.Store.Outbox);
        Assert.Equal(MailKind.OverdueNotice, only.Kind);
        var skipped = harness.JournalOf("RungSkipped");
        Assert.Equal(2, skipped.Count);
        Assert.All(skipped, e => Assert.StartsWith("nhắc trước", e.Detail, StringComparison.Ordinal));
        Assert.Equal(Head, Assert.Single(harness.Store.Bookmarks, b => b.Kind == BookmarkKind.Timer).DueAt);
    }

    [Fact]
    public async Task ResumeDueTimers_HostDownAcrossSeveralRungs_SendsOnlyTheLatest()
    {
        var harness = await StartSingleAsync();

        // Down from Monday 04/03 until 20/03: both reminders, the overdue notice and the head rung passed.
        harness.Clock.SetUtcNow(Local(2024, 3, 20, 9));
        await harness.Runtime.ResumeDueTimersAsync(CancellationToken.None);

        var only = Assert.Single(harness.Store.Outbox);
        Assert.Equal(MailKind.Escalation, only.Kind);
        Assert.Equal(TestUnits.HeadEmail("PNV"), only.To);
        Assert.Equal(3, harness.JournalOf("RungSkipped").Count);
        Assert.Equal(Digest, Assert.Single(harness.Store.Bookmarks, b => b.Kind == BookmarkKind.Timer).DueAt);
        Assert.Equal(4, Task(harness).NextRung);
    }

    // ---- validation ----

    [Theory]
    [InlineData("x:boss")]
    [InlineData("3:boss")]
    [InlineData("3")]
    [InlineData("3:")]
    [InlineData("-1:unit")]
    public void Read_InvalidEscalationEntry_IsAValidationProblem(string entry)
    {
        var json = new DefinitionBuilder()
            .Add(Start(), UnitTask("task", "2024-03-15", escalation: ["0:unit", entry]))
            .Chain("start", "task")
            .Build();

        var result = Engine.Definitions.WorkflowDefinitionReader.Default.Read(json);

        var problem = Assert.Single(result.Problems);
        Assert.Contains("(task)", problem.Path, StringComparison.Ordinal);
        Assert.StartsWith("escalation:", problem.Message, StringComparison.Ordinal);
        Assert.Contains(entry, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NegativeReminderDays_IsAValidationProblem()
    {
        var json = new DefinitionBuilder()
            .Add(Start(), UnitTask("task", "2024-03-15", reminderDays: [7, -1]))
            .Chain("start", "task")
            .Build();

        var problem = Assert.Single(Engine.Definitions.WorkflowDefinitionReader.Default.Read(json).Problems);

        Assert.StartsWith("reminderDays:", problem.Message, StringComparison.Ordinal);
    }

    // ---- emails ----

    [Fact]
    public async Task Ladder_Emails_AreVietnameseWithUnitNameDueDateAndLink()
    {
        var harness = await StartSingleAsync();

        await harness.RunToAsync(Digest);

        var unitMails = harness.Store.Outbox.Where(o => o.Kind != MailKind.EscalationDigest).ToList();
        Assert.Equal([MailKind.Reminder, MailKind.Reminder, MailKind.OverdueNotice, MailKind.Escalation], unitMails.Select(m => m.Kind));
        Assert.All(unitMails, m =>
        {
            Assert.Contains("Kính gửi", m.TextBody, StringComparison.Ordinal);
            Assert.Contains("Phòng Nội vụ", m.TextBody, StringComparison.Ordinal);
            Assert.Contains("Phòng Nội vụ", m.HtmlBody, StringComparison.Ordinal);
            Assert.Contains("15/03/2024", m.TextBody, StringComparison.Ordinal);
            Assert.Contains("http://127.0.0.1:5080/portal/tasks/" + TaskId, m.TextBody, StringComparison.Ordinal);
            Assert.Contains("<a href=\"http://127.0.0.1:5080/portal/tasks/" + TaskId + "\">", m.HtmlBody, StringComparison.Ordinal);
            Assert.Contains("<html lang=\"vi\">", m.HtmlBody, StringComparison.Ordinal);
            Assert.Contains("Thường trực Hội đồng Thi đua – Khen thưởng", m.TextBody, StringComparison.Ordinal);
            Assert.Equal(TaskId, m.TaskId);
            Assert.Equal("PNV", m.UnitCode);
        });
        Assert.Equal("[Nhắc hạn] Báo cáo kết quả thi đua năm 2024 — hạn 15/03/2024", unitMails[0].Subject);
        Assert.Equal("[Quá hạn] Báo cáo kết quả thi đua năm 2024 — quá hạn 1 ngày", unitMails[2].Subject);

        var digest = Mails(harness, MailKind.EscalationDigest);
        Assert.Equal(3, digest.Count);
        Assert.All(digest, d =>
        {
            Assert.Contains($"<td>{"Phòng Nội vụ"}</td><td>15/03/2024</td><td>8</td>", d.HtmlBody, StringComparison.Ordinal);
            Assert.Contains("http://127.0.0.1:5080/dashboard?instance=wf&status=red", d.TextBody, StringComparison.Ordinal);
            Assert.Contains("http://127.0.0.1:5080/dashboard?instance=wf&amp;status=red", d.HtmlBody, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Ladder_WholeRun_IdempotencyKeysAreUnique()
    {
        var harness = await StartAllUnitsAsync();

        await harness.RunToAsync(Local(2024, 4, 30));

        var keys = harness.Store.Outbox.Select(o => o.IdempotencyKey).ToList();
        // 3 units × (2 reminders + overdue + head) + 3 digests.
        Assert.Equal(15, keys.Count);
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }
}
