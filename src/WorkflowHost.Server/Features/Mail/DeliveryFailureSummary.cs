using Microsoft.EntityFrameworkCore;
using Hangfire;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Definitions;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// The daily summary of emails that could not be delivered (issue 6): for each local day, one email to
/// the secretariat of each plan's unit directory listing the messages that failed for good that day
/// (a 5xx reply, or every attempt used up), with their recipients and errors. Idempotent per day and
/// recipient (outbox key <c>delivery-failures/{yyyyMMdd}/{email}</c>); failed summaries are not summarized again.
/// </summary>
public sealed class DeliveryFailureSummary(IDbContextFactory<WorkflowHostDbContext> contexts, DbDefinitionSource directories, RuntimeMailComposer composer, ApplicationClock time)
{
    /// <summary>Queues the summaries of local day <paramref name="day"/>; returns how many were queued (0 when none failed or already queued).</summary>
    public async Task<int> EnqueueAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var from = PlanTime.AtLocal(day, TimeOnly.MinValue);
        var to = PlanTime.AtLocal(day.AddDays(1), TimeOnly.MinValue);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var failed = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.Status == OutboxStatus.Failed && m.NextAttemptAt >= from && m.NextAttemptAt < to && m.Kind != MailKind.DeliveryFailureSummary && m.InstanceId != null)
            .OrderBy(m => m.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (failed.Count == 0) return 0;
        var instanceDirectories = await db.Instances.AsNoTracking().Where(i => failed.Select(m => m.InstanceId).Contains(i.Id))
            .ToDictionaryAsync(i => i.Id, i => i.Directory, cancellationToken).ConfigureAwait(false);
        var byRecipient = new Dictionary<string, (Contact Recipient, List<OutboxMessage> Rows)>(StringComparer.OrdinalIgnoreCase);
        foreach (var message in failed)
        {
            if (!instanceDirectories.TryGetValue(message.InstanceId!, out var name)) continue;
            if (await directories.FindDirectoryAsync(name, cancellationToken).ConfigureAwait(false) is not { } directory) continue;
            var secretariat = directory.Secretariat;
            if (!byRecipient.TryGetValue(secretariat.Email, out var group)) byRecipient[secretariat.Email] = group = (secretariat, []);
            group.Rows.Add(message);
        }
        var queued = 0;
        var now = time.GetUtcNow();
        foreach (var (email, (recipient, rows)) in byRecipient)
        {
            var key = $"delivery-failures/{day:yyyyMMdd}/{email}";
            if (await db.OutboxMessages.AnyAsync(m => m.IdempotencyKey == key, cancellationToken).ConfigureAwait(false)) continue;
            var mail = composer.Mail.DeliveryFailures(recipient, day, [.. rows.Select(r => (r.To, r.Subject, r.Attempts, r.LastError))]);
            db.OutboxMessages.Add(new OutboxMessage
            {
                IdempotencyKey = key,
                Kind = MailKind.DeliveryFailureSummary,
                To = email,
                Subject = mail.Subject,
                HtmlBody = mail.Html,
                TextBody = mail.Text,
                CreatedAt = now,
                NextAttemptAt = now,
            });
            queued++;
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return queued;
    }
}

/// <summary>
/// Runs <see cref="DeliveryFailureSummary"/> for yesterday (local, on the application clock); a Hangfire
/// recurring job, hourly and once at start, it queues once a day (the outbox key is per day and recipient).
/// <c>[AutomaticRetry(Attempts = 0)]</c>: the next hourly run is the retry, and the summary email itself is
/// retried by the outbox.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class DeliveryFailureSummaryJob(DeliveryFailureSummary summary, ApplicationClock time)
{
    /// <summary>Recurring job id.</summary>
    public const string JobName = "delivery-failure-summary";

    /// <summary>Hangfire's entry point: queues yesterday's summaries; returns how many were queued.</summary>
    public Task<int> RunAsync(CancellationToken cancellationToken) =>
        summary.EnqueueAsync(PlanTime.LocalDate(time.GetUtcNow()).AddDays(-1), cancellationToken);
}

/// <summary>The runtime's email renderer (same base URL as the workflow emails), for server-side emails.</summary>
public sealed class RuntimeMailComposer(Engine.Runtime.RuntimeOptions options)
{
    /// <summary>The renderer.</summary>
    public MailComposer Mail { get; } = new(options.BaseUrl);
}
