using System.Globalization;
using System.Net.Mail;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>Sorts send exceptions into permanent, transient and server-wide failures.</summary>
internal static class MailFailureClassifier
{
    /// <summary>Longest <c>LastError</c> text kept on the row.</summary>
    public const int MaxErrorLength = 2000;

    /// <summary>
    /// Classifies <paramref name="exception"/>.
    /// <list type="bullet">
    /// <item>SMTP 5xx about the message or its recipient (<see cref="SmtpFailedRecipientException"/> 550,
    /// 552, 553, 554 …) and an unparsable address (<see cref="FormatException"/>) → <see cref="DeliveryFailureKind.Permanent"/>.</item>
    /// <item>SMTP 5xx about the session rather than the message — 530 (authentication / STARTTLS required),
    /// 534, 535 (credentials refused), 538 — → <see cref="DeliveryFailureKind.ServerUnavailable"/>: a wrong
    /// password must not fail every queued message permanently; fixing the configuration lets them through.</item>
    /// <item>SMTP 421 (service closing) → <see cref="DeliveryFailureKind.ServerUnavailable"/>; any other 4xx
    /// (450 mailbox busy, 451 local error, 452 insufficient storage …) → <see cref="DeliveryFailureKind.Transient"/>.</item>
    /// <item>Connection refused / reset (<see cref="SocketException"/>, <see cref="IOException"/>), timeouts,
    /// an unwritable pickup folder, TLS that is missing or fails and credentials that cannot be used
    /// (<see cref="AuthenticationException"/>) → <see cref="DeliveryFailureKind.ServerUnavailable"/>.</item>
    /// <item>Anything else → <see cref="DeliveryFailureKind.Transient"/> (bounded by <see cref="MailOptions.MaxAttempts"/>).</item>
    /// </list>
    /// </summary>
    public static DeliveryFailureKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case SmtpException smtp:
                var code = (int)smtp.StatusCode;
                if (code is 530 or 534 or 535 or 538 or 421)
                {
                    return DeliveryFailureKind.ServerUnavailable;
                }

                if (code is >= 500 and < 600)
                {
                    return DeliveryFailureKind.Permanent;
                }

                if (code is >= 400 and < 500)
                {
                    return DeliveryFailureKind.Transient;
                }

                // GeneralFailure (-1) and the like: the cause, if any, is the inner exception.
                return smtp.InnerException is { } inner ? Classify(inner) : DeliveryFailureKind.Transient;
            case FormatException:
                return DeliveryFailureKind.Permanent;
            case SocketException or IOException or TimeoutException or UnauthorizedAccessException or AuthenticationException:
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
        if (exception is SmtpException smtp && (int)smtp.StatusCode > 0)
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
