using WorkflowHost.Engine.Activities;

namespace WorkflowHost.Engine.Definitions;

/// <summary>
/// What a scope executes: a flowchart's activities and connections, or a single embedded activity
/// (a body that is not a flowchart), with the activity to start from.
/// </summary>
public sealed class FlowchartView
{
    internal FlowchartView(string nodeId, IReadOnlyList<Activity> activities, IReadOnlyList<Connection> connections, string? startActivityId)
    {
        NodeId = nodeId;
        Activities = activities.ToDictionary(a => a.Id, StringComparer.Ordinal);
        Outbound = connections.ToLookup(c => c.SourceActivity, StringComparer.Ordinal);
        Inbound = connections.ToLookup(c => c.TargetActivity, StringComparer.Ordinal);
        StartActivityId = startActivityId;
    }

    /// <summary>Node id of the flowchart (or of the single activity).</summary>
    public string NodeId { get; }

    /// <summary>Activities by id.</summary>
    public IReadOnlyDictionary<string, Activity> Activities { get; }

    /// <summary>Connections by source activity id.</summary>
    public ILookup<string, Connection> Outbound { get; }

    /// <summary>Connections by target activity id.</summary>
    public ILookup<string, Connection> Inbound { get; }

    /// <summary>The activity the scope starts with; null for an empty flowchart.</summary>
    public string? StartActivityId { get; }
}
