namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// What a waiting activity leaves behind instead of blocking a thread: a due instant (timer) or a
/// named event (e.g. <c>task:{taskId}</c> for a unit's submission and the secretariat's review).
/// Written in the same transaction as the step that creates it.
/// </summary>
public sealed class Bookmark
{
    /// <summary>Deterministic id, unique across instances.</summary>
    public required string Id { get; set; }

    /// <summary>Owning instance.</summary>
    public required string InstanceId { get; set; }

    /// <summary>Scope of the waiting activity.</summary>
    public required string ScopeId { get; set; }

    /// <summary>The waiting activity's id.</summary>
    public required string ActivityId { get; set; }

    /// <summary>Timer or Event.</summary>
    public BookmarkKind Kind { get; set; }

    /// <summary>For timers: the instant (UTC) it falls due.</summary>
    public DateTimeOffset? DueAt { get; set; }

    /// <summary>For events: the key that resumes it.</summary>
    public string? EventKey { get; set; }

    /// <summary>Small activity data (e.g. the task id), as text.</summary>
    public string? Data { get; set; }

    /// <summary>Instant (UTC) the bookmark was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Kind of <see cref="Bookmark"/>.</summary>
public enum BookmarkKind
{
    /// <summary>Resumed when its due instant has passed.</summary>
    Timer,
    /// <summary>Resumed by a named event.</summary>
    Event,
}
