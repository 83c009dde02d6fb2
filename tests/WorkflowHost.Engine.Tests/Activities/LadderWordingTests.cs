using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tests.Infrastructure;
using WorkflowHost.Engine.Timeline;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;
using static WorkflowHost.Engine.Tests.Infrastructure.EngineHarness;

namespace WorkflowHost.Engine.Tests.Activities;

/// <summary>Issue 15.2: how the journal and the email word reminders that the calendar merges or moves onto the due date.</summary>
public sealed class LadderWordingTests
{
    private static readonly WorkingDayCalendar Vietnam = WorkingDayCalendar.Parse(RepoFiles.Read("config/calendar/vn-working-days.json"));

    [Fact]
    public async Task Ladder_TwoRemindersMergedOntoTheDueDate_JournalsMergedAndLastDay()
    {
        // Due Monday 18/03/2024, reminders 2 and 1 days before: Saturday 16/03 and Sunday 17/03 both move
        // to Monday 18/03 08:00, the due date itself. One reminder is sent; the other was merged, not "past".
        var harness = ForTest(Local(2024, 3, 1, 8), new DefinitionBuilder()
            .Add(Start(), UnitTask("task", "2024-03-18", unitCode: "PNV", reminderDays: [2, 1], escalation: ["0:unit"])).Chain("start", "task").Build())
            .With(new RuntimeOptions { Calendar = Vietnam });
        await harness.StartAsync();
        await harness.RunToAsync(Local(2024, 3, 18, 12));

        var skipped = Assert.Single(harness.JournalOf("RungSkipped"));
        Assert.Equal("nhắc trước 2 ngày: gộp vào lời nhắc ngày 18/03/2024", skipped.Detail);
        var sent = Assert.Single(harness.JournalOf("ReminderSent"));
        Assert.Equal("nhắc trước 1 ngày, hôm nay là hạn cuối", sent.Detail);
        var mail = Assert.Single(harness.Store.Outbox, m => m.Kind == MailKind.Reminder);
        Assert.Contains("hôm nay là hạn cuối", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("còn 0", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("còn 00", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ladder_HostDownPastAReminder_StillJournalsItAsPast()
    {
        // A rung that really passed (the host was down) keeps the "đã qua" wording.
        var harness = ForTest(Local(2024, 3, 1, 8), new DefinitionBuilder()
            .Add(Start(), UnitTask("task", "2024-03-15", unitCode: "PNV", reminderDays: [7, 1], escalation: ["0:unit"])).Chain("start", "task").Build());
        await harness.StartAsync();
        await harness.AdvanceToAsync(Local(2024, 3, 14, 9));

        var skipped = Assert.Single(harness.JournalOf("RungSkipped"));
        Assert.Equal("nhắc trước 7 ngày: đã qua, gửi bậc mới nhất", skipped.Detail);
        Assert.Equal("nhắc trước 1 ngày, còn 1 ngày", Assert.Single(harness.JournalOf("ReminderSent")).Detail);
    }
}
