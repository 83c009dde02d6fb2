using System.Text.Json.Nodes;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Engine.Activities.Flow;

/// <summary>
/// <c>Elsa.FlowJoin</c>: merges branches. WaitAll continues when every distinct source activity with a
/// connection into the join has arrived (an activity connected through two ports, such as a UnitTask's
/// Done and DoneLate, counts once: only one of them can fire). WaitAny continues at the first arrival
/// and absorbs the others of the same round.
/// </summary>
[Activity("Elsa", "FlowJoin", Category = "Flow", DisplayName = "Join", Description = "Merges branches: WaitAll or WaitAny.")]
public sealed class FlowJoinActivity : Activity
{
    /// <summary>WaitAll or WaitAny.</summary>
    [Input(Description = "WaitAll: every inbound activity; WaitAny: the first.", UIHint = "dropdown",
        TypeName = "Elsa.Workflows.Activities.Flowchart.Models.FlowJoinMode, Elsa.Workflows.Core", DefaultValue = "WaitAll")]
    public Input<FlowJoinMode> Mode { get; init; } = new();

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sources = context.Flowchart.Inbound[Id].Select(c => c.SourceActivity).ToHashSet(StringComparer.Ordinal);
        if (!context.State.JoinArrivals.TryGetValue(Id, out var arrived)) context.State.JoinArrivals[Id] = arrived = [];
        var first = arrived.Count == 0;
        if (context.IncomingFrom is { } from) arrived.Add(from);
        var all = sources.IsSubsetOf(arrived);
        if (all) context.State.JoinArrivals.Remove(Id);
        var mode = context.Get(Mode);
        return ValueTask.FromResult(mode == FlowJoinMode.WaitAny
            ? first ? ActivityResult.Done : ActivityResult.Pending
            : all ? ActivityResult.Done : ActivityResult.Pending);
    }
}
