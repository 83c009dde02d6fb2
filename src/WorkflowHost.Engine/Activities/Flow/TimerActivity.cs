using System.Text.Json.Nodes;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Engine.Activities.Flow;

/// <summary>
/// <c>Elsa.Timer</c>: inside a flowchart, waits one interval and continues. (Plans are started
/// explicitly, so it is not a recurring workflow trigger here.)
/// </summary>
[Activity("Elsa", "Timer", Category = "Scheduling", DisplayName = "Timer", Description = "Waits one interval, then continues.", Kind = "Trigger", MayWait = true)]
public sealed class TimerActivity : Activity, IWaitingActivity
{
    /// <summary>The interval.</summary>
    [Input(Description = "Interval, e.g. 1.00:00:00 for one day.", DefaultValue = "00:01:00", Required = true)]
    public Input<TimeSpan> Interval { get; init; } = new();

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TimerWait.WaitUntilAsync(context, context.Now + context.Get(Interval));
    }

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ResumeAsync(ActivityExecutionContext context, Bookmark bookmark, JsonNode? payload) => ValueTask.FromResult(ActivityResult.Done);
}
