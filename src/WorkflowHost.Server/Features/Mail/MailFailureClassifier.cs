using System.Globalization;
using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>Sorts send exceptions into permanent, transient and server-wide failures.</summary>
internal static class MailFailureClassifier
{
    /// <summary>Longest <c>LastError</c> text kept on the row.</summary>
    public const int MaxErrorLength = 2000;

    /// <summary>
    /// Classifies <paramref name="exception"/> (MailKit's, MimeKit's and the pickup folder's).
    /// <list type="bullet">
    /// <item>SMTP 5xx about the message or its recipient (<see cref="SmtpCommandException"/> 550, 552, 553, 554 …)
    /// and an address that cannot be used (<see cref="FormatException"/>, MimeKit's <see cref="MimeKit.ParseException"/>
    /// included) → <see cref="DeliveryFailureKind.Permanent"/>.</item>
    /// <item>SMTP 5xx about the session rather than the message — 530 (authentication / STARTTLS required),
    /// 534, 535 (credentials refused), 538 — → <see cref="DeliveryFailureKind.ServerUnavailable"/>: a wrong
    /// password must not fail every queued message permanently; fixing the configuration lets them through.</item>
    /// <item>SMTP 421 (service closing) → <see cref="DeliveryFailureKind.ServerUnavailable"/>; any other 4xx
    /// (450 mailbox busy, 451 local error, 452 insufficient storage …) → <see cref="DeliveryFailureKind.Transient"/>.</item>
    /// <item>Connection refused / reset (<see cref="SocketException"/>, <see cref="IOException"/>), a dialogue
    /// broken off (<see cref="SmtpProtocolException"/>, <see cref="ServiceNotConnectedException"/>), timeouts, an
    /// unwritable pickup folder, TLS that is missing or fails (<see cref="SslHandshakeException"/>,
    /// <see cref="System.Security.Authentication.AuthenticationException"/>) and credentials that are refused or
    /// cannot be used (<see cref="MailKit.Security.AuthenticationException"/>), a session that could not be opened
    /// (<see cref="MailServerUnavailableException"/>) → <see cref="DeliveryFailureKind.ServerUnavailable"/>.</item>
    /// <item>Anything else → <see cref="DeliveryFailureKind.Transient"/> (bounded by <see cref="MailOptions.MaxAttempts"/>).</item>
    /// </list>
    /// </summary>
    public static DeliveryFailureKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case SmtpCommandException smtp:
                var code = (int)smtp.StatusCode;
                if (code is 530 or 534 or 535 or 538 or 421)
                {
                    return DeliveryFailureKind.ServerUnavailable;
                }

                if (code is >= 500 and < 600)
                {
                    return DeliveryFailureKind.Permanent;
                }

                return DeliveryFailureKind.Transient; // 4xx, and anything unexpected: retried, bounded by MaxAttempts
            case FormatException:
                return DeliveryFailureKind.Permanent;
            case SocketException or IOException or TimeoutException or UnauthorizedAccessException or MailServerUnavailableException
                or SmtpProtocolException or ServiceNotConnectedException or ServiceNotAuthenticatedException
                or SslHandshakeException or MailKit.Security.AuthenticationException or System.Security.Authentication.AuthenticationException:
                return DeliveryFailureKind.ServerUnavailable;
            default:
                return exception.InnerException is { } cause ? Classify(cause) : DeliveryFailureKind.Transient;
        }
    }

    /// <summary>A one-paragraph description for <c>OutboxMessage.LastError</c>: SMTP status, messages of the exception chain.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var text = new StringBuilder();
        if (exception is SmtpCommandException smtp)
        {
            text.Append(CultureInfo.InvariantCulture, $"SMTP {(int)smtp.StatusCode} ({smtp.StatusCode}): ");
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e != exception)
            {
                text.Append(" ← ");
            }

            text.Append(e.GetType().Name).Append(": ").Append(e.Message);
        }

        return text.Length <= MaxErrorLength ? text.ToString() : text.ToString(0, MaxErrorLength);
    }
}
