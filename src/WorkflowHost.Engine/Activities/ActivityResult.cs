namespace WorkflowHost.Engine.Activities;

/// <summary>What an activity execution ended in.</summary>
public sealed class ActivityResult
{
    private ActivityResult(ActivityResultKind kind, IReadOnlyList<string> outcomes) => (Kind, Outcomes) = (kind, outcomes);

    /// <summary>Completed, Suspended, Pending or EndScope.</summary>
    public ActivityResultKind Kind { get; }

    /// <summary>Outcome ports taken, when completed.</summary>
    public IReadOnlyList<string> Outcomes { get; }

    /// <summary>Completed through "Done".</summary>
    public static ActivityResult Done { get; } = new(ActivityResultKind.Completed, ["Done"]);

    /// <summary>Waits on bookmarks or child scopes; the scope stays open.</summary>
    public static ActivityResult Suspend { get; } = new(ActivityResultKind.Suspended, []);

    /// <summary>Neither done nor waiting (a join that has not received all its inputs).</summary>
    public static ActivityResult Pending { get; } = new(ActivityResultKind.Pending, []);

    /// <summary>Ends the enclosing flowchart now, cancelling its other branches (Elsa.End).</summary>
    public static ActivityResult EndScope { get; } = new(ActivityResultKind.EndScope, []);

    /// <summary>Completed through the given outcome ports.</summary>
    public static ActivityResult Complete(params string[] outcomes) => new(ActivityResultKind.Completed, outcomes);
}

/// <summary>Kind of <see cref="ActivityResult"/>.</summary>
public enum ActivityResultKind
{
    /// <summary>Done; follow the outcome connections.</summary>
    Completed,
    /// <summary>Waiting.</summary>
    Suspended,
    /// <summary>Nothing to do yet.</summary>
    Pending,
    /// <summary>End the enclosing flowchart.</summary>
    EndScope,
}
