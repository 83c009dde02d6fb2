using System.Text.Json.Nodes;

namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// The execution state of one scope, serialized into <see cref="ExecutionScope.StateJson"/>:
/// which activities wait (on a bookmark or on child scopes), which join inputs arrived, and each
/// activity's own small state.
/// </summary>
public sealed class ScopeState
{
    /// <summary>Ids of activities that are suspended in this scope.</summary>
    public HashSet<string> Waiting { get; set; } = [];

    /// <summary>For each FlowJoin id, the source activity ids whose connections have arrived.</summary>
    public Dictionary<string, HashSet<string>> JoinArrivals { get; set; } = [];

    /// <summary>Per-activity state (e.g. ForEachUnit's remaining branch count), by activity id.</summary>
    public Dictionary<string, JsonObject> Data { get; set; } = [];

    /// <summary>How many times each activity has run in this scope (for unique ids in loops).</summary>
    public Dictionary<string, int> Runs { get; set; } = [];
}
