using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Sends outbox messages to the SMTP server of <see cref="MailOptions"/> with
/// <see cref="SmtpClient"/> (MailKit is not available here). One connection per message: the .NET
/// <see cref="SmtpClient"/> does not reuse connections across sends anyway, and this keeps the transport
/// stateless and safe to register as a singleton.
/// </summary>
public sealed class SmtpMailTransport(IOptions<MailOptions> options) : IMailTransport
{
    /// <inheritdoc />
    public async Task SendAsync(OutboxMessage message, CancellationToken ct)
    {
        var o = options.Value;
        using var mail = MailMessageBuilder.Build(message, o);
        using var client = new SmtpClient(o.Host, o.Port)
        {
            DeliveryMethod = SmtpDeliveryMethod.Network,
            EnableSsl = o.EnableSsl,
            // Backstop only: the budget of SmtpClientSender fires first and reports a TimeoutException;
            // SmtpClient's own timeout would surface as an SmtpException indistinguishable from others.
            Timeout = (int)Math.Min(int.MaxValue, (o.SendTimeout * 2).TotalMilliseconds),
            UseDefaultCredentials = false,
        };
        if (!string.IsNullOrEmpty(o.UserName))
        {
            client.Credentials = new NetworkCredential(o.UserName, o.Password);
        }

        await SmtpClientSender.SendAsync(client, mail, o.SendTimeout, ct).ConfigureAwait(false);
    }
}
