namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Email delivery settings, bound from the configuration section <c>"Mail"</c> (<see cref="SectionName"/>).
/// </summary>
/// <remarks>
/// <para>
/// Example (<c>appsettings.json</c>; the password is deliberately absent):
/// <code>
/// "Mail": {
///   "Mode": "Smtp",
///   "Host": "smtp.example.gov.vn",
///   "Port": 587,
///   "EnableSsl": true,
///   "UserName": "thiduakhenthuong",
///   "FromAddress": "thiduakhenthuong@example.gov.vn"
/// }
/// </code>
/// </para>
/// <para>
/// <b>Secrets.</b> <see cref="Password"/> must come from the environment only
/// (<c>Mail__Password=…</c>, or the secret store of the deployment that sets that variable), never from a
/// file committed with the application. Nothing stops a JSON file from carrying it technically; it is a rule
/// of operation.
/// </para>
/// </remarks>
public sealed class MailOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Mail";

    /// <summary>Pickup folder (default) or network SMTP.</summary>
    public MailDeliveryMode Mode { get; set; } = MailDeliveryMode.Pickup;

    /// <summary>
    /// Folder the <see cref="MailDeliveryMode.Pickup"/> mode writes <c>.eml</c> files into; created if missing.
    /// A relative path is resolved against the process's current directory (the content root when the
    /// server is started normally). Default <c>./data/mail</c>.
    /// </summary>
    public string PickupDirectory { get; set; } = "./data/mail";

    /// <summary>SMTP server host name (required in <see cref="MailDeliveryMode.Smtp"/> mode).</summary>
    public string? Host { get; set; }

    /// <summary>SMTP server port. Default 25; use 587 with <see cref="EnableSsl"/>, 465 with <see cref="ImplicitTls"/>.</summary>
    public int Port { get; set; } = 25;

    /// <summary>
    /// Upgrade the connection with STARTTLS (RFC 3207, usually port 587) and check the server's certificate
    /// the platform's way (chain, host name, revocation); a server that does not offer STARTTLS is then treated as
    /// unavailable. Without it (and without <see cref="ImplicitTls"/>) the connection stays plain text and a
    /// password is only ever sent to a server on this machine.
    /// </summary>
    public bool EnableSsl { get; set; }

    /// <summary>
    /// TLS from the first byte (SMTPS, RFC 8314 "implicit TLS", usually port 465), the certificate checked as for
    /// <see cref="EnableSsl"/>; when true, <see cref="EnableSsl"/> is not used. Default false.
    /// </summary>
    public bool ImplicitTls { get; set; }

    /// <summary>SMTP user name; when empty the client does not authenticate (AUTH, RFC 4954: MailKit uses the strongest mechanism both sides offer).</summary>
    public string? UserName { get; set; }

    /// <summary>
    /// SMTP password. Set it through the environment only (<c>Mail__Password</c>); never put it in
    /// <c>appsettings*.json</c> or anything committed.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>Sender address. Default <c>thiduakhenthuong@workflowhost.example</c>.</summary>
    public string FromAddress { get; set; } = "thiduakhenthuong@workflowhost.example";

    /// <summary>Sender display name. Default "Thường trực Hội đồng Thi đua – Khen thưởng".</summary>
    public string FromDisplayName { get; set; } = "Thường trực Hội đồng Thi đua – Khen thưởng";

    /// <summary>Delivery attempts (the first included) before a transiently failing message is marked Failed. Default 8.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Delay before the second attempt; doubles with each further attempt. Default 30 s.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound of the retry delay. Default 1 h.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most messages one <see cref="OutboxDispatcher.DispatchDueAsync"/> call loads. Default 200.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>
    /// Messages sent at the same time, each on its own kept-open SMTP connection. Default 1. Each message's
    /// outcome is committed before its connection takes the next one (outcomes that arrive together share a
    /// commit), so a crash repeats up to this many messages instead of the single one in flight. One MailKit connection
    /// delivers a few hundred messages a second (docs/benchmarks.md, P3); raise it only where receivers
    /// tolerate those duplicates (they can recognise them by Message-ID and <c>X-WorkflowHost-Key</c>).
    /// </summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>Budget for sending one message (connect, dialogue, data). Default 30 s.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
