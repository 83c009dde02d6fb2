using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// One open SMTP connection (RFC 5321) that sends any number of messages, one after the other: EHLO once,
/// STARTTLS (RFC 3207) and AUTH PLAIN / LOGIN (RFC 4954) once, then MAIL FROM, RCPT TO, DATA per message.
/// Not thread-safe: <see cref="SmtpMailTransport"/> lends each session to one sender at a time.
/// </summary>
/// <remarks>
/// <para>
/// Why our own client: <see cref="SmtpClient"/> opens a connection per message, leaves Nagle's algorithm on
/// and ends DATA with small writes, so every message waits ~40 ms for the peer's delayed ACK
/// (docs/benchmarks.md, P3); MailKit, which does it right, is not in this machine's package feed. This
/// session sets <c>TCP_NODELAY</c>, writes each message in one piece and keeps the connection.
/// </para>
/// <para>
/// Failures surface as the exceptions <see cref="MailFailureClassifier"/> already sorts:
/// <see cref="SmtpException"/> / <see cref="SmtpFailedRecipientException"/> with the server's reply code,
/// <see cref="IOException"/> / <see cref="SocketException"/> for a broken connection,
/// <see cref="AuthenticationException"/> for TLS or credential set-up problems, and
/// <see cref="OperationCanceledException"/> when the caller's token fires. After any exception other than a
/// refusal of one message (<see cref="IsUsable"/> stays true then), the session must be disposed.
/// </para>
/// </remarks>
internal sealed class SmtpSession : IAsyncDisposable
{
    /// <summary>Longest reply accepted from a server, all lines together; a longer one is a protocol error.</summary>
    private const int MaxReplyBytes = 64 * 1024;

    private static readonly byte[] CrLf = "\r\n"u8.ToArray();
    private static readonly byte[] EndOfData = ".\r\n"u8.ToArray();

    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly byte[] _buffer = new byte[8192];
    private int _bufferStart;
    private int _bufferEnd;
    private HashSet<string> _extensions = new(StringComparer.OrdinalIgnoreCase);
    private string _authMechanisms = string.Empty;

    private SmtpSession(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = Stream.Null; // the network stream once connected
    }

    /// <summary>False once the connection is broken or the dialogue is out of step; then dispose it.</summary>
    public bool IsUsable { get; private set; } = true;

    /// <summary>Messages this session has had accepted (250 after DATA).</summary>
    public int MessagesSent { get; private set; }

    /// <summary>When the session last finished a message (UTC, <see cref="Environment.TickCount64"/> milliseconds).</summary>
    public long LastUsedTicks { get; private set; } = Environment.TickCount64;

    /// <summary>
    /// Whether the last <see cref="SendAsync"/> wrote any byte of its content: from then on the server may have
    /// accepted the message even if the call failed, so sending it again could deliver it twice.
    /// </summary>
    public bool ContentWritten { get; private set; }

