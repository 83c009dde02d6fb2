using System.Net.Mail;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Writes each outbox message as one <c>.eml</c> file (random file name, chosen by
/// <see cref="SmtpClient"/>) into <see cref="MailOptions.PickupDirectory"/>, which is created if missing.
/// Same MIME content as <see cref="SmtpMailTransport"/>; for development, demonstrations, or an MTA that
/// watches a pickup folder.
/// </summary>
public sealed class PickupDirectoryMailTransport(IOptions<MailOptions> options) : IMailTransport
{
    /// <summary>The absolute pickup folder (SmtpClient accepts only absolute paths).</summary>
    public string FullPickupDirectory => Path.GetFullPath(options.Value.PickupDirectory);

    /// <inheritdoc />
    public async Task SendAsync(OutboxMessage message, CancellationToken ct)
    {
        var o = options.Value;
        var directory = FullPickupDirectory;
        Directory.CreateDirectory(directory);
        using var mail = MailMessageBuilder.Build(message, o);
        using var client = new SmtpClient
        {
            DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory,
            PickupDirectoryLocation = directory,
        };
        await SmtpClientSender.SendAsync(client, mail, o.SendTimeout, ct).ConfigureAwait(false);
    }
}
