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
}
