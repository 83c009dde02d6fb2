using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Hands one outbox message to the outside world. Implementations build the MimeKit message with
/// <see cref="MailMessageBuilder"/>, so every transport writes the same bytes (Message-Id derived from the
/// idempotency key, <c>X-WorkflowHost-Key</c>). They throw on failure; <see cref="OutboxDispatcher"/> classifies
/// the exception with <see cref="MailFailureClassifier"/> (SMTP 5xx permanent, 4xx transient, network / TLS /
/// authentication server-wide).
/// </summary>
public interface IMailTransport
{
    /// <summary>Delivers <paramref name="message"/>; returns when the server (or the pickup folder) has accepted it.</summary>
    /// <param name="message">The outbox row to deliver; not modified.</param>
    /// <param name="ct">Cancels the send.</param>
    /// <exception cref="MailKit.Net.Smtp.SmtpCommandException">The server refused the message (status code 4xx or 5xx).</exception>
    /// <exception cref="MailKit.Net.Smtp.SmtpProtocolException">The dialogue broke off.</exception>
    /// <exception cref="TimeoutException">The send took longer than <see cref="MailOptions.SendTimeout"/>.</exception>
    Task SendAsync(OutboxMessage message, CancellationToken ct);
}
