using Microsoft.Extensions.Options;
using Quartz;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Quartz job that drains the due part of the email outbox: runs <see cref="OutboxDispatcher.DispatchDueAsync"/>
/// batch after batch, each in a fresh DI scope (fresh DbContext, small change tracker), until a batch comes
/// back short, the server turns out unreachable, or <see cref="MaxBatchesPerRun"/> batches have run.
/// Schedule it with <see cref="MailQuartzBuilderExtensions.AddOutboxDispatchJob"/>.
/// </summary>
/// <remarks>
/// <c>[DisallowConcurrentExecution]</c>: two runs never overlap (cluster-wide with a clustered job store),
/// which is what keeps two dispatchers from sending the same row twice.
/// </remarks>
[DisallowConcurrentExecution]
public sealed partial class OutboxDispatchJob(
    IServiceScopeFactory scopes,
    IOptions<MailOptions> options,
    ILogger<OutboxDispatchJob> logger) : IJob
{
    /// <summary>Upper bound of batches per run, so one run cannot monopolise the scheduler thread.</summary>
    public const int MaxBatchesPerRun = 50;

    /// <inheritdoc />
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The job's work, callable without a Quartz context: drains due messages, returns the totals.</summary>
    public async Task<DispatchResult> RunAsync(CancellationToken cancellationToken)
    {
        var batchSize = options.Value.BatchSize;
        var total = DispatchResult.Empty;
        for (var batch = 0; batch < MaxBatchesPerRun; batch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
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
