using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>
/// A real SMTP server for tests: Debian's aiosmtpd (<c>/usr/bin/python3 -m aiosmtpd</c>) on a free port of
/// 127.0.0.1, storing every accepted message as one file of a Maildir. It can be stopped and started again
/// on the same port (to simulate an outage), and it reads back what it received.
/// </summary>
/// <remarks>
/// Use per test (<c>await using var smtp = new SmtpTestServer(); await smtp.StartAsync();</c>) or as an xunit
/// fixture (it implements <see cref="IAsyncLifetime"/>: started before the tests, stopped and deleted after).
/// With <c>rejecting: true</c> it loads <c>smtp_reject_handler.RejectingMailbox</c> instead of aiosmtpd's
/// Mailbox: 550 for recipients containing "reject", 450 for those containing "busy".
/// </remarks>
public sealed class SmtpTestServer : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>The Python interpreter that has aiosmtpd (not the pyenv one on PATH).</summary>
    public const string PythonPath = "/usr/bin/python3";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly string[] MaildirSubfolders = ["new", "cur", "tmp"];
    private static readonly string[] DeliveredSubfolders = ["new", "cur"];

    private readonly bool _rejecting;
    private readonly string _root;
    private readonly StringBuilder _stderr = new();
    private Process? _process;
    private bool _everStarted;

    /// <summary>A server with aiosmtpd's Mailbox handler (accepts everything). Not started yet.</summary>
    public SmtpTestServer()
        : this(rejecting: false)
    {
    }

    /// <summary>A server, rejecting some recipients if <paramref name="rejecting"/>. Not started yet.</summary>
    public SmtpTestServer(bool rejecting)
    {
        _rejecting = rejecting;
        _root = Path.Combine(Path.GetTempPath(), "workflowhost-smtp-" + Guid.NewGuid().ToString("N"));
        MaildirPath = Path.Combine(_root, "maildir");
        foreach (var sub in MaildirSubfolders)
        {
            Directory.CreateDirectory(Path.Combine(MaildirPath, sub));
        }

        Port = FreePort();
    }

    /// <summary>Host to connect to.</summary>
#pragma warning disable CA1822 // An instance property reads naturally next to Port.
    public string Host => "127.0.0.1";
#pragma warning restore CA1822

    /// <summary>The port, fixed for the life of this object (unless the first start found it taken).</summary>
    public int Port { get; private set; }

    /// <summary>The Maildir the server writes to.</summary>
    public string MaildirPath { get; }

    /// <summary>Whether the server process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Messages received so far, oldest first (by file time).</summary>
    public IReadOnlyList<ReceivedMail> Messages =>
        [.. DeliveredSubfolders
            .SelectMany(sub => Directory.EnumerateFiles(Path.Combine(MaildirPath, sub)))
            .Select(path => new FileInfo(path))
            .OrderBy(f => f.LastWriteTimeUtc)
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => ReceivedMail.Load(f.FullName))];

    /// <summary>How many messages were received so far (files of the Maildir; cheap, nothing parsed).</summary>
    public int MessageCount =>
        DeliveredSubfolders.Sum(sub => Directory.EnumerateFiles(Path.Combine(MaildirPath, sub)).Count());

    /// <summary>How many received messages carry <paramref name="idempotencyKey"/> in X-WorkflowHost-Key.</summary>
    public int CountWithKey(string idempotencyKey) =>
        Messages.Count(m => string.Equals(m.Key, idempotencyKey, StringComparison.Ordinal));

    /// <summary>
    /// Starts the server process and returns once the port accepts connections. On the very first start a
    /// port taken by someone else in the meantime is replaced by another free one; later starts reuse the
    /// same port.
    /// </summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        if (IsRunning)
        {
            return;
        }

        const int firstStartTries = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnceAsync(ct);
                _everStarted = true;
                return;
            }
            catch (PortTakenException) when (!_everStarted && attempt < firstStartTries)
            {
                Port = FreePort();
            }
        }
    }

    /// <summary>Kills the server process and waits until it has exited (the port then refuses connections).</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        using (process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(StopTimeout);
            await process.WaitForExitAsync(timeout.Token);
        }
    }

    /// <inheritdoc />
    public Task InitializeAsync() => StartAsync();

    /// <summary>Stops the server and deletes its Maildir.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <inheritdoc />
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    private async Task StartOnceAsync(CancellationToken ct)
    {
        lock (_stderr)
        {
            _stderr.Clear();
        }

        var handlerDirectory = Path.Combine(AppContext.BaseDirectory, "Infrastructure");
        var info = new ProcessStartInfo(PythonPath)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            CreateNoWindow = true,
        };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"{Host}:{Port}" })
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(_rejecting ? "smtp_reject_handler.RejectingMailbox" : "aiosmtpd.handlers.Mailbox");
        info.ArgumentList.Add(MaildirPath);
        info.Environment["PYTHONPATH"] = handlerDirectory;
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        info.Environment["PYTHONUNBUFFERED"] = "1";

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start {PythonPath}.");
        }

        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await process.WaitForExitAsync(ct); // flushes the redirected streams
                _process = null;
                var stderr = Stderr();
                var exitCode = process.ExitCode;
                process.Dispose();
                if (stderr.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    throw new PortTakenException();
                }

                throw new InvalidOperationException($"aiosmtpd exited with code {exitCode} before listening on {Host}:{Port}:\n{stderr}");
            }

            if (await AcceptsConnectionAsync(ct))
            {
                return;
            }

            if (deadline.Elapsed > StartTimeout)
            {
                await StopAsync();
                throw new TimeoutException($"aiosmtpd did not listen on {Host}:{Port} within {StartTimeout.TotalSeconds} s:\n{Stderr()}");
            }

            await Task.Delay(PollInterval, ct);
        }
    }

    private async Task<bool> AcceptsConnectionAsync(CancellationToken ct)
    {
        using var client = new TcpClient();
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port, attempt.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class PortTakenException : Exception
    {
    }
}