    /// <summary>Whether the connection was upgraded with STARTTLS.</summary>
    public bool IsEncrypted => _stream is SslStream;

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/>, reads the greeting, says EHLO, upgrades with
    /// STARTTLS when <paramref name="requireTls"/>, and authenticates when <paramref name="userName"/> is set.
    /// </summary>
    /// <param name="certificateValidation">
    /// Server certificate check for STARTTLS; null = the platform's default chain and name validation.
    /// </param>
    /// <exception cref="SocketException">The connection was refused or could not be made.</exception>
    /// <exception cref="SmtpException">The greeting or EHLO was refused (e.g. 421, 554).</exception>
    /// <exception cref="AuthenticationException">
    /// TLS was required and is not offered or failed; credentials were refused, or would travel unencrypted to
    /// a host other than this machine.
    /// </exception>
    public static async Task<SmtpSession> OpenAsync(
        string host,
        int port,
        bool requireTls,
        NetworkCredential? credential,
        RemoteCertificateValidationCallback? certificateValidation,
        CancellationToken ct)
    {
        var tcp = new TcpClient { NoDelay = true };
        var session = new SmtpSession(tcp);
        try
        {
            await tcp.ConnectAsync(host, port, ct).ConfigureAwait(false);
            session._stream = tcp.GetStream();
            await session.ExpectAsync(220, ct).ConfigureAwait(false);
            await session.HelloAsync(ct).ConfigureAwait(false);
            if (requireTls)
            {
                if (!session._extensions.Contains("STARTTLS"))
                {
                    throw new AuthenticationException($"The SMTP server {host}:{port} does not offer STARTTLS (Mail:EnableSsl is on).");
                }

                await session.CommandAsync("STARTTLS", 220, ct).ConfigureAwait(false);
                var tls = new SslStream(session._stream, leaveInnerStreamOpen: false);
                session._stream = tls;
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions { TargetHost = host, RemoteCertificateValidationCallback = certificateValidation },
                    ct).ConfigureAwait(false);
                await session.HelloAsync(ct).ConfigureAwait(false); // RFC 3207 §4.2: forget what was learnt before TLS
            }

            if (credential is not null)
            {
                if (!session.IsEncrypted && !IsLoopback(tcp))
                {
                    throw new AuthenticationException(
                        $"Refusing to send the SMTP password to {host}:{port} without TLS; turn on Mail:EnableSsl.");
                }

                await session.AuthenticateAsync(credential, ct).ConfigureAwait(false);
            }

            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends one message: MAIL FROM, RCPT TO, DATA, the content (dot-stuffed here) and the final dot, written
    /// in one piece. Returns when the server answered 250 to the final dot.
    /// </summary>
    /// <param name="from">Envelope sender: a bare ASCII address (<see cref="MailMessageBuilder.Build"/> refuses others).</param>
    /// <param name="to">Envelope recipient: a bare ASCII address.</param>
    /// <param name="content">The MIME message as CRLF-terminated lines of 7-bit text, not yet dot-stuffed.</param>
    /// <exception cref="SmtpFailedRecipientException">RCPT TO was refused (e.g. 550, 450).</exception>
    /// <exception cref="SmtpException">MAIL FROM, DATA or the content was refused, with the reply code.</exception>
    public async Task SendAsync(string from, string to, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        ContentWritten = false;
        try
        {
            await CommandAsync($"MAIL FROM:<{from}>", 250, ct).ConfigureAwait(false);
            var rcpt = await CommandAsync($"RCPT TO:<{to}>", ct).ConfigureAwait(false);
            if (rcpt.Code is not (250 or 251))
            {
                throw new SmtpFailedRecipientException((SmtpStatusCode)rcpt.Code, to, rcpt.Text);
            }

            await CommandAsync("DATA", 354, ct).ConfigureAwait(false);
            var stuffed = DotStuff(content.Span);
            ContentWritten = true;
            try
            {
                await _stream.WriteAsync(stuffed, ct).ConfigureAwait(false);
                await _stream.FlushAsync(ct).ConfigureAwait(false);
            }
            catch
            {
                IsUsable = false; // cut off inside DATA: the dialogue cannot go on
                throw;
            }

            await ExpectAsync(250, ct).ConfigureAwait(false);
            MessagesSent++;
            LastUsedTicks = Environment.TickCount64;
        }
        catch (SmtpException ex) when (IsUsable && !ContentWritten && (int)ex.StatusCode != 421)
        {
            // A refusal of this message before its content: clear the transaction so the session can go on.
            await ResetAsync(ct).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Says QUIT and closes, without waiting long; errors are ignored (the connection goes anyway).</summary>
    public async ValueTask DisposeAsync()
    {
        if (IsUsable)
        {
            try
            {
                using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await WriteLineAsync("QUIT", quit.Token).ConfigureAwait(false);
                await ReadReplyAsync(quit.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Closing anyway: a failed QUIT changes nothing.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        IsUsable = false;
        await _stream.DisposeAsync().ConfigureAwait(false);
        _tcp.Dispose();
    }

    /// <summary>Adds the RFC 5321 §4.5.2 transparency: a '.' at the start of a line is doubled; ends with CRLF "." CRLF.</summary>
    internal static byte[] DotStuff(ReadOnlySpan<byte> content)
    {
        var extra = content.Length > 0 && content[0] == (byte)'.' ? 1 : 0;
        for (var i = content.IndexOf("\n."u8); i >= 0;)
        {
            extra++;
            var next = content[(i + 2)..].IndexOf("\n."u8);
            i = next < 0 ? -1 : i + 2 + next;
        }

        var endsWithCrLf = content.EndsWith(CrLf);
        var output = new byte[content.Length + extra + (endsWithCrLf ? 0 : 2) + EndOfData.Length];
        var o = 0;
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] == (byte)'.' && (i == 0 || content[i - 1] == (byte)'\n'))
            {
                output[o++] = (byte)'.';
            }

            output[o++] = content[i];
        }

        if (!endsWithCrLf)
        {
            output[o++] = (byte)'\r';
            output[o++] = (byte)'\n';
        }

        EndOfData.CopyTo(output.AsSpan(o));
        return output;
    }

    private static bool IsLoopback(TcpClient tcp) =>
        tcp.Client.RemoteEndPoint is IPEndPoint endpoint && IPAddress.IsLoopback(endpoint.Address);

    private async Task HelloAsync(CancellationToken ct)
    {
        // RFC 5321 §4.1.1.1: an address literal is a valid client identity when no name is configured.
        var local = _tcp.Client.LocalEndPoint as IPEndPoint;
        var identity = local is null ? "[127.0.0.1]"
            : local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[IPv6:{local.Address}]" : $"[{local.Address}]";
        var reply = await CommandAsync($"EHLO {identity}", ct).ConfigureAwait(false);
        if (reply.Code != 250)
        {
            reply = await CommandAsync($"HELO {identity}", 250, ct).ConfigureAwait(false);
        }

        _extensions = new(StringComparer.OrdinalIgnoreCase);
        _authMechanisms = string.Empty;
        foreach (var line in reply.Lines.Skip(1))
        {
            var keyword = line.Split(' ', 2)[0];
            _extensions.Add(keyword);
            if (keyword.Equals("AUTH", StringComparison.OrdinalIgnoreCase))
            {
                _authMechanisms = " " + line[4..].Trim().ToUpperInvariant() + " ";
            }
        }
    }

    private async Task AuthenticateAsync(NetworkCredential credential, CancellationToken ct)
    {
        SmtpReply reply;
        if (_authMechanisms.Contains(" PLAIN ", StringComparison.Ordinal))
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{credential.UserName}\0{credential.Password}"));
            reply = await CommandAsync($"AUTH PLAIN {token}", ct).ConfigureAwait(false);
        }
        else if (_authMechanisms.Contains(" LOGIN ", StringComparison.Ordinal))
        {
            await CommandAsync("AUTH LOGIN", 334, ct).ConfigureAwait(false);
            await CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.UserName)), 334, ct, "AUTH LOGIN (user name)").ConfigureAwait(false);
            reply = await CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.Password)), ct).ConfigureAwait(false);
        }
        else
        {
            throw new AuthenticationException(
                $"The SMTP server offers no AUTH mechanism this client knows (PLAIN, LOGIN); it offers '{_authMechanisms.Trim()}'.");
        }

        if (reply.Code != 235)
        {
            // 535 and friends: MailFailureClassifier treats them as the server being unusable, not the message.
            throw new SmtpException((SmtpStatusCode)reply.Code, $"Authentication refused: {reply.Text}");
        }
    }

    private async Task ResetAsync(CancellationToken ct)
    {
        try
        {
            await CommandAsync("RSET", 250, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SmtpException or IOException or SocketException)
        {
            IsUsable = false;
        }
    }

    /// <param name="display">What an error message calls the command, when the command itself carries a secret.</param>
    private async Task<SmtpReply> CommandAsync(string command, int expected, CancellationToken ct, string? display = null)
    {
        var reply = await CommandAsync(command, ct).ConfigureAwait(false);
        return reply.Code == expected ? reply : throw Refused(display ?? command, reply);
    }

    private async Task<SmtpReply> CommandAsync(string command, CancellationToken ct)
    {
        await WriteLineAsync(command, ct).ConfigureAwait(false);
        return await ReadReplyAsync(ct).ConfigureAwait(false);
    }

    private async Task ExpectAsync(int expected, CancellationToken ct)
    {
        var reply = await ReadReplyAsync(ct).ConfigureAwait(false);
        if (reply.Code != expected)
        {
            throw Refused(expected == 220 ? "(greeting)" : "(end of data)", reply);
        }
    }

    private SmtpException Refused(string command, SmtpReply reply)
    {
        if (reply.Code == 421)
        {
            IsUsable = false; // the server is closing the connection
        }

        return new SmtpException((SmtpStatusCode)reply.Code, $"{command}: {reply.Code} {reply.Text}");
    }

    private async Task WriteLineAsync(string line, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\r\n");
        try
        {
            await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            await _stream.FlushAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            IsUsable = false;
            throw;
        }
    }

    /// <summary>Reads one (possibly multi-line, RFC 5321 §4.2.1) reply.</summary>
    private async Task<SmtpReply> ReadReplyAsync(CancellationToken ct)
    {
        try
        {
            var lines = new List<string>();
            var total = 0;
            while (true)
            {
                var line = await ReadLineAsync(ct).ConfigureAwait(false);
                total += line.Length;
                if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code) || total > MaxReplyBytes)
                {
                    IsUsable = false;
                    throw new SmtpException(SmtpStatusCode.GeneralFailure, $"Malformed SMTP reply: '{line[..Math.Min(line.Length, 200)]}'");
                }

                lines.Add(line.Length > 4 ? line[4..] : string.Empty);
                if (line.Length == 3 || line[3] != '-')
                {
                    return new SmtpReply(code, lines);
                }
            }
        }
        catch (Exception ex) when (ex is not SmtpException)
        {
            IsUsable = false;
            throw;
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _bufferStart, _bufferEnd - _bufferStart);
            if (newline >= 0)
            {
                var end = newline > _bufferStart && _buffer[newline - 1] == (byte)'\r' ? newline - 1 : newline;
                var line = Encoding.UTF8.GetString(_buffer, _bufferStart, end - _bufferStart);
                _bufferStart = newline + 1;
                return line;
            }

            if (_bufferStart > 0)
            {
                Buffer.BlockCopy(_buffer, _bufferStart, _buffer, 0, _bufferEnd - _bufferStart);
                _bufferEnd -= _bufferStart;
                _bufferStart = 0;
            }

            if (_bufferEnd == _buffer.Length)
            {
                throw new SmtpException(SmtpStatusCode.GeneralFailure, "SMTP reply line longer than 8 KB.");
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_bufferEnd), ct).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The SMTP server closed the connection.");
            }

            _bufferEnd += read;
        }
    }

    private sealed record SmtpReply(int Code, List<string> Lines)
    {
        public string Text => string.Join(" / ", Lines);
    }
}
