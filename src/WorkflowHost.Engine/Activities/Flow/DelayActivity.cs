using System.Text.Json.Nodes;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Engine.Activities.Flow;

/// <summary><c>Elsa.Delay</c>: waits a time span (durably: a timer bookmark, never a sleeping thread).</summary>
[Activity("Elsa", "Delay", Category = "Scheduling", DisplayName = "Delay", Description = "Waits a time span (d.hh:mm:ss).", MayWait = true)]
public sealed class DelayActivity : Activity, IWaitingActivity
{
    /// <summary>How long to wait.</summary>
    [Input(Description = "Time span, e.g. 7.00:00:00 for 7 days.", DefaultValue = "00:01:00", Required = true)]
    public Input<TimeSpan> TimeSpan { get; init; } = new();

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TimerWait.WaitUntilAsync(context, context.Now + context.Get(TimeSpan));
    }

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ResumeAsync(ActivityExecutionContext context, Bookmark bookmark, JsonNode? payload) => ValueTask.FromResult(ActivityResult.Done);
}
