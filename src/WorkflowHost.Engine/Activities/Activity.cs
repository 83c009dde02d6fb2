using System.Text.Json.Nodes;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Engine.Activities;

/// <summary>
/// Base of every activity. An activity object is built once per definition version from its JSON
/// node (inputs bound as <see cref="Input{T}"/>) and is stateless during execution: whatever must
/// survive a restart lives in the scope state, tasks or bookmarks that the context persists.
/// A waiting activity never blocks: it creates bookmarks and returns <see cref="ActivityResult.Suspend"/>.
/// </summary>
public abstract class Activity
{
    /// <summary>Activity id from the definition.</summary>
    public string Id { get; internal set; } = "";

    /// <summary>Node id (<c>parent:id</c>).</summary>
    public string NodeId { get; internal set; } = "";

    /// <summary>Designer name.</summary>
    public string? Name { get; internal set; }

    /// <summary>Stable type key.</summary>
    public string TypeName { get; internal set; } = "";

    /// <summary>Runs the activity when a connection (or its scope's start) reaches it.</summary>
    public abstract ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context);

    /// <summary>Resumes the activity from one of its bookmarks (a timer fell due, or an event arrived).</summary>
    /// <exception cref="InvalidOperationException">The activity never waits.</exception>
    public virtual ValueTask<ActivityResult> ResumeAsync(ActivityExecutionContext context, Bookmark bookmark, JsonNode? payload) =>
        throw new InvalidOperationException($"{TypeName} ({Id}) does not wait on bookmarks.");

    /// <summary>Called on a container activity when one of the child scopes it started completed.</summary>
    /// <exception cref="InvalidOperationException">The activity starts no child scopes.</exception>
    public virtual ValueTask<ActivityResult> OnChildCompletedAsync(ActivityExecutionContext context, ExecutionScope child) =>
        throw new InvalidOperationException($"{TypeName} ({Id}) has no child scopes.");

    /// <summary>Dynamic outcome ports (e.g. a FlowFork's branch names); null = the descriptor's ports.</summary>
    public virtual IReadOnlyList<string>? DynamicOutcomes(Expressions.ExpressionEvaluator evaluator) => null;

    /// <summary>Static checks of bound inputs beyond required/convertible (e.g. the escalation ladder's format).</summary>
    public virtual IEnumerable<string> Validate(Expressions.ExpressionEvaluator evaluator) => [];

    /// <summary>
    /// For <see cref="Validate"/>: evaluates a statically known input (not a Variable) and runs
    /// <paramref name="check"/> on it. Returns "name: message" when the check throws
    /// <see cref="FormatException"/>; null when it passes or the input cannot be evaluated statically
    /// (input binding reports unevaluable inputs).
    /// </summary>
    protected static string? CheckInput<T>(Expressions.ExpressionEvaluator evaluator, Input<T> input, string name, Action<T> check)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(check);
        if (input.Expression is not { Type: not "Variable" } expression) return null;
        try
        {
            if (evaluator.Evaluate<T>(expression) is { } value) check(value);
            return null;
        }
        catch (Expressions.ExpressionEvaluationException)
        {
            return null;
        }
        catch (FormatException e)
        {
            return name + ": " + e.Message;
        }
    }
}
