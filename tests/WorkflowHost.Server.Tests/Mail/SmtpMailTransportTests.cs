using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Mail;

/// <summary>
/// <see cref="SmtpMailTransport"/> (MailKit's <see cref="SmtpClient"/> over kept-open connections) against real
/// aiosmtpd processes: one connection for many messages, a server that went away between two messages, refusals
/// and how <see cref="MailFailureClassifier"/> sorts them, STARTTLS and implicit TLS with AUTH, a wrong password,
/// an untrusted certificate, dot-stuffing and parallel connections.
/// </summary>
[Trait("Database", "None")] // touches no database: the PostgreSQL pass skips it
public sealed class SmtpMailTransportTests
{
    private static readonly DateTimeOffset Created = new(2026, 10, 1, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SendAsync_ManyMessages_ShareOneConnection()
    {
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var transport = Transport(smtp.Port);

        for (var i = 0; i < 20; i++)
        {
            await transport.SendAsync(Message($"reuse/{i}"), CancellationToken.None);
        }

        Assert.Equal(1, transport.ConnectionsOpened);
        await Poll.UntilAsync(() => smtp.MessageCount == 20, TimeSpan.FromSeconds(10), "20 messages in the Maildir");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"reuse/{i}").Order(StringComparer.Ordinal),
            smtp.Messages.Select(m => m.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SendAsync_ServerRestartedBetweenMessages_ReconnectsAndDeliversOnce()
    {
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var transport = Transport(smtp.Port);
        await transport.SendAsync(Message("before-restart"), CancellationToken.None);

        await smtp.StopAsync(); // the kept connection dies with the server
        await smtp.StartAsync();
        await transport.SendAsync(Message("after-restart"), CancellationToken.None);

        Assert.Equal(2, transport.ConnectionsOpened);
        await Poll.UntilAsync(() => smtp.MessageCount == 2, TimeSpan.FromSeconds(10), "2 messages in the Maildir");
        Assert.Equal(1, smtp.CountWithKey("before-restart"));
        Assert.Equal(1, smtp.CountWithKey("after-restart"));
    }

    [Fact]
    public async Task SendAsync_Recipient550_ThrowsPermanentWithTheServersAnswerAndTheConnectionGoesOn()
    {
        await using var smtp = new SmtpTestServer(rejecting: true);
        await smtp.StartAsync();
        await using var transport = Transport(smtp.Port);

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => transport.SendAsync(Message("refused", to: "reject@x.example"), CancellationToken.None));
        await transport.SendAsync(Message("accepted"), CancellationToken.None);

        Assert.Equal(550, (int)refused.StatusCode);
        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, refused.ErrorCode);
        Assert.Equal(DeliveryFailureKind.Permanent, MailFailureClassifier.Classify(refused));
        Assert.Contains("SMTP 550", MailFailureClassifier.Describe(refused), StringComparison.Ordinal);
        Assert.Contains("Recipient address rejected (test)", MailFailureClassifier.Describe(refused), StringComparison.Ordinal);
        Assert.Equal(1, transport.ConnectionsOpened); // RSET, then the next message on the same connection
        await Poll.UntilAsync(() => smtp.MessageCount == 1, TimeSpan.FromSeconds(10), "1 message in the Maildir");
        Assert.Equal(1, smtp.CountWithKey("accepted"));
    }

    [Fact]
    public async Task SendAsync_Mailbox450_ThrowsTransient()
    {
        await using var smtp = new SmtpTestServer(rejecting: true);
        await smtp.StartAsync();
        await using var transport = Transport(smtp.Port);

        var busy = await Assert.ThrowsAsync<SmtpCommandException>(() => transport.SendAsync(Message("busy", to: "busy@x.example"), CancellationToken.None));

        Assert.Equal(450, (int)busy.StatusCode);
        Assert.Equal(DeliveryFailureKind.Transient, MailFailureClassifier.Classify(busy));
    }

