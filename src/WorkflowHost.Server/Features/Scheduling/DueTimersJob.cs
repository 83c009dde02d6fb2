using Hangfire;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Scheduling;

/// <summary>
/// The due-bookmark sweep (docs/decisions/0002, 0009): every <see cref="AppOptions.SweepIntervalSeconds"/>
/// of real time (default 1 s), one node at a time, resumes every timer bookmark whose instant has passed on
/// the application clock, including those that fell due while the host was down, so each fires once on
/// start. The bookmarks table is the source of truth for timers: Hangfire only says when to look.
/// </summary>
/// <remarks>
/// Fires once even if two sweeps overlapped (a lock that expired, say): resuming a bookmark deletes or
/// moves it in the step's own transaction, under the store's concurrency checks, so the second sweep's
/// step for the same instance does not commit. <c>[AutomaticRetry(Attempts = 0)]</c>: a failed run is
/// not retried by Hangfire; the next run, seconds later, looks at the table again.
/// </remarks>
[AutomaticRetry(Attempts = 0)]
public sealed partial class DueTimersJob(WorkflowRuntime runtime, JobLoop loop, IOptions<AppOptions> app, ILogger<DueTimersJob> logger)
{
    /// <summary>Recurring job id and lock name.</summary>
    public const string JobName = "due-timers";

    /// <summary>Hangfire's entry point: one run of the sweep loop (see <see cref="JobLoop"/>).</summary>
    /// <param name="cancellationToken">Hangfire's shutdown token.</param>
    public Task RunAsync(CancellationToken cancellationToken) =>
        loop.RunAsync(JobName, TimeSpan.FromSeconds(app.Value.SweepIntervalSeconds), (_, token) => SweepAsync(token), cancellationToken);

    /// <summary>One sweep; a failing instance is logged and stays due (retried by the next sweep).</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            var resumed = await runtime.ResumeDueTimersAsync(cancellationToken).ConfigureAwait(false);
            if (resumed > 0) LogResumed(logger, resumed);
            return resumed;
        }
        catch (AggregateException e)
        {
            foreach (var inner in e.InnerExceptions)
                LogStepFailed(logger, inner, inner.Message);
            return 0;
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Resumed {Count} due timers")]
    private static partial void LogResumed(ILogger logger, int count);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Error, Message = "A workflow step failed and stays due: {Message}")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string message);
}
