using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Sends outbox messages to the SMTP server of <see cref="MailOptions"/> with MailKit's <see cref="SmtpClient"/>
/// over kept-open connections: each send borrows an idle connected client or connects a new one, and gives it
/// back after the server's reply. Up to <see cref="MailOptions.Parallelism"/> connections stay open; one idle for
/// longer than <see cref="IdleLimit"/> is closed instead of reused. Singleton; safe for concurrent sends (each
/// client is used by one send at a time).
/// </summary>
/// <remarks>
/// <para>
/// <b>Security.</b> <see cref="MailOptions.ImplicitTls"/>: TLS from the first byte (SMTPS, port 465,
/// <see cref="SecureSocketOptions.SslOnConnect"/>); <see cref="MailOptions.EnableSsl"/>: STARTTLS required
/// (RFC 3207, <see cref="SecureSocketOptions.StartTls"/>; a server that does not offer it is unavailable);
/// neither: plain text, no opportunistic upgrade. The certificate is checked the platform's way (chain, name,
/// revocation) unless a test passes its own callback. With <see cref="MailOptions.UserName"/> set the client
/// authenticates (MailKit picks the strongest mechanism both sides offer: SCRAM, PLAIN, LOGIN …), but only over
/// TLS or to a server on this machine — otherwise it refuses to send the password.
/// </para>
/// <para>
/// <b>A kept connection the server dropped.</b> When reusing an idle connection fails before the server accepted
/// the envelope sender (so no byte of the content was sent and the server cannot have accepted the message), the
/// message is tried once more on a fresh connection; a failure after that point is reported as it is, because
/// sending again could deliver the message twice.
/// </para>
/// <para>
/// Failures reach <see cref="MailFailureClassifier"/> as MailKit throws them (<see cref="SmtpCommandException"/>
/// with the server's status code, <see cref="SmtpProtocolException"/>, <see cref="MailKit.Security.AuthenticationException"/>,
/// <see cref="SslHandshakeException"/>, socket errors); a failure while opening the session that is not already
/// server-wide (a 554 greeting, say) is wrapped in <see cref="MailServerUnavailableException"/>.
/// </para>
/// </remarks>
public sealed class SmtpMailTransport : IMailTransport, IAsyncDisposable, IDisposable
{
    /// <summary>An idle connection older than this is closed rather than reused (servers drop idle clients after minutes).</summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(30);

    private readonly IOptions<MailOptions> _options;
    private readonly RemoteCertificateValidationCallback? _certificateValidation;
    private readonly Stack<OutboxSmtpClient> _idle = new(); // guarded by itself; the most recently used on top
    private int _connectionsOpened;
    private int _disposed;

    /// <summary>A transport for the configured server, checking its certificate the platform's default way.</summary>
    public SmtpMailTransport(IOptions<MailOptions> options)
        : this(options, certificateValidation: null)
    {
    }

