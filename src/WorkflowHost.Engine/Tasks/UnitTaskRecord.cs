namespace WorkflowHost.Engine.Tasks;

/// <summary>
/// One task for one unit (a row per unit per milestone): what it must send, by when, and where it is
/// on its reminder/escalation ladder. Created by <see cref="Activities.Domain.UnitTaskActivity"/>.
/// </summary>
public sealed class UnitTaskRecord
{
    /// <summary>Deterministic id: <c>{instanceId}.{activityId}.{unitCode}</c> (URL-safe).</summary>
    public required string Id { get; set; }

    /// <summary>Instance id.</summary>
    public required string InstanceId { get; set; }

    /// <summary>Scope the task's activity runs in.</summary>
    public required string ScopeId { get; set; }

    /// <summary>The UnitTask activity id.</summary>
    public required string ActivityId { get; set; }

    /// <summary>Milestone key, e.g. "registration-2021".</summary>
    public required string Milestone { get; set; }

    /// <summary>Unit plan, registration, nomination, report or review.</summary>
    public UnitTaskKind Kind { get; set; }

    /// <summary>Vietnamese title.</summary>
    public required string Title { get; set; }

    /// <summary>What to send and the plan clause.</summary>
    public string? Description { get; set; }

    /// <summary>Unit code.</summary>
    public required string UnitCode { get; set; }

    /// <summary>Local due date (Asia/Ho_Chi_Minh); the task is on time until the end of this day.</summary>
    public DateOnly DueDate { get; set; }

    /// <summary>The instant (UTC) the due date passes: 00:00 local of the next day.</summary>
    public DateTimeOffset DueAt { get; set; }

    /// <summary>Instant (UTC) the task was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Open, Submitted, Returned, Done, DoneLate or Cancelled.</summary>
    public UnitTaskStatus Status { get; set; } = UnitTaskStatus.Open;

    /// <summary>Instant (UTC) of the latest submission.</summary>
    public DateTimeOffset? SubmittedAt { get; set; }

    /// <summary>Instant (UTC) the task was accepted (or cancelled).</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Reminder offsets in days before the due date, e.g. "7,1".</summary>
    public string ReminderDays { get; set; } = "";

    /// <summary>Escalation ladder, e.g. "0:unit;3:head;7:secretariat,leaders".</summary>
    public string Escalation { get; set; } = "";

    /// <summary>
    /// Minimum exemplars the submission must list (registration / nomination), canonical
    /// <see cref="Quotas.ExemplarCounts"/> text such as <c>collective:3;individual:3</c>; empty = none.
    /// </summary>
    public string Minimum { get; set; } = "";

    /// <summary>
    /// Exemplar rows of the latest submission by kind (registration / nomination, or any task with a
    /// <see cref="Minimum"/>), canonical <see cref="Quotas.ExemplarCounts"/> text; empty = none or not submitted.
    /// </summary>
    public string Counted { get; set; } = "";

    /// <summary>
    /// What the latest submission lacks to reach <see cref="Minimum"/> (canonical text, e.g. <c>any:1</c>);
    /// empty = met, no minimum, or not submitted. It stays when the secretariat accepts a short submission
    /// (issue 15.1: accepted, but "thiếu so với mức tối thiểu").
    /// </summary>
    public string Shortfall { get; set; } = "";

    /// <summary>True when the latest submission fell short of the minimum (<see cref="Shortfall"/> not empty).</summary>
    public bool IsShort => Shortfall.Length > 0;

    /// <summary>How many times the due date was amended (0 = as planned); part of later rungs' email keys.</summary>
    public int DueRevision { get; set; }

    /// <summary>Index of the next ladder rung to fire (rungs sorted by time).</summary>
    public int NextRung { get; set; }

    /// <summary>How many times the secretariat returned a submission.</summary>
    public int ReturnCount { get; set; }

    /// <summary>The secretariat's latest return comment (plain text, unescaped).</summary>
    public string? LastComment { get; set; }

    /// <summary>True when the task is finished (accepted or cancelled).</summary>
    public bool IsClosed => Status is UnitTaskStatus.Done or UnitTaskStatus.DoneLate or UnitTaskStatus.Cancelled;
}
