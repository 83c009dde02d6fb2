using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Mail;

namespace WorkflowHost.Cli.Bench;

/// <summary>
/// P3: outbox delivery to a local SMTP sink (Debian's aiosmtpd with its discarding Sink handler, on
/// 127.0.0.1) divided by the rate of postfix's <c>smtp-source</c> against the same sink, in the same
/// run: the same message count, about the same size (4 KB, an outbox reminder's HTML and text), one
/// message per connection and the same number of parallel sessions as the dispatcher's
/// <c>Mail:Parallelism</c>. The dispatcher is the server's <see cref="OutboxDispatcher"/> with
/// <see cref="SmtpMailTransport"/> (MailKit's SmtpClient over kept-open connections, MimeKit messages) over a SQLite outbox in WAL mode
/// with synchronous=FULL, committing each message's outcome before its connection sends the next (outcomes
/// that arrive together share a commit); it is also run with Parallelism 1, the server's default. Order:
/// smtp-source, a cold outbox drain (reported as <c>cold_*</c>, it warms the JIT up), the one-connection drain, the
/// measured drain (<c>outbox_msg_per_s</c>, <c>ratio</c>), smtp-source again; CPU figures cover each drain only.
/// </summary>
public static class SmtpBench
{
    /// <summary>Debian's Python, which has aiosmtpd (not a pyenv one on PATH).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>postfix's load generator.</summary>
    public const string SmtpSource = "/usr/sbin/smtp-source";

