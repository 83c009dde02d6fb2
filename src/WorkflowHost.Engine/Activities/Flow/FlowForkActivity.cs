using WorkflowHost.Engine.Expressions;

namespace WorkflowHost.Engine.Activities.Flow;

/// <summary><c>Elsa.FlowFork</c>: continues through every named branch at once; its out ports are the branch names.</summary>
[Activity("Elsa", "FlowFork", Category = "Flow", DisplayName = "Fork", Description = "Starts every named branch.")]
public sealed class FlowForkActivity : Activity
{
    /// <summary>Branch names (out ports).</summary>
    [Input(Description = "Branch names; each is an out port.", UIHint = "dynamic-outcomes", TypeName = "String[]", Required = true)]
    public Input<string[]> Branches { get; init; } = new();

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ExecuteAsync(Runtime.ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(ActivityResult.Complete(context.Get(Branches) ?? []));
    }

    /// <inheritdoc />
    public override IReadOnlyList<string>? DynamicOutcomes(ExpressionEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        try
        {
            return Branches.Expression is { } e ? evaluator.Evaluate<string[]>(e) ?? [] : [];
        }
        catch (ExpressionEvaluationException)
        {
            return [];
        }
    }
}
