namespace WorkflowHost.Engine.Definitions;

/// <summary>One problem found in a workflow definition.</summary>
/// <param name="Path">Where: a JSON-path-like location with the activity id, e.g. <c>root/branch-a(ut-1).dueDate</c>.</param>
/// <param name="Message">What is wrong, in plain words.</param>
public sealed record DefinitionProblem(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}
