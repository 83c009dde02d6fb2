namespace WorkflowHost.Engine.Mail;

/// <summary>
/// One email waiting in (or delivered from) the outbox. A workflow step writes these rows in the same
/// transaction as its state change; a dispatcher delivers them later, so a crash never loses a message
/// and the unique <see cref="IdempotencyKey"/> means a step that runs again never doubles one.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Surrogate key (database identity).</summary>
    public long Id { get; set; }

    /// <summary>
    /// Unique key, e.g. <c>instance/task/rung/recipient</c>; also the base of the Message-ID header,
    /// so that a receiving server (or a test) can count duplicates.
    /// </summary>
    public required string IdempotencyKey { get; set; }

    /// <summary>Workflow instance that produced the message, if any.</summary>
    public string? InstanceId { get; set; }

    /// <summary>Unit task the message is about, if any.</summary>
    public string? TaskId { get; set; }

    /// <summary>Unit code of the addressee's unit, if any.</summary>
    public string? UnitCode { get; set; }

    /// <summary>What kind of message this is (reminder, overdue notice, escalation, …).</summary>
    public MailKind Kind { get; set; }

    /// <summary>Single recipient address (one row per recipient).</summary>
    public required string To { get; set; }

    /// <summary>Subject line, Vietnamese.</summary>
    public required string Subject { get; set; }

    /// <summary>HTML body (all user text already HTML-escaped).</summary>
    public required string HtmlBody { get; set; }

    /// <summary>Plain-text alternative body.</summary>
    public required string TextBody { get; set; }

    /// <summary>Delivery state.</summary>
    public OutboxStatus Status { get; set; } = OutboxStatus.Queued;

    /// <summary>Delivery attempts made so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Instant (UTC) when the row was written.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Earliest instant (UTC) for the next delivery attempt.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Instant (UTC) of successful delivery.</summary>
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Last SMTP or transport error text, for the secretariat's console.</summary>
    public string? LastError { get; set; }
}

/// <summary>Delivery state of an <see cref="OutboxMessage"/>.</summary>
public enum OutboxStatus
{
    /// <summary>Written, not yet attempted.</summary>
    Queued,
    /// <summary>Delivered to the SMTP server (or written to the pickup folder).</summary>
    Sent,
    /// <summary>A transient failure (SMTP 4xx, connection refused); will be tried again at NextAttemptAt.</summary>
    Retrying,
    /// <summary>A permanent failure (SMTP 5xx) or retries exhausted; reported, never retried.</summary>
    Failed,
}

/// <summary>Kinds of email the system sends.</summary>
public enum MailKind
{
    /// <summary>Before the due date (e.g. 7 days, 1 day before).</summary>
    Reminder,
    /// <summary>To the unit, after the due date passed without an accepted submission.</summary>
    OverdueNotice,
    /// <summary>To the unit head, after the due date.</summary>
    Escalation,
    /// <summary>To the secretariat and the leaders: one email listing the late units of a milestone.</summary>
    EscalationDigest,
    /// <summary>To the unit: the secretariat returned a submission with a comment.</summary>
    SubmissionReturned,
    /// <summary>To the unit: the secretariat accepted a submission.</summary>
    SubmissionAccepted,
    /// <summary>A designer-authored Elsa.SendEmail activity.</summary>
    Custom,
    /// <summary>The secretariat changed a task's due date (gia hạn / điều chỉnh hạn).</summary>
    DueDateChanged,
    /// <summary>A lead unit's quota period ended below its minimum.</summary>
    QuotaShortfall,
    /// <summary>The daily list, to the secretariat, of emails that could not be delivered.</summary>
    DeliveryFailureSummary,
}
