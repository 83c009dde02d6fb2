using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

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

/// <summary>
/// Source-generated (de)serialisation of <see cref="ScopeState"/> with the web defaults (camelCase): every step
/// reads and writes thousands of scope states, and the reflection-based serializer's per-call look-ups
/// were a tenth of the engine's CPU in memory (issue 13). Same JSON text as before.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ScopeState))]
internal sealed partial class ScopeStateJsonContext : JsonSerializerContext;
