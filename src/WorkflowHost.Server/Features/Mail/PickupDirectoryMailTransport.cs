using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Writes each outbox message as one <c>.eml</c> file (a random file name) into
/// <see cref="MailOptions.PickupDirectory"/>, which is created if missing. Same MIME bytes as
/// <see cref="SmtpMailTransport"/> sends (<see cref="MailMessageBuilder"/>); for development, demonstrations,
/// or an MTA that watches a pickup folder. Each file is written under a temporary name and then renamed, so a
/// watcher never sees half a message.
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
        var mail = MailMessageBuilder.Build(message, options.Value);
        var directory = FullPickupDirectory;
        Directory.CreateDirectory(directory);
        var name = Guid.NewGuid().ToString("D");
        var temporary = Path.Combine(directory, "." + name + ".tmp");
        await File.WriteAllBytesAsync(temporary, mail.Mime, ct).ConfigureAwait(false);
        File.Move(temporary, Path.Combine(directory, name + ".eml"));
    }
}
