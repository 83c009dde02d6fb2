using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Hands one outbox message to the outside world. Implementations build the MIME message with the shared
/// builder, so every transport writes the same headers (Message-ID derived from the idempotency key,
/// <c>X-WorkflowHost-Key</c>). They throw on failure; <see cref="OutboxDispatcher"/> classifies the exception
/// (SMTP 5xx permanent, 4xx / network / timeout transient).
/// </summary>
public interface IMailTransport
{
    /// <summary>Delivers <paramref name="message"/>; returns when the server (or the pickup folder) has accepted it.</summary>
    /// <param name="message">The outbox row to deliver; not modified.</param>
    /// <param name="ct">Cancels the send.</param>
    /// <exception cref="System.Net.Mail.SmtpException">The server refused the message or the dialogue failed.</exception>
    /// <exception cref="TimeoutException">The send took longer than <see cref="MailOptions.SendTimeout"/>.</exception>
    Task SendAsync(OutboxMessage message, CancellationToken ct);
}
