using System.Text.Json.Nodes;
using WorkflowHost.Engine.Expressions;

namespace WorkflowHost.Engine.Activities;

/// <summary>
/// A typed activity input bound to an expression from the definition JSON
/// (<c>{"typeName": "...", "expression": {"type": "Literal", "value": "..."}}</c>). Evaluated per
/// execution by <see cref="Runtime.ActivityExecutionContext.Get{T}(Input{T})"/>.
/// </summary>
/// <typeparam name="T">The CLR type the expression evaluates to.</typeparam>
public sealed class Input<T>
{
    /// <summary>The bound expression; null when the definition leaves the input out and it has no default.</summary>
    public WorkflowExpression? Expression { get; init; }

    /// <summary>True when an expression (from the JSON or a default) is bound.</summary>
    public bool HasValue => Expression is not null;
}
