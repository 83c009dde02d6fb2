using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Engine.Activities.Flow;

/// <summary>
/// <c>Elsa.Flowchart</c>: activities joined by connections. As the root it is the workflow; nested
/// inside another flowchart (or as a body) it runs as a child scope and completes when nothing in it
/// is queued or waiting.
/// </summary>
[Activity("Elsa", "Flowchart", Category = "Flow", DisplayName = "Flowchart", Description = "Activities joined by connections; completes when none is running or waiting.", MayWait = true)]
public sealed class FlowchartActivity : Activity
{
    /// <inheritdoc />
    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.StartChildScopeAsync(NodeId, context.RunCount.ToString(System.Globalization.CultureInfo.InvariantCulture), null).ConfigureAwait(false);
        return ActivityResult.Suspend;
    }

    /// <inheritdoc />
    public override ValueTask<ActivityResult> OnChildCompletedAsync(ActivityExecutionContext context, ExecutionScope child) => ValueTask.FromResult(ActivityResult.Done);
}
