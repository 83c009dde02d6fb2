namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// One running flowchart (or embedded body) inside an instance: the root flowchart, a nested
/// flowchart, or one branch of a <c>ThiDua.ForEachUnit</c> for one unit. Ids are paths
/// (<c>root/fe-plans[PNV]</c>) so a subtree can be cancelled by prefix.
/// </summary>
public sealed class ExecutionScope
{
    /// <summary>Owning instance id.</summary>
    public required string InstanceId { get; set; }

    /// <summary>Scope id, a path unique within the instance.</summary>
    public required string Id { get; set; }

    /// <summary>Parent scope id; null for the root.</summary>
    public string? ParentId { get; set; }

    /// <summary>The container activity in the parent scope that started this scope.</summary>
    public string? OwnerActivityId { get; set; }

    /// <summary>Node id of the flowchart (or single activity) this scope executes.</summary>
    public required string BodyNodeId { get; set; }

    /// <summary>The unit this branch runs for (inherited by nested scopes), if any.</summary>
    public string? UnitCode { get; set; }

    /// <summary>Running, Finished or Cancelled.</summary>
    public WorkflowStatus Status { get; set; } = WorkflowStatus.Running;

    /// <summary>Serialized <see cref="ScopeState"/>.</summary>
    public string StateJson { get; set; } = "{}";

    /// <summary>Optimistic-concurrency token, incremented on every commit.</summary>
    public int Revision { get; set; }
}
