using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Delivers due rows of the email outbox through <see cref="IMailTransport"/> and records each outcome on
/// the row. Scoped: one instance per DbContext scope (the <see cref="OutboxDispatchJob"/> opens one per batch).
/// </summary>
/// <remarks>
/// <para>
/// <b>Why retries are durable, not in-process.</b> A transient failure is recorded as
/// <see cref="OutboxStatus.Retrying"/> with <see cref="OutboxMessage.NextAttemptAt"/> in the database,
/// and the next run picks the row up when it falls due. That schedule survives a restart or a crash, works
/// the same on every node of a cluster, is visible to the secretariat's console (status, attempts, last
/// error), and a backoff of minutes to an hour never keeps a thread, a connection or a Hangfire worker busy.
/// An in-process retry (Polly) would lose its state with the process and hold the batch while it waits;
/// retrying at once also rarely helps, since a refused connection or an SMTP 4xx is usually still there a
/// second later. So Polly is deliberately not used here: one attempt per run, the database is the scheduler.
/// </para>
/// <para>
/// <b>At-least-once, and its one window.</b> Each message's new state is saved in its own
/// <c>SaveChanges</c> right after its send. If the process dies after the server accepted a message but
/// before that save, the row is still due and that message is sent again by the next run — at most the
/// messages in flight (<see cref="MailOptions.Parallelism"/>, default 1) are doubled, never the batch. The duplicate carries the same Message-ID and
/// <c>X-WorkflowHost-Key</c> headers, so receivers can recognise it. The state is saved even when the
/// cancellation token fires after the send, to keep that window as small as possible.
/// </para>
/// <para>
/// <b>Single runner.</b> Two dispatchers running over the same rows at the same time could send a message
/// twice; <see cref="OutboxDispatchJob"/> runs under the Hangfire job store's distributed lock, shared
/// by every node (see <c>JobLoop</c>). Do not call <see cref="DispatchDueAsync"/> from
/// elsewhere concurrently with it.
/// </para>
/// <para>
/// <b>Failures.</b> See <see cref="MailFailureClassifier.Classify"/>: a permanent refusal (SMTP 5xx for the
/// message, invalid address) marks the row <see cref="OutboxStatus.Failed"/> at once; a transient one
/// schedules a retry after an exponential, jittered delay (<see cref="MailOptions.BaseRetryDelay"/> · 2^(n−1),
/// capped by <see cref="MailOptions.MaxRetryDelay"/>, uniformly in [d/2, d]) until
/// <see cref="MailOptions.MaxAttempts"/> attempts have been made, then marks it Failed. When the server
/// itself is unreachable (connection refused, timeout, 421, authentication refused) the current message is
/// rescheduled and the rest of the batch is left untouched (<see cref="DispatchResult.Deferred"/>), so a
/// dead server costs one connection attempt per run (per parallel sender) instead of one timeout per queued message.
/// </para>
/// </remarks>
public sealed partial class OutboxDispatcher(
    WorkflowHostDbContext db,
    IMailTransport transport,
    TimeProvider time,
    IOptions<MailOptions> options,
    ILogger<OutboxDispatcher> logger)
{
    /// <summary>
    /// Longest a commit of outcomes waits for the other senders' replies to arrive, so that they share it.
    /// </summary>
    private static readonly TimeSpan MaxCommitGathering = TimeSpan.FromMilliseconds(3);

    /// <summary>
    /// Loads up to <see cref="MailOptions.BatchSize"/> rows that are <see cref="OutboxStatus.Queued"/> or
    /// <see cref="OutboxStatus.Retrying"/> with <see cref="OutboxMessage.NextAttemptAt"/> ≤ now, oldest due
    /// first (then by Id), sends each and saves each outcome separately.
    /// </summary>
    /// <param name="ct">Stops the batch between messages (or aborts the send in flight, leaving that row due).</param>
    /// <returns>Counts of the outcomes.</returns>
    public async Task<DispatchResult> DispatchDueAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var due = await db.OutboxMessages
            .Where(m => (m.Status == OutboxStatus.Queued || m.Status == OutboxStatus.Retrying) && m.NextAttemptAt <= now)
            .OrderBy(m => m.NextAttemptAt)
            .ThenBy(m => m.Id)
            .Take(o.BatchSize)
            .ToListAsync(ct)
            .ConfigureAwait(false);
        if (due.Count == 0)
        {
            return DispatchResult.Empty;
        }

        // Up to Parallelism sends at once, each on its own connection. A sender records its message's outcome
        // and waits until that outcome is committed before it starts its next message, so a crash can repeat
        // at most the messages in flight (one per sender). Outcomes that arrive while a commit runs are
        // committed together by the next one (group commit: one fsync for several rows; one DbContext, used
        // by one committer at a time). Once the server is found unavailable, no further message is started.
        int sent = 0, retrying = 0, failed = 0, started = 0;
        var stop = false;
        var next = 0;
        var pending = new List<(OutboxMessage Message, Exception? Error, TaskCompletionSource Saved)>();
        var committing = false;
        var sending = 0; // senders between the start of a send and the hand-over of its outcome
        Exception? commitFailure = null;

        async Task CommitPendingAsync()
        {
            while (true)
            {
                // Senders started together come back together: wait a moment for the others still on the
                // wire, so that one commit (one fsync) serves them all instead of the first alone and then
                // the rest (measured: commits of 1 and 15 alternating without this wait, at 16 connections).
                var gathering = Stopwatch.StartNew();
                while (Volatile.Read(ref sending) > 0 && gathering.Elapsed < MaxCommitGathering)
                {
                    await Task.Delay(1, CancellationToken.None).ConfigureAwait(false);
                }

                List<(OutboxMessage Message, Exception? Error, TaskCompletionSource Saved)> group;
                lock (pending)
                {
                    if (pending.Count == 0 || commitFailure is not null)
                    {
                        committing = false;
                        return;
                    }

                    group = [.. pending];
                    pending.Clear();
                }

                try
                {
                    foreach (var (message, error, _) in group)
                    {
                        var outcome = Record(message, error, o);
                        switch (message.Status)
                        {
                            case OutboxStatus.Sent: sent++; break;
                            case OutboxStatus.Failed: failed++; break;
                            default: retrying++; break;
                        }

                        if (outcome == DeliveryFailureKind.ServerUnavailable)
                        {
                            lock (due) stop = true;
                        }
                    }

                    // Saved even if ct fired meanwhile: losing a "Sent" here is exactly what would double a message.
                    await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Handed to every waiting sender; DispatchDueAsync rethrows it.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    List<(OutboxMessage Message, Exception? Error, TaskCompletionSource Saved)> waiting;
                    lock (pending)
                    {
                        commitFailure = ex;
                        committing = false;
                        waiting = [.. group, .. pending];
                        pending.Clear();
                    }

                    lock (due) stop = true;
                    foreach (var item in waiting) item.Saved.TrySetException(ex);
                    return;
                }

                foreach (var item in group) item.Saved.TrySetResult();
            }
        }

        async Task RecordAsync(OutboxMessage message, Exception? error)
        {
            var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            bool lead;
            lock (pending)
            {
                Interlocked.Decrement(ref sending);
                if (commitFailure is not null)
                {
                    saved.SetException(commitFailure);
                    lead = false;
                }
                else
                {
                    pending.Add((message, error, saved));
                    lead = !committing;
                    committing = true;
                }
            }

            if (lead)
            {
                await CommitPendingAsync().ConfigureAwait(false);
            }

            await saved.Task.ConfigureAwait(false);
        }

        async Task WorkAsync(bool once)
        {
            for (var round = 0; !once || round < 1; round++)
            {
                int i;
                lock (due)
                {
                    if (stop || next >= due.Count || ct.IsCancellationRequested) return;
                    i = next++;
                    started++;
                }

                var message = due[i];
                Interlocked.Increment(ref sending);
                var error = await SendAsync(message, ct).ConfigureAwait(false);
                await RecordAsync(message, error).ConfigureAwait(false);
            }
        }

        // The first message goes alone: when the server is down, that one connection attempt finds out
        // and the rest of the batch is deferred untouched.
        await WorkAsync(once: true).ConfigureAwait(false);
        var parallelism = Math.Clamp(o.Parallelism, 1, Math.Max(1, due.Count - 1));
        await Task.WhenAll(Enumerable.Range(0, parallelism).Select(_ => WorkAsync(once: false))).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        var deferred = due.Count - started;
        if (stop && deferred > 0)
        {
            LogBatchStopped(logger, deferred);
        }

        return new DispatchResult(sent, retrying, failed, stop ? deferred : 0);
    }

    /// <summary>Sends one message; returns the exception that failed it, or null when the server accepted it.</summary>
    private async Task<Exception?> SendAsync(OutboxMessage message, CancellationToken ct)
    {
        try
        {
            await transport.SendAsync(message, ct).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Every send failure is recorded on the row; none may stop the batch unrecorded.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex;
        }
    }

    /// <summary>Records a send's outcome on the row (not saved). Returns the failure kind, or null on success.</summary>
    private DeliveryFailureKind? Record(OutboxMessage message, Exception? ex, MailOptions o)
    {
        var attempt = message.Attempts + 1;
        if (ex is not null)
        {
            var kind = MailFailureClassifier.Classify(ex);
            message.Attempts = attempt;
            message.LastError = MailFailureClassifier.Describe(ex);
            if (kind == DeliveryFailureKind.Permanent)
            {
                message.Status = OutboxStatus.Failed;
                message.NextAttemptAt = time.GetUtcNow(); // a failed row's NextAttemptAt is the time of its last attempt
                LogPermanentFailure(logger, ex, message.IdempotencyKey, message.Id, attempt);
            }
            else if (attempt >= o.MaxAttempts)
            {
                message.Status = OutboxStatus.Failed;
                message.NextAttemptAt = time.GetUtcNow();
                LogAttemptsExhausted(logger, ex, message.IdempotencyKey, message.Id, attempt);
            }
            else
            {
                message.Status = OutboxStatus.Retrying;
                message.NextAttemptAt = time.GetUtcNow() + RetryBackoff.NextDelay(attempt, o.BaseRetryDelay, o.MaxRetryDelay);
                LogTransientFailure(logger, ex, message.IdempotencyKey, message.Id, attempt, kind, message.NextAttemptAt);
            }

            return kind;
        }

        message.Attempts = attempt;
        message.Status = OutboxStatus.Sent;
        message.SentAt = time.GetUtcNow();
        LogSent(logger, message.IdempotencyKey, message.Id, attempt);
        return null;
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Outbox message {IdempotencyKey} (#{OutboxId}) sent on attempt {Attempt}")]
    private static partial void LogSent(ILogger logger, string idempotencyKey, long outboxId, int attempt);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "Outbox message {IdempotencyKey} (#{OutboxId}) failed on attempt {Attempt} ({FailureKind}); retrying at {NextAttemptAt:o}")]
    private static partial void LogTransientFailure(ILogger logger, Exception exception, string idempotencyKey, long outboxId, int attempt, DeliveryFailureKind failureKind, DateTimeOffset nextAttemptAt);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error,
        Message = "Outbox message {IdempotencyKey} (#{OutboxId}) refused permanently on attempt {Attempt}; marked Failed")]
    private static partial void LogPermanentFailure(ILogger logger, Exception exception, string idempotencyKey, long outboxId, int attempt);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error,
        Message = "Outbox message {IdempotencyKey} (#{OutboxId}) failed on attempt {Attempt}, the last allowed; marked Failed")]
    private static partial void LogAttemptsExhausted(ILogger logger, Exception exception, string idempotencyKey, long outboxId, int attempt);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning,
        Message = "Mail server unavailable; {Deferred} due outbox message(s) left for a later run")]
    private static partial void LogBatchStopped(ILogger logger, int deferred);
}
