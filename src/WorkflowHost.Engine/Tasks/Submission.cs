namespace WorkflowHost.Engine.Tasks;

/// <summary>One submission of a unit for a task, and the secretariat's review of it.</summary>
public sealed class Submission
{
    /// <summary>Id: <c>{taskId}.s{n}</c>.</summary>
    public required string Id { get; set; }

    /// <summary>Task id.</summary>
    public required string TaskId { get; set; }

    /// <summary>Submitting unit.</summary>
    public required string UnitCode { get; set; }

    /// <summary>Instant (UTC) of submission.</summary>
    public DateTimeOffset SubmittedAt { get; set; }

    /// <summary>What was submitted, as JSON text (document number/date, exemplar rows, report text…).</summary>
    public string ContentJson { get; set; } = "{}";

    /// <summary>Pending, Accepted or Returned.</summary>
    public ReviewOutcome Review { get; set; } = ReviewOutcome.Pending;

    /// <summary>The secretariat's comment when returned (plain text, unescaped).</summary>
    public string? ReviewComment { get; set; }

    /// <summary>Instant (UTC) of the review.</summary>
    public DateTimeOffset? ReviewedAt { get; set; }

    /// <summary>Who reviewed.</summary>
    public string? ReviewedBy { get; set; }
}

/// <summary>The secretariat's decision on a <see cref="Submission"/>.</summary>
public enum ReviewOutcome
{
    /// <summary>Not reviewed yet.</summary>
    Pending,
    /// <summary>Accepted: the task completes.</summary>
    Accepted,
    /// <summary>Returned with a comment: the unit must resubmit.</summary>
    Returned,
}
