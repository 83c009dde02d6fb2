using System.Threading.Channels;
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
/// <b>At-least-once, and its one window.</b> A sender's outcome is committed before that sender starts its next
/// message; outcomes that arrive together share one transaction (a set-based <c>UPDATE</c> for the delivered rows,
/// one per failed row; the rows are read untracked). If the process dies after the server accepted a message but
/// before that commit, the row is still due and that message is sent again by the next run — at most the
/// messages in flight (<see cref="MailOptions.Parallelism"/>, default 1) are doubled, never the batch. The duplicate carries the same Message-ID and
/// <c>X-WorkflowHost-Key</c> headers, so receivers can recognise it. The outcomes are committed even when the
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
    /// Loads up to <see cref="MailOptions.BatchSize"/> rows that are <see cref="OutboxStatus.Queued"/> or
    /// <see cref="OutboxStatus.Retrying"/> with <see cref="OutboxMessage.NextAttemptAt"/> ≤ now, oldest due
    /// first (then by Id), sends each and commits each outcome before that sender starts its next message.
    /// </summary>
    /// <param name="ct">Stops the batch between messages (or aborts the send in flight, leaving that row due).</param>
    /// <returns>Counts of the outcomes.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> fired (outcomes already known are committed first).</exception>
    /// <exception cref="System.Data.Common.DbException">
    /// Committing outcomes failed (the provider's exception, e.g. <c>SqliteException</c>, <c>NpgsqlException</c>): no
    /// further message is started, and the rows of that commit are still due and are sent again by a later run — at
    /// most one message per connection, the same messages a crash at that moment would repeat.
    /// </exception>
    public async Task<DispatchResult> DispatchDueAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        // Not tracked: the outcomes are written with set-based UPDATEs (CommitAsync), not through the change tracker.
        var due = await db.OutboxMessages
            .AsNoTracking()
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

        // Up to Parallelism senders at once, each on its own connection. A sender hands its message's outcome to
        // the committer and waits until that outcome is committed before it starts its next message, so a crash
        // can repeat at most the messages in flight (one per sender). The committer takes every outcome waiting
        // in the channel at once and writes them in one transaction (group commit: one fsync for all the rows
        // that arrived while the previous commit ran), never waiting for more. At most one outcome per sender
        // is ever in the channel, hence its bound. Once the server is found unavailable, no message is started.
        var parallelism = Math.Clamp(o.Parallelism, 1, Math.Max(1, due.Count - 1));
        var outcomes = Channel.CreateBounded<Outcome>(new BoundedChannelOptions(parallelism)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var batch = new BatchProgress();
        var committer = CommitLoopAsync(outcomes, batch, o);

        async Task WorkAsync(bool once)
        {
            for (var round = 0; !once || round < 1; round++)
            {
                int i;
                lock (batch)
                {
                    if (batch.Stop || batch.Next >= due.Count || ct.IsCancellationRequested) return;
                    i = batch.Next++;
                    batch.Started++;
                }

                var message = due[i];
                var error = await SendAsync(message, ct).ConfigureAwait(false);
                var outcome = new Outcome(message, error, error is null ? null : MailFailureClassifier.Classify(error));
                if (outcome.Kind == DeliveryFailureKind.ServerUnavailable)
                {
                    lock (batch) batch.Stop = true; // start nothing more: every further message would fail the same way
                }

                if (!outcomes.Writer.TryWrite(outcome))
                {
                    // Only a failed commit closes the channel; this outcome is not recorded and its row stays due.
                    throw batch.CommitFailure ?? new InvalidOperationException("The outbox committer stopped.");
                }

                await outcome.Saved.Task.ConfigureAwait(false);
            }
        }

        try
        {
            // The first message goes alone: when the server is down, that one connection attempt finds out
            // and the rest of the batch is deferred untouched.
            await WorkAsync(once: true).ConfigureAwait(false);
            await Task.WhenAll(Enumerable.Range(0, parallelism).Select(_ => WorkAsync(once: false))).ConfigureAwait(false);
        }
        finally
        {
            outcomes.Writer.TryComplete();
            await committer.ConfigureAwait(false);
        }

        ct.ThrowIfCancellationRequested();
        var deferred = due.Count - batch.Started;
        if (batch.Stop && deferred > 0)
        {
            LogBatchStopped(logger, deferred);
        }

        return new DispatchResult(batch.Sent, batch.Retrying, batch.Failed, batch.Stop ? deferred : 0);
    }

    /// <summary>
    /// Commits the outcomes of <paramref name="outcomes"/> until its writer completes: each round takes every
    /// outcome waiting, commits them together (<see cref="CommitAsync"/>) and then releases their senders. When
    /// a commit fails, the channel is closed and every waiting sender gets that exception.
    /// </summary>
    private async Task CommitLoopAsync(Channel<Outcome> outcomes, BatchProgress batch, MailOptions o)
    {
        var group = new List<Outcome>();
        var reader = outcomes.Reader;
        var opened = false;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (reader.TryRead(out var outcome)) group.Add(outcome);
                try
                {
                    if (!opened)
                    {
                        // One connection for the batch's commits instead of an open and a close around each statement.
                        await db.Database.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
                        opened = true;
                    }

                    // Committed even if the dispatch's token fired meanwhile: losing a "Sent" is what would double a message.
                    await CommitAsync(group, batch, o).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Handed to every waiting sender; DispatchDueAsync rethrows it.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    lock (batch)
                    {
                        batch.CommitFailure = ex;
                        batch.Stop = true;
                    }

                    outcomes.Writer.TryComplete(); // senders finishing later fail at TryWrite; nothing is left unread
                    while (reader.TryRead(out var outcome)) group.Add(outcome);
                    foreach (var item in group) item.Saved.TrySetException(ex);
                    return;
                }

                foreach (var item in group) item.Saved.TrySetResult();
                group.Clear();
            }
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Records the outcomes of <paramref name="group"/> on their rows in one transaction: one
    /// <c>UPDATE … WHERE Id IN (…)</c> for all the delivered ones, one <c>UPDATE</c> per failed one (they carry
    /// their own error and next attempt). The rows were loaded untracked, so no change tracking is involved.
    /// </summary>
    private async Task CommitAsync(List<Outcome> group, BatchProgress batch, MailOptions o)
    {
        var at = time.GetUtcNow();
        List<long>? sentIds = null;
        List<OutboxMessage>? failures = null;
        int sent = 0, retrying = 0, failed = 0;
        foreach (var outcome in group)
        {
            var message = outcome.Message;
            Record(message, outcome.Error, outcome.Kind, at, o);
            switch (message.Status)
            {
                case OutboxStatus.Sent: sent++; (sentIds ??= new(group.Count)).Add(message.Id); break;
                case OutboxStatus.Failed: failed++; (failures ??= []).Add(message); break;
                default: retrying++; (failures ??= []).Add(message); break;
            }
        }

        var statements = (sentIds is null ? 0 : 1) + (failures?.Count ?? 0);
        var transaction = statements > 1 ? await db.Database.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false) : null;
        try
        {
            if (sentIds is not null)
            {
                await db.OutboxMessages
                    .Where(m => EF.Parameter(sentIds).Contains(m.Id)) // one array parameter: the same SQL whatever the count, so EF caches it
                    .ExecuteUpdateAsync(u => u
                        .SetProperty(m => m.Status, OutboxStatus.Sent)
                        .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                        .SetProperty(m => m.SentAt, at), CancellationToken.None)
                    .ConfigureAwait(false);
            }

            foreach (var message in failures ?? [])
            {
                await db.OutboxMessages
                    .Where(m => m.Id == message.Id)
                    .ExecuteUpdateAsync(u => u
                        .SetProperty(m => m.Status, message.Status)
                        .SetProperty(m => m.Attempts, message.Attempts)
                        .SetProperty(m => m.LastError, message.LastError)
                        .SetProperty(m => m.NextAttemptAt, message.NextAttemptAt), CancellationToken.None)
                    .ConfigureAwait(false);
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
        }

        lock (batch)
        {
            batch.Sent += sent;
            batch.Retrying += retrying;
            batch.Failed += failed;
        }
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

    /// <summary>Sets a send's outcome on the (untracked) row and logs it; <see cref="CommitAsync"/> writes it.</summary>
    private void Record(OutboxMessage message, Exception? ex, DeliveryFailureKind? kind, DateTimeOffset at, MailOptions o)
    {
        var attempt = message.Attempts + 1;
        message.Attempts = attempt;
        if (ex is null)
        {
            message.Status = OutboxStatus.Sent;
            message.SentAt = at;
            LogSent(logger, message.IdempotencyKey, message.Id, attempt);
            return;
        }

        message.LastError = MailFailureClassifier.Describe(ex);
        if (kind == DeliveryFailureKind.Permanent)
        {
            message.Status = OutboxStatus.Failed;
            message.NextAttemptAt = at; // a failed row's NextAttemptAt is the time of its last attempt
            LogPermanentFailure(logger, ex, message.IdempotencyKey, message.Id, attempt);
        }
        else if (attempt >= o.MaxAttempts)
        {
            message.Status = OutboxStatus.Failed;
            message.NextAttemptAt = at;
            LogAttemptsExhausted(logger, ex, message.IdempotencyKey, message.Id, attempt);
        }
        else
        {
            message.Status = OutboxStatus.Retrying;
            message.NextAttemptAt = at + RetryBackoff.NextDelay(attempt, o.BaseRetryDelay, o.MaxRetryDelay);
            LogTransientFailure(logger, ex, message.IdempotencyKey, message.Id, attempt, kind ?? DeliveryFailureKind.Transient, message.NextAttemptAt);
        }
    }

    /// <summary>A send's result on its way to the committer; <see cref="Saved"/> completes once it is committed.</summary>
    private sealed class Outcome(OutboxMessage message, Exception? error, DeliveryFailureKind? kind)
    {
        public OutboxMessage Message { get; } = message;

        public Exception? Error { get; } = error;

        public DeliveryFailureKind? Kind { get; } = kind;

        public TaskCompletionSource Saved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Shared state of one batch; guarded by locking the instance.</summary>
    private sealed class BatchProgress
    {
        public int Next { get; set; }

        public int Started { get; set; }

        public bool Stop { get; set; }

        public int Sent { get; set; }

        public int Retrying { get; set; }

        public int Failed { get; set; }

        public Exception? CommitFailure { get; set; }
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
