namespace WorkflowHost.Server.Features.Mail;

/// <summary>What a failed send means for the message and for the rest of the batch.</summary>
internal enum DeliveryFailureKind
{
    /// <summary>The message itself is refused (SMTP 5xx for it, invalid address): mark Failed, never retry.</summary>
    Permanent,

    /// <summary>This message could not be delivered now (SMTP 4xx for it): retry later, go on with the batch.</summary>
    Transient,

    /// <summary>
    /// The server (or the pickup folder) is unusable for every message — connection refused, timeout, I/O
    /// error, 421, authentication or TLS refused: retry this message later and stop the batch, leaving the
    /// others untouched (not charged an attempt).
    /// </summary>
    ServerUnavailable,
}
