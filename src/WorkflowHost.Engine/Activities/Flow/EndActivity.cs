namespace WorkflowHost.Engine.Activities.Flow;

/// <summary>
/// <c>Elsa.End</c>: ends the enclosing flowchart at once; its other branches are cancelled (their
/// bookmarks deleted, their open tasks marked Cancelled).
/// </summary>
[Activity("Elsa", "End", Category = "Flow", DisplayName = "End", Description = "Ends the flowchart; other branches are cancelled.", IsTerminal = true)]
public sealed class EndActivity : Activity
{
    /// <inheritdoc />
    public override ValueTask<ActivityResult> ExecuteAsync(Runtime.ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Journal("End");
        return ValueTask.FromResult(ActivityResult.EndScope);
    }
}
