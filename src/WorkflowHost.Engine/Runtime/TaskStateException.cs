namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// A submission or review that the task's state does not allow (e.g. accepting a task nothing was
/// submitted for, submitting an accepted task). Nothing is written; the API answers 409.
/// </summary>
public sealed class TaskStateException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public TaskStateException() { }

    /// <summary>Creates the exception with a message.</summary>
    public TaskStateException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public TaskStateException(string message, Exception innerException) : base(message, innerException) { }
}
