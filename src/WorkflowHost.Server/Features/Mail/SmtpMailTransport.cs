using System.Net;
using System.Net.Mail;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Sends outbox messages to the SMTP server of <see cref="MailOptions"/> over kept-open connections
/// (<see cref="SmtpSession"/>): each send borrows an idle connection or opens one, and gives it back after the
/// server's reply. Up to <see cref="MailOptions.Parallelism"/> connections stay open; one idle for longer
/// than <see cref="IdleLimit"/> is closed instead of reused. Singleton; safe for concurrent sends.
/// </summary>
/// <remarks>
/// <para>
/// A connection that was idle may have been closed by the server meanwhile. When reusing one fails before
/// any byte of the message's content was written (the server cannot have accepted it), the message is
/// tried once more on a fresh connection; a failure after that point is reported as it is, because sending
/// again could deliver the message twice.
/// </para>
/// <para>
/// The MIME bytes come from <see cref="MailMessageBuilder"/> (the same as the pickup files).
/// </para>
/// </remarks>
public sealed class SmtpMailTransport : IMailTransport, IAsyncDisposable, IDisposable
{
    /// <summary>An idle connection older than this is closed rather than reused (servers drop idle clients after minutes).</summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(30);

    private readonly IOptions<MailOptions> _options;
    private readonly RemoteCertificateValidationCallback? _certificateValidation;
    private readonly Stack<SmtpSession> _idle = new(); // guarded by itself; the most recently used on top
    private int _connectionsOpened;
    private int _disposed;

    /// <summary>A transport for the configured server, checking its certificate the platform's default way.</summary>
    public SmtpMailTransport(IOptions<MailOptions> options)
        : this(options, certificateValidation: null)
    {
    }

    /// <summary>A transport with a certificate check of the caller's (tests pin a self-signed certificate with it).</summary>
    /// <param name="certificateValidation">Used for STARTTLS; null = the default chain and host-name validation.</param>
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
    public async Task SendAsync(OutboxMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var o = _options.Value;
        var mail = MailMessageBuilder.Build(message, o);
        var (from, to, content) = (mail.From, mail.To, mail.Mime);

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(o.SendTimeout);
        try
        {
            var session = await BorrowAsync(o, budget.Token).ConfigureAwait(false);
            var reused = session.MessagesSent > 0;
            try
            {
                await session.SendAsync(from, to, content, budget.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (reused && !session.ContentWritten && IsStaleConnection(ex) && !budget.IsCancellationRequested)
            {
                // The server had closed the idle connection; nothing of this message reached it.
                await session.DisposeAsync().ConfigureAwait(false);
                session = await OpenAsync(o, budget.Token).ConfigureAwait(false);
                await SendOnAsync(session, from, to, content, budget.Token).ConfigureAwait(false);
                return;
            }
            catch
            {
                await GiveBackAsync(session).ConfigureAwait(false);
                throw;
            }

            await GiveBackAsync(session).ConfigureAwait(false);
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

        while (TryTakeIdle(out var session))
        {
            await session.DisposeAsync().ConfigureAwait(false);
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
        ex is IOException or SocketException || ex is SmtpException { StatusCode: SmtpStatusCode.ServiceNotAvailable };

    private async Task SendOnAsync(SmtpSession session, string from, string to, byte[] content, CancellationToken ct)
    {
        try
        {
            await session.SendAsync(from, to, content, ct).ConfigureAwait(false);
        }
        finally
        {
            await GiveBackAsync(session).ConfigureAwait(false);
        }
    }

    private async Task<SmtpSession> BorrowAsync(MailOptions o, CancellationToken ct)
    {
        while (TryTakeIdle(out var session))
        {
            if (session.IsUsable && Environment.TickCount64 - session.LastUsedTicks < IdleLimit.TotalMilliseconds)
            {
                return session;
            }

            await session.DisposeAsync().ConfigureAwait(false);
        }

        return await OpenAsync(o, ct).ConfigureAwait(false);
    }

    private async Task<SmtpSession> OpenAsync(MailOptions o, CancellationToken ct)
    {
        var credential = string.IsNullOrEmpty(o.UserName) ? null : new NetworkCredential(o.UserName, o.Password);
        var session = await SmtpSession.OpenAsync(o.Host!, o.Port, o.EnableSsl, credential, _certificateValidation, ct).ConfigureAwait(false);
        Interlocked.Increment(ref _connectionsOpened);
        return session;
    }

    private bool TryTakeIdle([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SmtpSession? session)
    {
        lock (_idle)
        {
            return _idle.TryPop(out session);
        }
    }

    private async Task GiveBackAsync(SmtpSession session)
    {
        if (session.IsUsable && Volatile.Read(ref _disposed) == 0)
        {
            lock (_idle)
            {
                if (_idle.Count < Math.Max(1, _options.Value.Parallelism))
                {
                    _idle.Push(session);
                    return;
                }
            }
        }

        await session.DisposeAsync().ConfigureAwait(false);
    }
}