    [Fact]
    public async Task SendAsync_StartTlsAndAuth_DeliversOverOneEncryptedConnection()
    {
        await using var server = await TlsAuthServer.StartAsync("thiduakhenthuong", "mật-khẩu đúng");
        await using var transport = Transport(server.Port, ssl: true, user: "thiduakhenthuong", password: "mật-khẩu đúng", trust: server.Certificate);

        await transport.SendAsync(Message("tls-1"), CancellationToken.None);
        await transport.SendAsync(Message("tls-2"), CancellationToken.None);

        Assert.Equal(1, transport.ConnectionsOpened);
        await Poll.UntilAsync(() => server.Received.Count == 2, TimeSpan.FromSeconds(10), "2 messages in the Maildir");
        Assert.Equal(["tls-1", "tls-2"], server.Received.Select(m => m.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SendAsync_ImplicitTlsAndAuth_Delivers()
    {
        await using var server = await TlsAuthServer.StartAsync("thiduakhenthuong", "đúng", implicitTls: true);
        await using var transport = Transport(server.Port, implicitTls: true, user: "thiduakhenthuong", password: "đúng", trust: server.Certificate);

        await transport.SendAsync(Message("smtps-1"), CancellationToken.None);

        await Poll.UntilAsync(() => server.Received.Count == 1, TimeSpan.FromSeconds(10), "1 message in the Maildir");
        Assert.Equal("smtps-1", Assert.Single(server.Received).Key);
    }

    [Fact]
    public async Task SendAsync_WrongPassword_IsServerUnavailableNotPermanent()
    {
        await using var server = await TlsAuthServer.StartAsync("thiduakhenthuong", "đúng");
        await using var transport = Transport(server.Port, ssl: true, user: "thiduakhenthuong", password: "sai", trust: server.Certificate);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => transport.SendAsync(Message("wrong-password"), CancellationToken.None));

        Assert.DoesNotContain("sai", MailFailureClassifier.Describe(refused), StringComparison.Ordinal);
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(refused));
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task SendAsync_UntrustedCertificate_IsServerUnavailable()
    {
        await using var server = await TlsAuthServer.StartAsync("u", "p");
        await using var transport = Transport(server.Port, ssl: true, user: "u", password: "p", trust: null); // the platform's own check

        var refused = await Assert.ThrowsAsync<SslHandshakeException>(() => transport.SendAsync(Message("untrusted"), CancellationToken.None));

        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(refused));
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task SendAsync_TlsRequiredButNotOffered_IsServerUnavailable()
    {
        await using var smtp = new SmtpTestServer(); // aiosmtpd without a certificate offers no STARTTLS
        await smtp.StartAsync();
        await using var transport = Transport(smtp.Port, ssl: true);

        var refused = await Assert.ThrowsAsync<System.Security.Authentication.AuthenticationException>(() => transport.SendAsync(Message("no-tls"), CancellationToken.None));

        Assert.Contains("STARTTLS", refused.Message, StringComparison.Ordinal);
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(refused));
        Assert.Equal(0, smtp.MessageCount);
    }

    [Fact]
    public async Task SendAsync_ServerDown_SocketErrorIsServerUnavailable()
    {
        await using var smtp = new SmtpTestServer();
        await using var transport = Transport(smtp.Port); // never started: connection refused

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => transport.SendAsync(Message("down"), CancellationToken.None));

        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(refused));
    }

    [Fact]
    public async Task SendAsync_LinesStartingWithADot_ArriveUnchanged()
    {
        // ASCII text goes as 7bit, line for line, so these lines meet the SMTP DATA transparency rule (RFC 5321
        // §4.5.2): MailKit doubles the leading dots and the server takes one away again.
        const string text = "Dong mot\n.\n..hai cham\n. cham va cach\n.\r\nket thuc";
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var transport = Transport(smtp.Port);

        await transport.SendAsync(Message("dots", text: text), CancellationToken.None);
        await transport.SendAsync(Message("after-dots"), CancellationToken.None);

        await Poll.UntilAsync(() => smtp.MessageCount == 2, TimeSpan.FromSeconds(10), "2 messages in the Maildir");
        var received = smtp.Messages.Single(m => m.Key == "dots");
        Assert.Equal("7bit", received.Part("text/plain")!.TransferEncoding);
        Assert.Equal(text.ReplaceLineEndings("\n"), received.Part("text/plain")!.Body.ReplaceLineEndings("\n").TrimEnd('\n'));
        Assert.Equal(1, smtp.CountWithKey("after-dots"));
    }

    [Fact]
    public async Task SendAsync_ParallelSends_UseAtMostParallelismConnectionsAndDeliverEachOnce()
    {
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var transport = Transport(smtp.Port, parallelism: 4);

        // Four senders, 25 messages each, as the dispatcher's senders use the transport.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async sender =>
        {
            for (var i = 0; i < 25; i++)
            {
                await transport.SendAsync(Message($"parallel/{sender}/{i}"), CancellationToken.None);
            }
        }));

        Assert.InRange(transport.ConnectionsOpened, 2, 4);
        await Poll.UntilAsync(() => smtp.MessageCount == 100, TimeSpan.FromSeconds(10), "100 messages in the Maildir");
        Assert.All(smtp.Messages.GroupBy(m => m.Key), g => Assert.Single(g));
        Assert.Equal(100, smtp.Messages.Select(m => m.Key).Distinct().Count());
    }

    private static SmtpMailTransport Transport(int port, bool ssl = false, bool implicitTls = false, string? user = null, string? password = null, X509Certificate2? trust = null, int parallelism = 1) =>
        new(Options.Create(new MailOptions { Mode = MailDeliveryMode.Smtp, Host = "127.0.0.1", Port = port, EnableSsl = ssl, ImplicitTls = implicitTls, UserName = user, Password = password, Parallelism = parallelism, SendTimeout = TimeSpan.FromSeconds(10) }),
            trust is null ? null : (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == trust.GetCertHashString());

    private static OutboxMessage Message(string key, string to = "don-vi@x.example", string text = "Kính gửi đơn vị") => new()
    {
        IdempotencyKey = key,
        Kind = MailKind.Reminder,
        To = to,
        Subject = "Nhắc hạn: " + key,
        HtmlBody = "<p>Kính gửi đơn vị</p>",
        TextBody = text,
        CreatedAt = Created,
        NextAttemptAt = Created,
    };

    /// <summary>aiosmtpd that requires STARTTLS, or TLS from the first byte, with a self-signed certificate made here, and AUTH.</summary>
    private sealed class TlsAuthServer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly TempDirectory _folder;

        private TlsAuthServer(Process process, TempDirectory folder, int port, X509Certificate2 certificate)
        {
            _process = process;
            _folder = folder;
            Port = port;
            Certificate = certificate;
        }

        public int Port { get; }

        public X509Certificate2 Certificate { get; }

        public IReadOnlyList<ReceivedMail> Received =>
            [.. Directory.EnumerateFiles(_folder.Combine("maildir", "new")).Select(ReceivedMail.Load)];

        public static async Task<TlsAuthServer> StartAsync(string user, string password, bool implicitTls = false)
        {
            var folder = new TempDirectory("workflowhost-smtp-tls");
            foreach (var sub in new[] { "new", "cur", "tmp" }) Directory.CreateDirectory(folder.Combine("maildir", sub));
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            var now = TimeProvider.System.GetUtcNow();
            var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
            await File.WriteAllTextAsync(folder.Combine("cert.pem"), certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(folder.Combine("key.pem"), key.ExportPkcs8PrivateKeyPem());

            var port = FreePort();
            var info = new ProcessStartInfo(SmtpTestServer.PythonPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Infrastructure", "smtp_tls_auth_server.py"), "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         folder.Combine("maildir"), folder.Combine("cert.pem"), folder.Combine("key.pem"), user, password, implicitTls ? "implicit" : "starttls" })
                info.ArgumentList.Add(arg);
            info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the TLS SMTP server.");
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var line = await process.StandardOutput.ReadLineAsync(ready.Token);
            if (line != "ready")
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"The TLS SMTP server did not start: {line} {await process.StandardError.ReadToEndAsync(CancellationToken.None)}");
            }

            return new TlsAuthServer(process, folder, port, certificate);
        }

        public async ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
            _process.Dispose();
            Certificate.Dispose();
            _folder.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
