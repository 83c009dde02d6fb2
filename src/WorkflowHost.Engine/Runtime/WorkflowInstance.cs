namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// A running (or finished) plan: one execution of one definition version for one unit directory.
/// Persisted as a few indexed columns plus JSON variables; per-unit branch state lives in
/// <see cref="ExecutionScope"/> rows so a large plan does not rewrite one huge document per step.
/// </summary>
public sealed class WorkflowInstance
{
    /// <summary>Instance id (URL-safe).</summary>
    public required string Id { get; set; }

    /// <summary>Definition id.</summary>
    public required string DefinitionId { get; set; }

    /// <summary>Definition version this instance runs; publishing a newer version does not change it.</summary>
    public int DefinitionVersion { get; set; }

    /// <summary>Name of the unit directory whose units the plan addresses (e.g. "tuan-giao").</summary>
    public required string Directory { get; set; }

    /// <summary>Running, Finished, Cancelled or Faulted.</summary>
    public WorkflowStatus Status { get; set; } = WorkflowStatus.Running;

    /// <summary>Whole days added to every plan date (dates in the definition, StartAt instants); 0 normally.</summary>
    public int DateShiftDays { get; set; }

    /// <summary>The units the instance addresses, <see cref="Runtime.UnitScope"/> text (<c>groups=A,B;units=X,Y</c>); null = every unit.</summary>
    public string? UnitScope { get; set; }

    /// <summary>Instant (UTC) the instance was started.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Instant (UTC) of the last committed step.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Instant (UTC) the instance finished, if it did.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Variables as a JSON object text.</summary>
    public string VariablesJson { get; set; } = "{}";

    /// <summary>Monotonic counter ordering this instance's journal entries.</summary>
    public long JournalSequence { get; set; }

    /// <summary>Last incident (an activity that faulted), if any.</summary>
    public string? Incident { get; set; }
}

/// <summary>Lifecycle of a <see cref="WorkflowInstance"/> or <see cref="ExecutionScope"/>.</summary>
public enum WorkflowStatus
{
    /// <summary>Has work or waits on bookmarks.</summary>
    Running,
    /// <summary>Completed normally.</summary>
    Finished,
    /// <summary>Ended by an End activity or by an operator.</summary>
    Cancelled,
    /// <summary>An activity threw; see the incident.</summary>
    Faulted,
}
