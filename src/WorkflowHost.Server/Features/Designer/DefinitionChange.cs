using WorkflowHost.Engine.Definitions;
using WorkflowHost.Server.Features.Definitions;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>The outcome of a save, publish or retract through <see cref="DefinitionVersionStore"/>.</summary>
/// <param name="Definition">The version saved, published or retracted; null when nothing was found or the request was rejected.</param>
/// <param name="Problems">
/// Problems found. With <paramref name="Definition"/> set they describe that version (a draft may have
/// problems; a publish was refused because of them); without it the request was rejected and nothing was stored.
/// </param>
/// <param name="Created">True when the save created the definition (its version 1).</param>
/// <param name="Published">True when <paramref name="Definition"/> is now the published version.</param>
/// <param name="AlreadyPublished">True when the version was published before the request.</param>
public sealed record DefinitionChange(
    StoredWorkflowDefinition? Definition,
    IReadOnlyList<DefinitionProblem> Problems,
    bool Created = false,
    bool Published = false,
    bool AlreadyPublished = false)
{
    /// <summary>Nothing found.</summary>
    public static DefinitionChange NotFound { get; } = new(null, []);

    /// <summary>Rejected with <paramref name="problems"/>; nothing stored.</summary>
    public static DefinitionChange Rejected(IReadOnlyList<DefinitionProblem> problems) => new(null, problems);
}
