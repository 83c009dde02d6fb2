using System.Text.Json.Nodes;

namespace WorkflowHost.Engine.Definitions;

/// <summary>
/// One activity of a definition as read from JSON: identity, type, the raw JSON object (kept for
/// lossless round trips), and for containers its children: a flowchart's activities and connections,
/// or embedded ports such as ForEachUnit's <c>body</c>.
/// </summary>
public sealed class ActivityNode
{
    /// <summary>Activity id, unique within the definition.</summary>
    public required string Id { get; init; }

    /// <summary>Hierarchical node id, <c>parentNodeId:id</c> (Elsa's convention).</summary>
    public required string NodeId { get; init; }

    /// <summary>Stable type key, e.g. <c>Elsa.Flowchart</c>, <c>ThiDua.UnitTask</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Activity type version.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Designer name, e.g. "UnitTask1".</summary>
    public string? Name { get; init; }

    /// <summary>The activity's JSON object as read (nodeIds filled in).</summary>
    public required JsonObject Json { get; init; }

    /// <summary>Child activities, when this node is a flowchart.</summary>
    public IReadOnlyList<ActivityNode> Activities { get; init; } = [];

    /// <summary>Connections between <see cref="Activities"/>, when this node is a flowchart.</summary>
    public IReadOnlyList<Connection> Connections { get; init; } = [];

    /// <summary>Embedded port activities by port name (camelCase), e.g. "body".</summary>
    public IReadOnlyDictionary<string, ActivityNode> EmbeddedPorts { get; init; } = new Dictionary<string, ActivityNode>();

    /// <summary>True for <c>Elsa.Flowchart</c> nodes.</summary>
    public bool IsFlowchart => Type == FlowchartTypeName;

    /// <summary>The flowchart type key.</summary>
    public const string FlowchartTypeName = "Elsa.Flowchart";
}
