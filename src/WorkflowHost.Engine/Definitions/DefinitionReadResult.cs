namespace WorkflowHost.Engine.Definitions;

/// <summary>The outcome of reading a definition: the blueprint when valid, otherwise every problem found.</summary>
/// <param name="Blueprint">The materialized workflow; null when <paramref name="Problems"/> is not empty.</param>
/// <param name="Problems">Every problem found (empty when valid).</param>
public sealed record DefinitionReadResult(WorkflowBlueprint? Blueprint, IReadOnlyList<DefinitionProblem> Problems)
{
    /// <summary>True when there are no problems.</summary>
    public bool IsValid => Problems.Count == 0 && Blueprint is not null;

    /// <summary>The blueprint, or throws with every problem.</summary>
    /// <exception cref="InvalidWorkflowDefinitionException">The definition has problems.</exception>
    public WorkflowBlueprint GetBlueprintOrThrow() => IsValid ? Blueprint! : throw new InvalidWorkflowDefinitionException(Problems);
}
