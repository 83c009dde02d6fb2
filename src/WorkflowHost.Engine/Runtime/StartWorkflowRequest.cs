namespace WorkflowHost.Engine.Runtime;

/// <summary>What to start: a definition (latest published version unless given) for a unit directory.</summary>
public sealed record StartWorkflowRequest
{
    /// <summary>Definition id.</summary>
    public required string DefinitionId { get; init; }

    /// <summary>Version; null = the latest published.</summary>
    public int? Version { get; init; }

    /// <summary>Unit directory name (e.g. "tuan-giao").</summary>
    public required string Directory { get; init; }

    /// <summary>Instance id to use; null = a new random id.</summary>
    public string? InstanceId { get; init; }

    /// <summary>Whole days added to every plan date (0 = as written).</summary>
    public int DateShiftDays { get; init; }

    /// <summary>
    /// The units this instance addresses: the union of these unit groups and unit codes; both empty =
    /// every unit of the directory. Every ForEachUnit of the plan is limited to them (see <see cref="UnitScope"/>).
    /// </summary>
    public IReadOnlyList<string> UnitGroups { get; init; } = [];

    /// <summary>Unit codes this instance addresses (with <see cref="UnitGroups"/>).</summary>
    public IReadOnlyList<string> UnitCodes { get; init; } = [];
}
