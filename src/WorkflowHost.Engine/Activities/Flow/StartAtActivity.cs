using System.Text.Json.Nodes;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Engine.Activities.Flow;

/// <summary>
/// <c>Elsa.StartAt</c>: waits until an instant. A value with an offset is that instant; a date and
/// time without one is local Asia/Ho_Chi_Minh; a bare date is 00:00 local of that day. Plan date
/// shifts apply. An instant already past continues at once.
/// </summary>
[Activity("Elsa", "StartAt", Category = "Scheduling", DisplayName = "Start At", Description = "Waits until a date and time (local Asia/Ho_Chi_Minh unless an offset is given).", Kind = "Trigger", MayWait = true)]
public sealed class StartAtActivity : Activity, IWaitingActivity
{
    /// <summary>When to continue.</summary>
    [Input(Description = "Date and time, e.g. 2023-05-15T08:00:00+07:00.", UIHint = "datetime-picker", Required = true)]
    public Input<DateTimeOffset> DateTime { get; init; } = new();

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TimerWait.WaitUntilAsync(context, context.Get(DateTime));
    }

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ResumeAsync(ActivityExecutionContext context, Bookmark bookmark, JsonNode? payload) => ValueTask.FromResult(ActivityResult.Done);
}
