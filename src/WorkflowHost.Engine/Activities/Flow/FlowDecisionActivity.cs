namespace WorkflowHost.Engine.Activities.Flow;

/// <summary><c>Elsa.FlowDecision</c>: continues through True or False. The condition is a Literal ("true"/"false") or a Boolean variable.</summary>
[Activity("Elsa", "FlowDecision", Category = "Flow", DisplayName = "Decision", Description = "Continues through True or False.", Outcomes = ["True", "False"])]
public sealed class FlowDecisionActivity : Activity
{
    /// <summary>The condition.</summary>
    [Input(Description = "Boolean: a literal or a variable.", Required = true, TypeName = "Boolean")]
    public Input<bool> Condition { get; init; } = new();

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ExecuteAsync(Runtime.ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(ActivityResult.Complete(context.Get(Condition) ? "True" : "False"));
    }
}