    /// <summary>Runs P3 with <paramref name="count"/> messages.</summary>
    public static async Task<BenchFigures> RunAsync(int count, int parallelism, string folder, CancellationToken cancellationToken)
    {
        foreach (var tool in new[] { Python, SmtpSource })
            if (!File.Exists(tool)) throw new InvalidOperationException($"{tool} is missing: apt-get install python3-aiosmtpd postfix (bench.sh does).");
        System.IO.Directory.CreateDirectory(folder);
        var port = BenchServer.FreePort();
        using var sink = Process.Start(new ProcessStartInfo(Python) { ArgumentList = { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink" }, UseShellExecute = false, RedirectStandardError = true })
            ?? throw new InvalidOperationException("Could not start aiosmtpd.");
        try
        {
            await WaitListeningAsync(port, cancellationToken);
            var sinkCpu = CpuMilliseconds(sink);
            var reference = await SmtpSourceRateAsync(port, count, parallelism, cancellationToken);
            var sinkPerSmtpSource = (CpuMilliseconds(sink) - sinkCpu) / count;
            // A first, cold drain of the same size and parallelism warms the outbox path up: in a process seconds
            // old the JIT (tier-0 code, then the background tier-1 recompilation of EF Core, MimeKit and MailKit)
            // took a third to a half of this process's CPU during the drain. The measured drains after it give the
            // rate of a server that has been sending for a while, which is what the outbox is; the cold rate is
            // reported beside them (docs/benchmarks.md, P3 fifth round).
            var cold = await DispatcherRateAsync(Path.Combine(folder, "outbox-cold.db"), port, count, parallelism, sink, cancellationToken);
            var serial = await DispatcherRateAsync(Path.Combine(folder, "outbox-serial.db"), port, Math.Min(count, 500), 1, sink, cancellationToken);
            var parallel = await DispatcherRateAsync(Path.Combine(folder, "outbox.db"), port, count, parallelism, sink, cancellationToken);
            var referenceAfter = await SmtpSourceRateAsync(port, count, parallelism, cancellationToken);
            var smtpSource = (reference + referenceAfter) / 2;
            return new BenchFigures("P3")
            {
                ["messages"] = count,
                ["parallelism"] = parallelism,
                ["smtp_source_msg_per_s_before"] = reference,
                ["smtp_source_msg_per_s_after"] = referenceAfter,
                ["smtp_source_msg_per_s"] = smtpSource,
                ["cold_outbox_msg_per_s"] = cold.Rate,
                ["cold_ratio"] = cold.Rate / smtpSource,
                ["cold_outbox_cpu_ms_per_msg"] = cold.OwnCpu,
                ["outbox_msg_per_s"] = parallel.Rate,
                ["ratio"] = parallel.Rate / smtpSource,
                ["serial_outbox_msg_per_s"] = serial.Rate,
                ["serial_ratio"] = serial.Rate / smtpSource,
                ["sink_cpu_ms_per_msg_smtp_source"] = sinkPerSmtpSource,
                ["sink_cpu_ms_per_msg_outbox"] = parallel.SinkCpu,
                ["outbox_cpu_ms_per_msg"] = parallel.OwnCpu,
                ["serial_outbox_cpu_ms_per_msg"] = serial.OwnCpu,
            };
        }
        finally
        {
            sink.Kill(entireProcessTree: true);
            await sink.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task<double> SmtpSourceRateAsync(int port, int count, int sessions, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await BenchProcess.RunAsync(SmtpSource, ["-s", sessions.ToString(CultureInfo.InvariantCulture), "-m", count.ToString(CultureInfo.InvariantCulture), "-l", "4000",
            "-f", "thiduakhenthuong@workflowhost.example", "-t", "donvi@bench.example", $"127.0.0.1:{port}"], TimeSpan.FromMinutes(5), cancellationToken);
        return count / stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Seeds <paramref name="count"/> due rows and drains them through the dispatcher; returns messages per second
    /// and the CPU per message (milliseconds) of this process and of the sink during the drain only (seeding excluded).
    /// </summary>
    private static async Task<(double Rate, double OwnCpu, double SinkCpu)> DispatcherRateAsync(string file, int port, int count, int parallelism, Process sink, CancellationToken cancellationToken)
    {
        var contexts = await BenchDatabase.CreateAsync(file, cancellationToken);
        var now = TimeProvider.System.GetUtcNow();
        var html = "<p>Kính gửi Đơn vị số 1,</p>" + string.Concat(Enumerable.Repeat("<p>Nhắc hạn gửi báo cáo kết quả thực hiện Kế hoạch thi đua (benchmark).</p>", 30));
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            for (var i = 0; i < count; i++)
                db.OutboxMessages.Add(new OutboxMessage
                {
                    IdempotencyKey = "bench/" + i.ToString(CultureInfo.InvariantCulture),
                    Kind = MailKind.Reminder,
                    To = $"dv{i % 100:D5}@bench.example",
                    Subject = "Nhắc hạn: báo cáo (benchmark)",
                    HtmlBody = html,
                    TextBody = "Nhắc hạn gửi báo cáo (benchmark).",
                    CreatedAt = now,
                    NextAttemptAt = now,
                });
            await db.SaveChangesAsync(cancellationToken);
        }
        var options = Options.Create(new MailOptions { Mode = MailDeliveryMode.Smtp, Host = "127.0.0.1", Port = port, Parallelism = parallelism });
        var transport = new SmtpMailTransport(options);
        var sent = 0;
        var sinkCpu = CpuMilliseconds(sink);
        var ownCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            // A fresh context per batch, as OutboxDispatchJob does.
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var result = await new OutboxDispatcher(db, transport, TimeProvider.System, options, NullLogger<OutboxDispatcher>.Instance).DispatchDueAsync(cancellationToken);
            if (result.Retrying + result.Failed + result.Deferred > 0) throw new InvalidOperationException($"Delivery to the sink failed: {result}.");
            sent += result.Sent;
            if (result.Loaded == 0) break;
        }
        var rate = sent / stopwatch.Elapsed.TotalSeconds;
        var ownPerMessage = (Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - ownCpu) / count;
        var sinkPerMessage = (CpuMilliseconds(sink) - sinkCpu) / count;
        if (sent != count) throw new InvalidOperationException($"Sent {sent} of {count}.");
        SqliteConnection.ClearAllPools();
        return (rate, ownPerMessage, sinkPerMessage);
    }

    /// <summary>
    /// CPU time (user + system, milliseconds) <paramref name="process"/> has used so far, from <c>/proc/PID/stat</c>
    /// (fields 14 and 15, in clock ticks of 10 ms); the sink is a single-threaded Python process, so its CPU per
    /// message bounds both rates (1,000 ms ÷ that = the most messages per second it can take).
    /// </summary>
    private static double CpuMilliseconds(Process process)
    {
        var stat = File.ReadAllText($"/proc/{process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    private static async Task WaitListeningAsync(int port, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                var buffer = new byte[256];
                var n = await client.GetStream().ReadAsync(buffer, cancellationToken);
                if (Encoding.ASCII.GetString(buffer, 0, n).StartsWith("220", StringComparison.Ordinal)) return;
            }
            catch (SocketException)
            {
            }
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException($"aiosmtpd did not listen on 127.0.0.1:{port}.");
    }
}
