using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Mail;

/// <summary>The dispatcher against a real SMTP server process (aiosmtpd) and a real SQLite file.</summary>
public sealed class OutboxDispatcherSmtpTests
{
    private static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DispatchDueAsync_QueuedMessages_DeliveredExactlyOnce()
    {
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var mail = MailTestHarness.ForSmtp(smtp);
        string[] keys = ["plan-1/task-a/reminder-7d/a@x.example", "plan-1/task-b/reminder-7d/b@x.example", "plan-1/task-c/overdue/c@x.example"];
        await mail.EnqueueAsync([.. keys.Select(k => mail.NewMessage(k))]);

        var first = await mail.DispatchAsync();
        var second = await mail.DispatchAsync();

        Assert.Equal(new DispatchResult(3, 0, 0), first);
        Assert.Equal(DispatchResult.Empty, second);
        Assert.Equal(3, smtp.Messages.Count);
        foreach (var key in keys)
        {
            Assert.Equal(1, smtp.CountWithKey(key));
            var row = await mail.GetAsync(key);
            Assert.Equal(OutboxStatus.Sent, row.Status);
            Assert.Equal(1, row.Attempts);
            Assert.Equal(mail.Clock.GetUtcNow(), row.SentAt);
        }
    }

    [Fact]
    public async Task DispatchDueAsync_EightConnections_EveryMessageOnceAndEachOutcomeOnItsRow()
    {
        await using var smtp = new SmtpTestServer(rejecting: true);
        await smtp.StartAsync();
        await using var mail = MailTestHarness.ForSmtp(smtp, new() { ["Parallelism"] = "8" });
        var keys = Enumerable.Range(0, 120).Select(i => $"parallel/{i}").ToList();
        await mail.EnqueueAsync([.. keys.Select((k, i) => mail.NewMessage(k, to: i % 40 == 7 ? $"reject-{i}@x.example" : $"dv{i}@x.example"))]);

        var result = await mail.DispatchAsync();

        Assert.Equal(new DispatchResult(117, 0, 3), result);
        await Poll.UntilAsync(() => smtp.MessageCount == 117, TimeSpan.FromSeconds(10), "117 messages in the Maildir");
        Assert.Equal(keys.Where((_, i) => i % 40 != 7).Order(StringComparer.Ordinal), smtp.Messages.Select(m => m.Key).Order(StringComparer.Ordinal));
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            var row = await mail.GetAsync(key);
            Assert.Equal(i % 40 == 7 ? OutboxStatus.Failed : OutboxStatus.Sent, row.Status);
            Assert.Equal(1, row.Attempts);
        }
    }

    [Fact]
    public async Task DispatchDueAsync_VietnameseSubject_RoundTrips()
    {
        const string subject = "Nhắc nhở: còn 7 ngày đến hạn nộp hồ sơ đề nghị khen thưởng – Trường THPT Nguyễn Trãi (đợt 2)";
        const string text = "Kính gửi Thủ trưởng đơn vị,\nĐề nghị hoàn thiện hồ sơ thi đua trước ngày 15/04/2026.";
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var mail = MailTestHarness.ForSmtp(smtp);
        await mail.EnqueueAsync(mail.NewMessage("vi-1", subject: subject, text: text));

        await mail.DispatchAsync();

        var received = Assert.Single(smtp.Messages);
        Assert.Equal(subject, received.Subject);
        Assert.Equal(text, received.Part("text/plain")!.Body);
        Assert.Contains("Thường trực Hội đồng Thi đua – Khen thưởng", received.From, StringComparison.Ordinal);
        Assert.Contains("<thiduakhenthuong@workflowhost.example>", received.From, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchDueAsync_Message_HasHtmlAndTextPartsAndKeyHeaders()
    {
        const string html = "<p>Kính gửi <b>Phòng Tổ chức</b>: hồ sơ đã được <i>tiếp nhận</i>.</p>";
        const string text = "Kính gửi Phòng Tổ chức: hồ sơ đã được tiếp nhận.";
        const string key = "plan-9/task-z/accepted/to-chuc@x.example";
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var mail = MailTestHarness.ForSmtp(smtp);
        await mail.EnqueueAsync(mail.NewMessage(key, to: "to-chuc@x.example", html: html, text: text));

        await mail.DispatchAsync();

        var received = Assert.Single(smtp.Messages);
        Assert.StartsWith("multipart/alternative", received.Header("Content-Type"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["text/plain", "text/html"], received.Parts.Select(p => p.MediaType));
        Assert.Equal(text, received.Part("text/plain")!.Body);
        Assert.Equal(html, received.Part("text/html")!.Body);
        Assert.All(received.Parts, p => Assert.Equal("utf-8", p.Charset, ignoreCase: true));
        Assert.Equal(key, received.Key);
        Assert.Equal(MailMessageBuilder.MessageIdFor(key), received.MessageId);
        Assert.Matches("^<[0-9a-f]{32}@workflowhost>$", received.MessageId);
        Assert.Equal("to-chuc@x.example", received.Header("X-RcptTo"));
    }

    [Fact]
    public async Task DispatchDueAsync_SmtpDown_RetriesLaterThenDeliversOnceWhenBack()
    {
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var mail = MailTestHarness.ForSmtp(smtp);
        await mail.EnqueueAsync(mail.NewMessage("before-outage"));
        Assert.Equal(1, (await mail.DispatchAsync()).Sent);

        await smtp.StopAsync();
        await mail.EnqueueAsync(mail.NewMessage("during-outage"));
        var now = mail.Clock.GetUtcNow();
        var down = await mail.DispatchAsync();

        Assert.Equal(new DispatchResult(0, 1, 0), down);
        var retrying = await mail.GetAsync("during-outage");
        Assert.Equal(OutboxStatus.Retrying, retrying.Status);
        Assert.Equal(1, retrying.Attempts);
        Assert.InRange(retrying.NextAttemptAt, now + (BaseDelay / 2), now + BaseDelay);
        Assert.False(string.IsNullOrEmpty(retrying.LastError));
        Assert.Null(retrying.SentAt);
        Assert.Equal(DispatchResult.Empty, await mail.DispatchAsync()); // not due yet

        await smtp.StartAsync(); // same port
        mail.Clock.Advance(BaseDelay);
        var back = await mail.DispatchAsync();
        var again = await mail.DispatchAsync();

        Assert.Equal(new DispatchResult(1, 0, 0), back);
        Assert.Equal(DispatchResult.Empty, again);
        var sent = await mail.GetAsync("during-outage");
        Assert.Equal(OutboxStatus.Sent, sent.Status);
        Assert.Equal(2, sent.Attempts);
        Assert.Equal(1, smtp.CountWithKey("during-outage"));
        Assert.Equal(1, smtp.CountWithKey("before-outage"));
    }

    [Fact]
    public async Task DispatchDueAsync_ServerUnreachable_StopsBatchAndDefersTheRest()
    {
        await using var smtp = new SmtpTestServer(); // never started: connection refused
        await using var mail = MailTestHarness.ForSmtp(smtp);
        await mail.EnqueueAsync(mail.NewMessage("u-1"), mail.NewMessage("u-2"), mail.NewMessage("u-3"));

        var result = await mail.DispatchAsync();

        Assert.Equal(new DispatchResult(0, 1, 0, Deferred: 2), result);
        Assert.Equal(OutboxStatus.Retrying, (await mail.GetAsync("u-1")).Status);
        foreach (var key in new[] { "u-2", "u-3" })
        {
            var untouched = await mail.GetAsync(key);
            Assert.Equal(OutboxStatus.Queued, untouched.Status);
            Assert.Equal(0, untouched.Attempts);
        }

        await smtp.StartAsync();
        Assert.Equal(new DispatchResult(2, 0, 0), await mail.DispatchAsync());
    }

    [Fact]
    public async Task DispatchDueAsync_Recipient5xx_FailsWithLastErrorAndIsNeverRetried()
    {
        await using var smtp = new SmtpTestServer(rejecting: true);
        await smtp.StartAsync();
        await using var mail = MailTestHarness.ForSmtp(smtp);
        await mail.EnqueueAsync(
            mail.NewMessage("k-reject", to: "reject-me@x.example"),
            mail.NewMessage("k-ok", to: "ok@x.example"));

        var result = await mail.DispatchAsync();

        Assert.Equal(new DispatchResult(1, 0, 1), result);
        var failed = await mail.GetAsync("k-reject");
        Assert.Equal(OutboxStatus.Failed, failed.Status);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("550", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("rejected", failed.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("SMTP 550 (MailboxUnavailable): ", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("<reject-me@x.example>: Recipient address rejected (test)", failed.LastError, StringComparison.Ordinal); // the server's answer, as the console shows it
        var error = Assert.Single(mail.Logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal("k-reject", error.Properties["IdempotencyKey"]);

        mail.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(DispatchResult.Empty, await mail.DispatchAsync());
        Assert.Equal(1, (await mail.GetAsync("k-reject")).Attempts);
        Assert.Equal(0, smtp.CountWithKey("k-reject"));
        Assert.Equal(1, smtp.CountWithKey("k-ok"));
    }

    [Fact]
    public async Task DispatchDueAsync_Mailbox4xx_RetriesThatMessageAndContinuesBatch()
    {
        await using var smtp = new SmtpTestServer(rejecting: true);
        await smtp.StartAsync();
        await using var mail = MailTestHarness.ForSmtp(smtp);
        await mail.EnqueueAsync(
            mail.NewMessage("k-busy", to: "busy@x.example"),
            mail.NewMessage("k-ok", to: "ok@x.example"));

        var result = await mail.DispatchAsync();

        Assert.Equal(new DispatchResult(1, 1, 0), result);
        var busy = await mail.GetAsync("k-busy");
        Assert.Equal(OutboxStatus.Retrying, busy.Status);
        Assert.Contains("450", busy.LastError, StringComparison.Ordinal);
        var warning = Assert.Single(mail.Logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal("k-busy", warning.Properties["IdempotencyKey"]);
        Assert.Equal(1, smtp.CountWithKey("k-ok"));
    }

    [Fact]
    public async Task DispatchDueAsync_MaxAttemptsExhausted_MarksFailed()
    {
        await using var smtp = new SmtpTestServer(); // never started
        await using var mail = MailTestHarness.ForSmtp(smtp, new() { ["MaxAttempts"] = "3", ["MaxRetryDelay"] = "00:05:00" });
        await mail.EnqueueAsync(mail.NewMessage("doomed"));

        var outcomes = new List<OutboxStatus>();
        for (var i = 0; i < 3; i++)
        {
            await mail.DispatchAsync();
            outcomes.Add((await mail.GetAsync("doomed")).Status);
            mail.Clock.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.Equal([OutboxStatus.Retrying, OutboxStatus.Retrying, OutboxStatus.Failed], outcomes);
        var row = await mail.GetAsync("doomed");
        Assert.Equal(3, row.Attempts);
        Assert.False(string.IsNullOrEmpty(row.LastError));
        mail.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(DispatchResult.Empty, await mail.DispatchAsync());
        Assert.Contains(mail.Logs.Entries, e => e.Level == LogLevel.Error && Equals(e.Properties["IdempotencyKey"], "doomed"));
    }

    [Fact]
    public async Task DispatchDueAsync_ServerNeverAnswers_TimesOutAndRetries()
    {
        // A socket that accepts connections and never says a word: the greeting never comes.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var mail = MailTestHarness.Create(new()
        {
            ["Mode"] = "Smtp",
            ["Host"] = "127.0.0.1",
            ["Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SendTimeout"] = "00:00:01",
        });
        await mail.EnqueueAsync(mail.NewMessage("silent"));

        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await mail.DispatchAsync();

        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(8));
        Assert.Equal(new DispatchResult(0, 1, 0), result);
        var row = await mail.GetAsync("silent");
        Assert.Equal(OutboxStatus.Retrying, row.Status);
        Assert.Contains(nameof(TimeoutException), row.LastError, StringComparison.Ordinal);
    }
}
