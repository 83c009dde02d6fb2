namespace WorkflowHost.Engine.Runtime;

/// <summary>A commit lost a race with another writer; nothing was written and the step can be retried.</summary>
public sealed class WorkflowConcurrencyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkflowConcurrencyException() { }

    /// <summary>Creates the exception with a message.</summary>
    public WorkflowConcurrencyException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the store's exception.</summary>
    public WorkflowConcurrencyException(string message, Exception innerException) : base(message, innerException) { }
}
