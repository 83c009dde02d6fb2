using System.Collections.Frozen;
using WorkflowHost.Engine.Activities;

namespace WorkflowHost.Engine.Definitions;

/// <summary>
/// A validated definition materialized for execution: activity objects with bound inputs and the
/// flowchart views scopes run. Immutable; cached per definition version.
/// </summary>
public sealed class WorkflowBlueprint
{
    internal WorkflowBlueprint(WorkflowDefinition definition, IReadOnlyDictionary<string, FlowchartView> views)
    {
        Definition = definition;
        Views = views.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The definition.</summary>
    public WorkflowDefinition Definition { get; }

    /// <summary>Views by body node id.</summary>
    public FrozenDictionary<string, FlowchartView> Views { get; }

    /// <summary>The root flowchart's view.</summary>
    public FlowchartView Root => Views[Definition.Root.NodeId];

    /// <summary>The view a scope with body <paramref name="bodyNodeId"/> runs.</summary>
    /// <exception cref="KeyNotFoundException">No such body in this definition version.</exception>
    public FlowchartView GetView(string bodyNodeId) =>
        Views.TryGetValue(bodyNodeId, out var view) ? view : throw new KeyNotFoundException($"No flowchart or body '{bodyNodeId}' in {Definition.DefinitionId} v{Definition.Version}.");

    /// <summary>Every UnitTask-like activity, for listing milestones.</summary>
    public IEnumerable<Activity> AllActivities => Views.Values.SelectMany(v => v.Activities.Values).DistinctBy(a => a.NodeId);
}