    /// <summary>A transport with a certificate check of the caller's (tests pin a self-signed certificate with it).</summary>
    /// <param name="options">The mail settings.</param>
    /// <param name="certificateValidation">Used for TLS; null = MailKit's default (the platform's chain and host-name validation).</param>
    public SmtpMailTransport(IOptions<MailOptions> options, RemoteCertificateValidationCallback? certificateValidation)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _certificateValidation = certificateValidation;
        ReserveThreads(options.Value.Parallelism);
    }

    /// <summary>Connections opened since start (a measure of reuse: messages sent ÷ connections opened).</summary>
    public int ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    /// <inheritdoc />
    /// <exception cref="FormatException">The recipient or sender address is not valid (permanent).</exception>
    /// <exception cref="SmtpCommandException">The server refused the message (its status code says how).</exception>
    public async Task SendAsync(OutboxMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var o = _options.Value;
        var mime = MailMessageBuilder.Build(message, o);

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(o.SendTimeout);
        try
        {
            var client = await BorrowAsync(o, budget.Token).ConfigureAwait(false);
            var reused = client.MessagesSent > 0;
            try
            {
                await client.SendOneAsync(mime, budget.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (reused && !client.SenderAccepted && IsStaleConnection(ex) && !budget.IsCancellationRequested)
            {
                // The server had closed the idle connection; nothing of this message's content reached it.
                await CloseAsync(client).ConfigureAwait(false);
                client = await OpenAsync(o, budget.Token).ConfigureAwait(false);
                try
                {
                    await client.SendOneAsync(mime, budget.Token).ConfigureAwait(false);
                }
                finally
                {
                    await GiveBackAsync(client).ConfigureAwait(false);
                }

                return;
            }
            catch
            {
                await GiveBackAsync(client).ConfigureAwait(false);
                throw;
            }

            await GiveBackAsync(client).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Sending the message took longer than {o.SendTimeout.TotalSeconds:0.#} s.", ex);
        }
    }

    /// <summary>Says QUIT on every idle connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        while (TryTakeIdle(out var client))
        {
            await CloseAsync(client).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // The outcome of each send is committed by one of the senders while the others wait for the network;
    // SQLite commits synchronously (fsync), so with Mail:Parallelism senders on a 2-core machine the pool's
    // slow thread injection would otherwise let that block the continuations of the other sends.
    private static void ReserveThreads(int parallelism)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = Environment.ProcessorCount + (2 * Math.Max(1, parallelism));
        if (workers < wanted) ThreadPool.SetMinThreads(wanted, io);
    }

    private static bool IsStaleConnection(Exception ex) =>
        ex is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException
        || ex is SmtpCommandException { StatusCode: SmtpStatusCode.ServiceNotAvailable };

    private async Task<OutboxSmtpClient> BorrowAsync(MailOptions o, CancellationToken ct)
    {
        while (TryTakeIdle(out var client))
        {
            if (client.IsConnected && Environment.TickCount64 - client.LastUsedTicks < IdleLimit.TotalMilliseconds)
            {
                return client;
            }

            await CloseAsync(client).ConfigureAwait(false);
        }

        return await OpenAsync(o, ct).ConfigureAwait(false);
    }

    /// <summary>Connects (TCP_NODELAY), secures and authenticates a new client as configured.</summary>
    private async Task<OutboxSmtpClient> OpenAsync(MailOptions o, CancellationToken ct)
    {
        var client = new OutboxSmtpClient { Timeout = (int)Math.Min(int.MaxValue, o.SendTimeout.TotalMilliseconds) };
        if (_certificateValidation is not null)
        {
            client.ServerCertificateValidationCallback = _certificateValidation;
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(o.Host!, o.Port, ct).ConfigureAwait(false);
            var loopback = socket.RemoteEndPoint is IPEndPoint { Address: var address } && IPAddress.IsLoopback(address);
            var security = o.ImplicitTls ? SecureSocketOptions.SslOnConnect : o.EnableSsl ? SecureSocketOptions.StartTls : SecureSocketOptions.None;
            try
            {
                await client.ConnectAsync(socket, o.Host!, o.Port, security, ct).ConfigureAwait(false);
            }
            catch (NotSupportedException ex) when (security == SecureSocketOptions.StartTls)
            {
                throw new System.Security.Authentication.AuthenticationException(
                    $"The SMTP server {o.Host}:{o.Port} does not offer STARTTLS (Mail:EnableSsl is on).", ex);
            }

            if (!string.IsNullOrEmpty(o.UserName))
            {
                if (!client.IsSecure && !loopback)
                {
                    throw new System.Security.Authentication.AuthenticationException(
                        $"Refusing to send the SMTP password to {o.Host}:{o.Port} without TLS; turn on Mail:EnableSsl or Mail:ImplicitTls.");
                }

                await client.AuthenticateAsync(new NetworkCredential(o.UserName, o.Password), ct).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _connectionsOpened);
            return client;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && MailFailureClassifier.Classify(ex) != DeliveryFailureKind.ServerUnavailable)
        {
            await CloseAsync(client).ConfigureAwait(false);
            socket.Dispose();
            throw new MailServerUnavailableException($"Could not open an SMTP session with {o.Host}:{o.Port}: {ex.Message}", ex);
        }
        catch
        {
            await CloseAsync(client).ConfigureAwait(false);
            socket.Dispose();
            throw;
        }
    }

    private bool TryTakeIdle([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OutboxSmtpClient? client)
    {
        lock (_idle)
        {
            return _idle.TryPop(out client);
        }
    }

    private async Task GiveBackAsync(OutboxSmtpClient client)
    {
        if (client.IsConnected && Volatile.Read(ref _disposed) == 0)
        {
            lock (_idle)
            {
                if (_idle.Count < Math.Max(1, _options.Value.Parallelism))
                {
                    _idle.Push(client);
                    return;
                }
            }
        }

        await CloseAsync(client).ConfigureAwait(false);
    }

    /// <summary>Says QUIT (briefly) when still connected, then disposes; errors are ignored (the connection goes anyway).</summary>
    private static async Task CloseAsync(OutboxSmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.DisconnectAsync(quit: true, quit.Token).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Closing anyway: a failed QUIT changes nothing.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>MailKit's client, noting whether the server accepted the envelope sender of the current message.</summary>
    private sealed class OutboxSmtpClient : SmtpClient
    {
        /// <summary>Whether MAIL FROM of the last <see cref="SendOneAsync"/> was accepted: from then on the message may reach the server.</summary>
        public bool SenderAccepted { get; private set; }

        /// <summary>Messages this connection has had accepted.</summary>
        public int MessagesSent { get; private set; }

        /// <summary>When this connection last finished a message (<see cref="Environment.TickCount64"/> milliseconds).</summary>
        public long LastUsedTicks { get; private set; } = Environment.TickCount64;

        /// <summary>MAIL FROM, RCPT TO, DATA (dot-stuffed by MailKit) for <paramref name="mime"/>, written with <see cref="MailMessageBuilder.Format"/>.</summary>
        public async Task SendOneAsync(MimeMessage mime, CancellationToken ct)
        {
            SenderAccepted = false;
            await SendAsync(MailMessageBuilder.Format, mime, MailMessageBuilder.Sender(mime), [MailMessageBuilder.Recipient(mime)], ct).ConfigureAwait(false);
            MessagesSent++;
            LastUsedTicks = Environment.TickCount64;
        }

        /// <inheritdoc />
        protected override void OnSenderAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
        {
            SenderAccepted = true;
            base.OnSenderAccepted(message, mailbox, response);
        }
    }
}

/// <summary>
/// The SMTP session could not be opened for a reason that concerns every message (a refused greeting, say):
/// <see cref="MailFailureClassifier"/> treats it as <see cref="DeliveryFailureKind.ServerUnavailable"/>.
/// </summary>
public sealed class MailServerUnavailableException : Exception
{
    /// <summary>An exception with a message.</summary>
    public MailServerUnavailableException()
    {
    }

    /// <summary>An exception with a message.</summary>
    public MailServerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with a message and the failure that caused it.</summary>
    public MailServerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
