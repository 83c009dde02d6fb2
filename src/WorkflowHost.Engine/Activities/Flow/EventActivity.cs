using System.Globalization;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Engine.Activities.Flow;

/// <summary><c>Elsa.Event</c>: waits until the named event is published (API <c>POST /api/events/{name}</c>).</summary>
[Activity("Elsa", "Event", Category = "Primitives", DisplayName = "Event", Description = "Waits for a named event.", Kind = "Trigger", MayWait = true)]
public sealed class EventActivity : Activity, IWaitingActivity
{
    /// <summary>The event name.</summary>
    [Input(Description = "Event name.", Required = true)]
    public Input<string> EventName { get; init; } = new();

    /// <summary>The bookmark key for an event name.</summary>
    public static string EventKey(string eventName) => "event:" + eventName;

    /// <inheritdoc />
    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = context.Get(EventName)!;
        await context.CreateEventBookmarkAsync($"{context.Instance.Id}/{context.Scope.Id}/{Id}#{context.RunCount.ToString(CultureInfo.InvariantCulture)}", EventKey(name)).ConfigureAwait(false);
        return ActivityResult.Suspend;
    }

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ResumeAsync(ActivityExecutionContext context, Bookmark bookmark, JsonNode? payload)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Journal("EventReceived", context.Get(EventName));
        return ValueTask.FromResult(ActivityResult.Done);
    }
}
