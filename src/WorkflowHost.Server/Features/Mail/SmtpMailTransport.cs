using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Sends outbox messages to the SMTP server of <see cref="MailOptions"/> with
/// <see cref="SmtpClient"/> (MailKit is not available here). One connection per message: the .NET
/// <see cref="SmtpClient"/> does not reuse connections across sends anyway, and this keeps the transport
/// stateless and safe to register as a singleton; <see cref="OutboxDispatcher"/> runs
/// <see cref="MailOptions.Parallelism"/> sends at once.
/// </summary>
public sealed class SmtpMailTransport(IOptions<MailOptions> options) : IMailTransport
{
    // SmtpClient blocks a thread-pool thread while it ends the DATA phase and sends QUIT (synchronous
    // calls inside SendMailAsync), and that wait includes a ~40 ms Nagle/delayed-ACK stall per message
    // (docs/benchmarks.md, P3). With Mail:Parallelism sends in flight on a 2-core machine, the pool's
    // slow thread injection then throttles delivery; keep enough threads ready for them.
    private readonly int _reservedThreads = ReserveThreads(options.Value.Parallelism);

    /// <summary>Threads kept ready in the pool for the parallel sends.</summary>
    public int ReservedThreads => _reservedThreads;

    private static int ReserveThreads(int parallelism)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = Environment.ProcessorCount + (2 * Math.Max(1, parallelism));
        if (workers < wanted) ThreadPool.SetMinThreads(wanted, io);
        return Math.Max(workers, wanted);
    }

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
