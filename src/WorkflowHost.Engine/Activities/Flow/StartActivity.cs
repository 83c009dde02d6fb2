namespace WorkflowHost.Engine.Activities.Flow;

/// <summary><c>Elsa.Start</c>: where a flowchart begins.</summary>
[Activity("Elsa", "Start", Category = "Flow", DisplayName = "Start", Description = "Where the flowchart begins.", IsStart = true)]
public sealed class StartActivity : Activity
{
    /// <inheritdoc />
    public override ValueTask<ActivityResult> ExecuteAsync(Runtime.ActivityExecutionContext context) => ValueTask.FromResult(ActivityResult.Done);
}
