using Microsoft.Extensions.Options;
using WorkflowHost.Server.Features.Scheduling;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Drains the due part of the email outbox; Hangfire runs it (docs/decisions/0009) through
/// <see cref="OutboxDispatchLoopJob"/> every <see cref="AppOptions.DispatchIntervalSeconds"/> of real time
/// (default 2 s). Each iteration runs
/// <see cref="OutboxDispatcher.DispatchDueAsync"/> batch after batch, each in a fresh DI scope (fresh
/// DbContext, small change tracker), until a batch comes back short, the server turns out unreachable,
/// <see cref="MaxBatchesPerRun"/> batches have run, or the loop run's time is up.
/// </summary>
/// <remarks>
/// <b>Single runner.</b> Two drains over the same rows at once could send a row twice; the loop job runs
/// the drains under the job store's distributed lock, shared by every node (<see cref="JobLoop"/>).
/// </remarks>
public sealed partial class OutboxDispatchJob(
    IServiceScopeFactory scopes,
    IOptions<MailOptions> options,
    ILogger<OutboxDispatchJob> logger)
{
    /// <summary>Upper bound of batches per iteration, so one iteration cannot monopolise the loop.</summary>
    public const int MaxBatchesPerRun = 50;

    /// <summary>
    /// One iteration: drains due messages, returns the totals. At least one batch runs; no further batch
    /// starts once <paramref name="budget"/> (null: none) has passed.
    /// </summary>
    public async Task<DispatchResult> RunAsync(CancellationToken cancellationToken, TimeSpan? budget = null)
    {
        var batchSize = options.Value.BatchSize;
        var total = DispatchResult.Empty;
        var started = TimeProvider.System.GetTimestamp();
        for (var batch = 0; batch < MaxBatchesPerRun; batch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (batch > 0 && budget is { } b && TimeProvider.System.GetElapsedTime(started) >= b) break;
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var dispatcher = scope.ServiceProvider.GetRequiredService<OutboxDispatcher>();
                var result = await dispatcher.DispatchDueAsync(cancellationToken).ConfigureAwait(false);
                total += result;
                if (result.Loaded < batchSize || result.Deferred > 0)
                {
                    break;
                }
            }
        }

        if (total.Loaded > 0)
        {
            LogRun(logger, total.Sent, total.Retrying, total.Failed, total.Deferred);
        }

        return total;
    }

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information,
        Message = "Outbox dispatch: {Sent} sent, {Retrying} to retry, {Failed} failed, {Deferred} deferred")]
    private static partial void LogRun(ILogger logger, int sent, int retrying, int failed, int deferred);
}
