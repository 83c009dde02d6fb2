using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Mail;

/// <summary>
/// The dispatcher's group commit (one committer, set-based UPDATEs of untracked rows) against a real aiosmtpd
/// server and the test database (SQLite file, or PostgreSQL with WORKFLOWHOST_TEST_DATABASE=postgres): every row
/// gets its own outcome, a failing transport or a failing commit mid-batch loses nothing and doubles at most the
/// messages in flight.
/// </summary>
public sealed class OutboxGroupCommitTests
{
    [Fact]
    public async Task DispatchDueAsync_SixteenConnectionsMixedOutcomes_EachRowGetsItsOwnOutcome()
    {
        await using var smtp = new SmtpTestServer(rejecting: true);
        await smtp.StartAsync();
        await using var mail = MailTestHarness.ForSmtp(smtp, new() { ["Parallelism"] = "16" });
        var keys = Enumerable.Range(0, 160).Select(i => $"group/{i}").ToList();
        static string To(int i) => (i % 20) switch { 5 => $"reject-{i}@x.example", 11 => $"busy-{i}@x.example", _ => $"dv{i}@x.example" };
        await mail.EnqueueAsync([.. keys.Select((k, i) => mail.NewMessage(k, to: To(i)))]);
        var now = mail.Clock.GetUtcNow();

        var first = await mail.DispatchAsync();

        Assert.Equal(new DispatchResult(144, 8, 8), first);
        await Poll.UntilAsync(() => smtp.MessageCount == 144, TimeSpan.FromSeconds(10), "144 messages in the Maildir");
        for (var i = 0; i < keys.Count; i++)
        {
            var row = await mail.GetAsync(keys[i]);
            Assert.Equal(1, row.Attempts);
            switch (i % 20)
            {
                case 5:
                    Assert.Equal(OutboxStatus.Failed, row.Status);
                    Assert.Contains($"<reject-{i}@x.example>", row.LastError, StringComparison.Ordinal);
                    Assert.Equal(now, row.NextAttemptAt);
                    Assert.Null(row.SentAt);
                    break;
                case 11:
                    Assert.Equal(OutboxStatus.Retrying, row.Status);
                    Assert.Contains($"<busy-{i}@x.example>", row.LastError, StringComparison.Ordinal);
                    Assert.InRange(row.NextAttemptAt, now + TimeSpan.FromSeconds(15), now + TimeSpan.FromSeconds(30));
                    Assert.Null(row.SentAt);
                    break;
                default:
                    Assert.Equal(OutboxStatus.Sent, row.Status);
                    Assert.Equal(now, row.SentAt);
                    Assert.Null(row.LastError);
                    break;
            }
        }

        // The retries come back due; only they are tried (the busy mailboxes answer 450 again), nothing else is touched.
        mail.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await mail.DispatchAsync();

        Assert.Equal(new DispatchResult(0, 8, 0), second);
        for (var i = 0; i < keys.Count; i++)
        {
            Assert.Equal(i % 20 == 11 ? 2 : 1, (await mail.GetAsync(keys[i])).Attempts);
        }

        Assert.All(keys.Where((_, i) => i % 20 is not 5 and not 11), k => Assert.Equal(1, smtp.CountWithKey(k)));
    }

    [Fact]
    public async Task DispatchDueAsync_TransportFailsMidBatch_EveryMessageDeliveredExactlyOnceAcrossRuns()
    {
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var mail = MailTestHarness.ForSmtp(smtp, new() { ["Parallelism"] = "8" });
        var keys = Enumerable.Range(0, 100).Select(i => $"midbatch/{i}").ToList();
        await mail.EnqueueAsync([.. keys.Select(k => mail.NewMessage(k))]);
        var transport = new FailingTransport(mail.Services.GetRequiredService<IMailTransport>(), failFromCall: 25);

        var first = await DispatchWithAsync(mail, transport);

        // The 25th send finds the server gone: no further message is started, those in flight are recorded.
        Assert.True(first.Deferred > 0, $"nothing deferred: {first}");
        Assert.InRange(first.Retrying, 1, 8);
        Assert.Equal(0, first.Failed);
        Assert.Equal(keys.Count, first.Loaded);
        var rows = await Task.WhenAll(keys.Select(mail.GetAsync));
        Assert.Equal(first.Sent, rows.Count(r => r.Status == OutboxStatus.Sent));
        Assert.Equal(first.Retrying, rows.Count(r => r.Status == OutboxStatus.Retrying));
        Assert.Equal(first.Deferred, rows.Count(r => r.Status == OutboxStatus.Queued && r.Attempts == 0));
        await Poll.UntilAsync(() => smtp.MessageCount == first.Sent, TimeSpan.FromSeconds(10), $"{first.Sent} messages in the Maildir");

        transport.Recover();
        mail.Clock.Advance(TimeSpan.FromMinutes(1));
        var total = first;
        for (var run = 0; run < 5; run++)
        {
            var result = await DispatchWithAsync(mail, transport);
            total += result;
            if (result.Loaded == 0) break;
        }

        Assert.Equal(keys.Count, total.Sent);
        await Poll.UntilAsync(() => smtp.MessageCount == keys.Count, TimeSpan.FromSeconds(10), "every message in the Maildir");
        Assert.All(keys, k => Assert.Equal(1, smtp.CountWithKey(k)));
        rows = await Task.WhenAll(keys.Select(mail.GetAsync));
        Assert.All(rows, r => Assert.Equal(OutboxStatus.Sent, r.Status));
        Assert.Equal(first.Retrying, rows.Count(r => r.Attempts == 2));
    }

