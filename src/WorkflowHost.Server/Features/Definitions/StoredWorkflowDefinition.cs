namespace WorkflowHost.Server.Features.Definitions;

/// <summary>One version of a workflow definition as stored: the Elsa JSON plus indexed columns.</summary>
public sealed class StoredWorkflowDefinition
{
    /// <summary>Logical id.</summary>
    public required string DefinitionId { get; set; }

    /// <summary>Version, 1-based.</summary>
    public int Version { get; set; }

    /// <summary>Display name.</summary>
    public string? Name { get; set; }

    /// <summary>Whether this version can be started.</summary>
    public bool IsPublished { get; set; }

    /// <summary>Whether this is the latest version.</summary>
    public bool IsLatest { get; set; }

    /// <summary>The Elsa WorkflowDefinition JSON.</summary>
    public required string Json { get; set; }

    /// <summary>Instant (UTC) saved.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
