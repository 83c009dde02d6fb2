using System.Net.Mail;
using System.Net.Mime;
using System.Security.Cryptography;
using System.Text;
using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Builds the <see cref="MailMessage"/> for an outbox row; the one place both transports get their MIME
/// message from, so pickup files and network mail are identical.
/// </summary>
internal static class MailMessageBuilder
{
    /// <summary>Header carrying the outbox idempotency key, so a receiver can count duplicates.</summary>
    public const string KeyHeader = "X-WorkflowHost-Key";

    /// <summary>Right-hand side of every Message-ID this system generates.</summary>
    public const string MessageIdDomain = "workflowhost";

    /// <summary>
    /// Deterministic Message-ID for an idempotency key: <c>&lt;first 32 hex digits of SHA-256(key)@workflowhost&gt;</c>.
    /// A message delivered twice (crash between send and save) carries the same Message-ID both times, so
    /// mail clients and tests can recognise the duplicate.
    /// </summary>
    public static string MessageIdFor(string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey));
        return $"<{Convert.ToHexStringLower(hash, 0, 16)}@{MessageIdDomain}>";
    }

    /// <summary>
    /// Builds a multipart/alternative message (text/plain first, text/html preferred), UTF-8 throughout.
    /// </summary>
    /// <exception cref="FormatException">The recipient address is not valid (a permanent failure).</exception>
    public static MailMessage Build(OutboxMessage message, MailOptions options)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);

        var mail = new MailMessage();
        try
        {
            mail.From = new MailAddress(options.FromAddress, options.FromDisplayName, Encoding.UTF8);
            mail.To.Add(new MailAddress(message.To));
            mail.Subject = message.Subject;
            mail.SubjectEncoding = Encoding.UTF8;
            mail.HeadersEncoding = Encoding.UTF8;
            mail.BodyEncoding = Encoding.UTF8;
            mail.Headers[KeyHeader] = message.IdempotencyKey;
            mail.Headers["Message-ID"] = MessageIdFor(message.IdempotencyKey);

            // Order matters: the last alternative is the preferred one (RFC 2046 §5.1.4).
            mail.AlternateViews.Add(View(message.TextBody, MediaTypeNames.Text.Plain));
            mail.AlternateViews.Add(View(message.HtmlBody, MediaTypeNames.Text.Html));
            return mail;
        }
        catch
        {
            mail.Dispose();
            throw;
        }
    }

    private static AlternateView View(string content, string mediaType)
    {
        var view = AlternateView.CreateAlternateViewFromString(content, Encoding.UTF8, mediaType);
        // Base64 keeps long Vietnamese lines intact whatever the relays do with line length.
        view.TransferEncoding = TransferEncoding.Base64;
        return view;
    }
}
