namespace WorkflowHost.Engine.Journal;

/// <summary>
/// One line of an instance's journal: what happened, when (UTC), in which activity, for which unit
/// and task. Written in the step's transaction; the simulation's event log is this journal.
/// </summary>
public sealed class JournalEntry
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>Instance id.</summary>
    public required string InstanceId { get; set; }

    /// <summary>Order within the instance (monotonic).</summary>
    public long Sequence { get; set; }

    /// <summary>Instant (UTC).</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>Event name, e.g. TaskCreated, ReminderSent, OverdueNoticeSent, EscalationSent, Submitted, Returned, Accepted.</summary>
    public required string Event { get; set; }

    /// <summary>Activity id, if any.</summary>
    public string? ActivityId { get; set; }

    /// <summary>Activity type key, if any.</summary>
    public string? ActivityType { get; set; }

    /// <summary>Unit code, if any.</summary>
    public string? UnitCode { get; set; }

    /// <summary>Task id, if any.</summary>
    public string? TaskId { get; set; }

    /// <summary>Milestone key, if any.</summary>
    public string? Milestone { get; set; }

    /// <summary>Who caused it: "system", "unit:CODE", "secretariat", a user name.</summary>
    public string? Actor { get; set; }

    /// <summary>Free text detail (Vietnamese or English).</summary>
    public string? Detail { get; set; }
}
