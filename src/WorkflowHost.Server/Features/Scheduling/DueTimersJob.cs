using Quartz;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Server.Features.Scheduling;

/// <summary>
/// The due-bookmark sweep, run by Quartz every second (one node at a time when clustered): resumes
/// every timer bookmark whose instant has passed, including those that fell due while the host was
/// down, so each fires once on start. The bookmarks table is the source of truth for timers.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DueTimersJob(WorkflowRuntime runtime, ILogger<DueTimersJob> logger) : IJob
{
    /// <summary>Job and trigger name.</summary>
    public const string JobName = "due-timers";

    /// <inheritdoc />
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            var resumed = await runtime.ResumeDueTimersAsync(cancellationToken).ConfigureAwait(false);
            if (resumed > 0) logger.LogInformation("Resumed {Count} due timers", resumed);
        }
        catch (AggregateException e)
        {
            foreach (var inner in e.InnerExceptions)
                logger.LogError(inner, "A workflow step failed and stays due: {Message}", inner.Message);
        }
    }
}
