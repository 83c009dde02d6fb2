using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Writes each outbox message as one <c>.eml</c> file (a random file name) into
/// <see cref="MailOptions.PickupDirectory"/>, which is created if missing: MimeKit's output
/// (<see cref="MimeKit.MimeMessage.WriteTo(MimeKit.FormatOptions, Stream, CancellationToken)"/> with
/// <see cref="MailMessageBuilder.Format"/>, CRLF lines), the same bytes <see cref="SmtpMailTransport"/> sends
/// before dot-stuffing. For development, demonstrations, or an MTA that watches a pickup folder. Each file is
/// written under a temporary name and then renamed, so a watcher never sees half a message.
/// </summary>
public sealed class PickupDirectoryMailTransport(IOptions<MailOptions> options) : IMailTransport
{
    /// <summary>The absolute pickup folder.</summary>
    public string FullPickupDirectory => Path.GetFullPath(options.Value.PickupDirectory);

    /// <inheritdoc />
    /// <exception cref="FormatException">The recipient or sender address is not valid (permanent).</exception>
    /// <exception cref="IOException">The folder cannot be written (the classifier treats it as the server being unavailable).</exception>
    public async Task SendAsync(OutboxMessage message, CancellationToken ct)
    {
        var mime = MailMessageBuilder.Build(message, options.Value);
        var directory = FullPickupDirectory;
        Directory.CreateDirectory(directory);
        var name = Guid.NewGuid().ToString("D");
        var temporary = Path.Combine(directory, "." + name + ".tmp");
        var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16 * 1024, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            await mime.WriteToAsync(MailMessageBuilder.Format, file, ct).ConfigureAwait(false);
        }

        File.Move(temporary, Path.Combine(directory, name + ".eml"));
    }
}
