namespace WorkflowHost.Engine.Definitions;

/// <summary>Thrown when a definition is used that has problems; carries every problem, not just the first.</summary>
public sealed class InvalidWorkflowDefinitionException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public InvalidWorkflowDefinitionException(IReadOnlyList<DefinitionProblem> problems)
        : base("Invalid workflow definition: " + string.Join("; ", problems.Take(20)) + (problems.Count > 20 ? $"; … ({problems.Count} problems)" : ""))
        => Problems = problems;

    /// <summary>Creates the exception with a message.</summary>
    public InvalidWorkflowDefinitionException() : this([]) { }

    /// <summary>Creates the exception with a message.</summary>
    public InvalidWorkflowDefinitionException(string message) : base(message) => Problems = [new DefinitionProblem("$", message)];

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public InvalidWorkflowDefinitionException(string message, Exception innerException) : base(message, innerException) => Problems = [new DefinitionProblem("$", message)];

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<DefinitionProblem> Problems { get; }
}
