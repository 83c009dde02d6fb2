using System.Text.Json.Nodes;

namespace WorkflowHost.Engine.Definitions;

/// <summary>
/// An Elsa-3-shaped workflow definition (the JSON Elsa Studio 3.8 saves): identity and versioning,
/// variables and the root <c>Elsa.Flowchart</c>. <see cref="Json"/> keeps the whole document so the
/// designer gets back exactly what it saved (plus filled-in node ids).
/// </summary>
public sealed class WorkflowDefinition
{
    /// <summary>Logical id shared by all versions, e.g. "tuan-giao-2021-2025".</summary>
    public required string DefinitionId { get; init; }

    /// <summary>Version number, 1-based.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Display name.</summary>
    public string? Name { get; init; }

    /// <summary>Description.</summary>
    public string? Description { get; init; }

    /// <summary>Whether this version is published (startable).</summary>
    public bool IsPublished { get; init; }

    /// <summary>Whether this is the latest version.</summary>
    public bool IsLatest { get; init; } = true;

    /// <summary>Workflow variables with their initial values (JSON).</summary>
    public IReadOnlyList<VariableDefinition> Variables { get; init; } = [];

    /// <summary>The root flowchart.</summary>
    public required ActivityNode Root { get; init; }

    /// <summary>The whole definition document.</summary>
    public required JsonObject Json { get; init; }
}
