using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Mail;

/// <summary>The dispatcher in pickup mode: real files, real SQLite.</summary>
public sealed class OutboxDispatcherPickupTests
{
    [Fact]
    public async Task DispatchDueAsync_PickupMode_WritesOneEmlPerMessage()
    {
        await using var mail = MailTestHarness.ForPickup();
        Assert.False(Directory.Exists(mail.PickupFolder));
        await mail.EnqueueAsync(
            mail.NewMessage("p-1", subject: "Thông báo kết quả xét duyệt"),
            mail.NewMessage("p-2"));

        var first = await mail.DispatchAsync();
        var second = await mail.DispatchAsync();

        Assert.Equal(new DispatchResult(2, 0, 0), first);
        Assert.Equal(DispatchResult.Empty, second);
        var files = Directory.GetFiles(mail.PickupFolder, "*.eml");
        Assert.Equal(2, files.Length);
        var received = files.Select(ReceivedMail.Load).ToList();
        Assert.Equal(["p-1", "p-2"], received.Select(m => m.Key).Order(StringComparer.Ordinal));
        var p1 = received.Single(m => m.Key == "p-1");
        Assert.Equal("Thông báo kết quả xét duyệt", p1.Subject);
        Assert.Equal(MailMessageBuilder.MessageIdFor("p-1"), p1.MessageId);
        Assert.Equal(["text/plain", "text/html"], p1.Parts.Select(p => p.MediaType));
        Assert.Equal(OutboxStatus.Sent, (await mail.GetAsync("p-1")).Status);
    }

    [Fact]
    public async Task DispatchDueAsync_PickupFile_IsMimeKitsBytesWithTheApplicationClocksDateAtPlus0700()
    {
        // Issue 16 item 3: the Date is the application clock's instant at +07:00 (here a virtual clock months away
        // from the real one, as the demo's accelerated clock is), not the real send time in UTC.
        await using var mail = MailTestHarness.ForPickup();
        var row = mail.NewMessage("date/p-1", subject: "Nhắc hạn nộp báo cáo – Khen thưởng");
        await mail.EnqueueAsync(row);
        mail.Clock.Advance(TimeSpan.FromHours(3)); // sent later than queued: the Date stays the queueing instant

        await mail.DispatchAsync();

        var file = Assert.Single(Directory.GetFiles(mail.PickupFolder, "*.eml"));
        var bytes = await File.ReadAllBytesAsync(file);
        var parsed = await PythonEmail.ParseAsync(bytes);
        Assert.Equal("2026-03-02T08:00:00+07:00", parsed.Date); // 01:00 UTC on the virtual clock
        Assert.Equal("Nhắc hạn nộp báo cáo – Khen thưởng", parsed.Subject);
        Assert.Equal("Thường trực Hội đồng Thi đua – Khen thưởng", parsed.FromName);
        var stored = await mail.GetAsync("date/p-1");
        Assert.Equal(MailMessageBuilder.ToBytes(MailMessageBuilder.Build(stored, new MailOptions())), bytes); // the same bytes from the same row
    }

    [Fact]
    public async Task DispatchDueAsync_NotYetDue_LeftQueued()
    {
        await using var mail = MailTestHarness.ForPickup();
        var later = mail.NewMessage("later");
        later.NextAttemptAt = mail.Clock.GetUtcNow().AddHours(1);
        await mail.EnqueueAsync(later);

        Assert.Equal(DispatchResult.Empty, await mail.DispatchAsync());
        mail.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(new DispatchResult(1, 0, 0), await mail.DispatchAsync());
    }

    [Fact]
    public async Task DispatchDueAsync_InvalidRecipientAddress_FailsPermanently()
    {
        await using var mail = MailTestHarness.ForPickup();
        await mail.EnqueueAsync(mail.NewMessage("bad-address", to: "không phải địa chỉ"));

        var result = await mail.DispatchAsync();

        Assert.Equal(new DispatchResult(0, 0, 1), result);
        var row = await mail.GetAsync("bad-address");
        Assert.Equal(OutboxStatus.Failed, row.Status);
        Assert.Contains(nameof(FormatException), row.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchDueAsync_BatchSize_LimitsOneCallOldestDueFirst()
    {
        await using var mail = MailTestHarness.ForPickup(new() { ["BatchSize"] = "2" });
        var newest = mail.NewMessage("newest");
        newest.NextAttemptAt = mail.Clock.GetUtcNow().AddMinutes(-1);
        var oldest = mail.NewMessage("oldest");
        oldest.NextAttemptAt = mail.Clock.GetUtcNow().AddMinutes(-10);
        var middle = mail.NewMessage("middle");
        middle.NextAttemptAt = mail.Clock.GetUtcNow().AddMinutes(-5);
        await mail.EnqueueAsync(newest, oldest, middle);

        Assert.Equal(new DispatchResult(2, 0, 0), await mail.DispatchAsync());

        Assert.Equal(OutboxStatus.Sent, (await mail.GetAsync("oldest")).Status);
        Assert.Equal(OutboxStatus.Sent, (await mail.GetAsync("middle")).Status);
        Assert.Equal(OutboxStatus.Queued, (await mail.GetAsync("newest")).Status);
    }
}