    [Fact]
    public async Task DispatchDueAsync_CommitFailsMidBatch_ThrowsLosesNothingAndDoublesAtMostTheMessagesInFlight()
    {
        const int parallelism = 4;
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var mail = MailTestHarness.ForSmtp(smtp, new() { ["Parallelism"] = parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var keys = Enumerable.Range(0, 40).Select(i => $"commitfail/{i}").ToList();
        await mail.EnqueueAsync([.. keys.Select(k => mail.NewMessage(k))]);
        var transport = mail.Services.GetRequiredService<IMailTransport>();
        var failing = new FailingUpdateInterceptor(failOnUpdate: 3);

        // The third outcome commit fails (a disk error, say): the dispatch reports it and stops starting messages.
        await Assert.ThrowsAsync<InjectedDatabaseFailureException>(() => DispatchWithAsync(mail, transport, failing));

        var rows = await Task.WhenAll(keys.Select(mail.GetAsync));
        var recorded = rows.Count(r => r.Status == OutboxStatus.Sent);
        Assert.InRange(recorded, 2, 1 + parallelism); // the first two commits: the batch's first message alone, then a group
        Assert.All(rows.Where(r => r.Status != OutboxStatus.Sent), r => { Assert.Equal(OutboxStatus.Queued, r.Status); Assert.Equal(0, r.Attempts); });
        await Poll.UntilStableAsync(() => smtp.MessageCount, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10), "the Maildir");
        var deliveredButNotRecorded = smtp.MessageCount - recorded;
        Assert.InRange(deliveredButNotRecorded, 1, parallelism); // the failed commit's outcomes: at most one per connection

        var second = await DispatchWithAsync(mail, transport);

        Assert.Equal(keys.Count - recorded, second.Sent);
        rows = await Task.WhenAll(keys.Select(mail.GetAsync));
        Assert.All(rows, r => Assert.Equal(OutboxStatus.Sent, r.Status));
        await Poll.UntilAsync(() => smtp.MessageCount == keys.Count + deliveredButNotRecorded, TimeSpan.FromSeconds(10), "every message in the Maildir");
        var counts = keys.Select(smtp.CountWithKey).ToList();
        Assert.All(counts, c => Assert.InRange(c, 1, 2)); // nothing lost
        Assert.Equal(deliveredButNotRecorded, counts.Count(c => c == 2)); // the same Message-Id and key, once more
    }

    /// <summary>One dispatch with the harness's settings and clock but the given transport (and database interceptor).</summary>
    private static async Task<DispatchResult> DispatchWithAsync(MailTestHarness mail, IMailTransport transport, IInterceptor? interceptor = null)
    {
        var builder = new DbContextOptionsBuilder<WorkflowHostDbContext>();
        mail.Database.Configure(builder);
        if (interceptor is not null) builder.AddInterceptors(interceptor);
        await using var db = new WorkflowHostDbContext(builder.Options);
        var dispatcher = new OutboxDispatcher(db, transport, mail.Clock, mail.Services.GetRequiredService<IOptions<MailOptions>>(),
            mail.Services.GetRequiredService<ILogger<OutboxDispatcher>>());
        return await dispatcher.DispatchDueAsync(CancellationToken.None);
    }

    /// <summary>The real transport until its <c>failFromCall</c>-th send; from then on the server is "gone" until <see cref="Recover"/>.</summary>
    private sealed class FailingTransport(IMailTransport inner, int failFromCall) : IMailTransport
    {
        private int _calls;
        private volatile bool _recovered;

        public void Recover() => _recovered = true;

        public Task SendAsync(OutboxMessage message, CancellationToken ct) =>
            !_recovered && Interlocked.Increment(ref _calls) >= failFromCall
                ? throw new MailServerUnavailableException("Connection refused (test: the server went away mid-batch).")
                : inner.SendAsync(message, ct);
    }

    /// <summary>Throws instead of executing the <c>failOnUpdate</c>-th UPDATE statement.</summary>
    private sealed class FailingUpdateInterceptor(int failOnUpdate) : DbCommandInterceptor
    {
        private int _updates;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.TrimStart().StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
                && Interlocked.Increment(ref _updates) == failOnUpdate)
            {
                throw new InjectedDatabaseFailureException();
            }

            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }
    }

    private sealed class InjectedDatabaseFailureException() : Exception("Injected: the outcome commit failed (test).");
}
