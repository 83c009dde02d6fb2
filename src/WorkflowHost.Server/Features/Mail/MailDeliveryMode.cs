namespace WorkflowHost.Server.Features.Mail;

/// <summary>How <see cref="IMailTransport"/> delivers outbox messages (configuration key <c>Mail:Mode</c>).</summary>
public enum MailDeliveryMode
{
    /// <summary>
    /// Write one <c>.eml</c> file per message into <see cref="MailOptions.PickupDirectory"/> (development,
    /// demonstrations, or a local MTA that watches a pickup folder). The default.
    /// </summary>
    Pickup,

    /// <summary>Send over the network to the SMTP server <see cref="MailOptions.Host"/>:<see cref="MailOptions.Port"/>.</summary>
    Smtp,
}
