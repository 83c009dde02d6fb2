namespace WorkflowHost.Engine.Expressions;

/// <summary>An input expression could not be evaluated to the input's type; the message names the value.</summary>
public sealed class ExpressionEvaluationException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ExpressionEvaluationException() { }

    /// <summary>Creates the exception with a message.</summary>
    public ExpressionEvaluationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public ExpressionEvaluationException(string message, Exception innerException) : base(message, innerException) { }
}
