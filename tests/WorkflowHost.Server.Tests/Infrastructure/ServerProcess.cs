using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>
/// The real server (<c>WorkflowHost.Server.dll</c> of the test output folder, run with <c>dotnet</c>) as a
/// separate OS process on a free port of 127.0.0.1, configured by command-line settings. It can be killed
/// (SIGKILL of the whole process tree on Linux, no graceful shutdown) and started again on the same
/// settings — a crash and a restart on the same data folder. Each start writes stdout and stderr to its own
/// log file (<c>server-1.log</c>, <c>server-2.log</c> …) in <see cref="LogDirectory"/>.
/// </summary>
/// <remarks>
/// Use <see cref="WithSmtp"/> for the usual layout (data, workflows, units under one folder; mail to an SMTP
/// server on 127.0.0.1). <see cref="StartAsync"/> returns once <c>GET /health</c> answers 200.
/// </remarks>
public sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>The server's assembly, copied into the test output folder by the project reference.</summary>
    public const string ServerAssembly = "WorkflowHost.Server.dll";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] InheritedUrlVariables = ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS"];

    /// <summary>User name of the bootstrap secretariat account the client signs in with (the /api endpoints need it).</summary>
    public const string SecretariatUser = "thuky-test";

    // One password for the whole test run: two servers on one data folder share the account the first one created.
    private static readonly string RunPassword = "pw-" + Guid.NewGuid().ToString("N");

    /// <summary>The bootstrap secretariat's password (random per server; for browser tests that sign in).</summary>
    public static string SecretariatPassword => RunPassword;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _settings;
    private readonly Lock _logLock = new();
    private Process? _process;
    private StreamWriter? _log;
    private HttpClient? _client;

    /// <summary>A server with the given configuration settings (key → value, e.g. "Mail:Mode" → "Smtp"). Not started yet.</summary>
    /// <param name="settings">Passed as <c>--key=value</c> arguments, after <c>--urls</c>.</param>
    /// <param name="logDirectory">Folder for the per-start log files; created if missing.</param>
    /// <param name="database">The server's database, disposed with it (its settings must be in <paramref name="settings"/>); null when the settings choose one.</param>
    public ServerProcess(IEnumerable<KeyValuePair<string, string>> settings, string logDirectory, TestDatabase? database = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(logDirectory);
        _settings = [.. settings];
        LogDirectory = logDirectory;
        Database = database;
        Directory.CreateDirectory(logDirectory);
    }

    /// <summary>The server's database when the test run chose it (<see cref="WithSmtp"/>), else null.</summary>
    public TestDatabase? Database { get; }

    /// <summary>The folder holding the server and its dependencies (the test output folder), also its working directory.</summary>
    public static string ServerDirectory => AppContext.BaseDirectory;

    /// <summary>Folder of the log files, one per start.</summary>
    public string LogDirectory { get; }

    /// <summary>The log file of the latest start, or null before the first.</summary>
    public string? LogPath { get; private set; }

    /// <summary>How many times the server was started.</summary>
    public int Starts { get; private set; }

    /// <summary>The HTTP port of the current (or latest) run.</summary>
    public int Port { get; private set; }

    /// <summary>Base address of the current run, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>An HTTP client for the current run (replaced at each start).</summary>
    public HttpClient Client => _client ?? throw new InvalidOperationException("The server has not been started.");

    /// <summary>Whether the server process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// The usual layout under <paramref name="root"/>: <c>App:DataDirectory</c> = root (SQLite files
    /// <c>workflowhost.db</c>, Hangfire's <c>hangfire.db</c>; in the PostgreSQL pass a fresh database of the shared
    /// cluster, Hangfire's job store in its <c>hangfire</c> schema, see <see cref="TestDatabase"/>), <c>App:WorkflowsPath</c> = root/workflows,
    /// <c>App:UnitsPath</c> = root/units, logs in root/logs; mail in SMTP mode to 127.0.0.1:<paramref name="smtpPort"/>;
    /// sweeps and dispatch every <paramref name="intervalSeconds"/>.
    /// </summary>
    public static ServerProcess WithSmtp(string root, int smtpPort, double intervalSeconds = 0.5)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var interval = intervalSeconds.ToString(CultureInfo.InvariantCulture);
        var database = TestDatabase.ForServer(root);
        return new ServerProcess(
            [
                .. database.ServerSettings,
                new("App:DataDirectory", root),
                new("App:WorkflowsPath", Path.Combine(root, "workflows")),
                new("App:UnitsPath", Path.Combine(root, "units")),
                new("Mail:Mode", "Smtp"),
                new("Mail:Host", "127.0.0.1"),
                new("Mail:Port", smtpPort.ToString(CultureInfo.InvariantCulture)),
                new("App:SweepIntervalSeconds", interval),
                new("App:DispatchIntervalSeconds", interval),
                // Every day a working day: what these tests check must not depend on today's weekday or a holiday.
                new("App:CalendarFile", ""),
            ],
            Path.Combine(root, "logs"),
            database);
    }

    /// <summary>
    /// Starts the server on a new free port and returns once <c>/health</c> answers 200. A port taken in the
    /// meantime by someone else is replaced by another (up to three tries).
    /// </summary>
    /// <exception cref="InvalidOperationException">The process exited before it was healthy (the message holds its log).</exception>
    /// <exception cref="TimeoutException">It was not healthy within 60 s.</exception>
    public async Task StartAsync(CancellationToken ct = default)
    {
        if (IsRunning) throw new InvalidOperationException("The server is already running.");
        await KillAsync(); // a process that exited by itself: release it and close its log
        const int tries = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnceAsync(ct);
                return;
            }
            catch (PortTakenException) when (attempt < tries)
            {
                // Another process took the port between FreePort() and the bind: try another one.
            }
        }
    }

    /// <summary>
    /// Kills the process tree at once (SIGKILL on Linux: no shutdown hooks, no flush, no final commit) and
    /// waits until it has exited. Does nothing if it is not running.
    /// </summary>
    public async Task KillAsync()
    {
        var process = _process;
        _process = null;
        if (process is null) return;
        using (process)
        {
            if (!process.HasExited)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited between the check and the kill.
                }
            }

            using var timeout = new CancellationTokenSource(ExitTimeout);
            await process.WaitForExitAsync(timeout.Token); // also drains the redirected output
        }

        CloseLog();
    }

    /// <summary>The text of every log file written so far, in start order, each under a heading.</summary>
    public string ReadLogs()
    {
        var text = new StringBuilder();
        lock (_logLock)
        {
            _log?.Flush();
            for (var i = 1; i <= Starts; i++)
            {
                var path = LogFile(i);
                text.Append("===== ").Append(path).AppendLine(" =====");
                if (File.Exists(path))
                {
                    using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                    using var reader = new StreamReader(stream, Encoding.UTF8);
                    text.AppendLine(reader.ReadToEnd());
                }
            }
        }

        return text.ToString();
    }

    /// <summary>POST /api/instances: starts a plan; returns the created instance's id.</summary>
    public async Task<string> StartInstanceAsync(string definitionId, string directory, string instanceId, CancellationToken ct = default)
    {
        using var response = await Client.PostAsJsonAsync("api/instances", new { definitionId, directory, instanceId }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /api/instances answered {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>GET /api/instances/{id}: the instance's status and incident.</summary>
    public async Task<ServerInstanceState> GetInstanceAsync(string instanceId, CancellationToken ct = default) =>
        await Client.GetFromJsonAsync<ServerInstanceState>($"api/instances/{Uri.EscapeDataString(instanceId)}", Json, ct)
            ?? throw new InvalidOperationException($"GET /api/instances/{instanceId} returned nothing.");

    /// <summary>GET /api/outbox: every outbox row (up to 10,000), in id order, bodies omitted.</summary>
    public async Task<IReadOnlyList<ServerOutboxRow>> GetOutboxAsync(CancellationToken ct = default) =>
        await Client.GetFromJsonAsync<ServerOutboxRow[]>("api/outbox?limit=10000", Json, ct) ?? [];

    /// <summary>GET /api/tasks?instanceId=…: every task of the instance (up to 10,000).</summary>
    public async Task<IReadOnlyList<ServerTask>> GetTasksAsync(string instanceId, CancellationToken ct = default) =>
        await Client.GetFromJsonAsync<ServerTask[]>($"api/tasks?instanceId={Uri.EscapeDataString(instanceId)}&limit=10000", Json, ct) ?? [];

    /// <summary>Kills the server if it runs, releases the HTTP client and disposes <see cref="Database"/>. The log files stay.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _client?.Dispose();
        _client = null;
        Database?.Dispose();
    }

    private async Task StartOnceAsync(CancellationToken ct)
    {
        Port = FreePort();
        Starts++;
        LogPath = LogFile(Starts);
        lock (_logLock)
        {
            _log = new StreamWriter(new FileStream(LogPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };
        }

        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = ServerDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Path.Combine(ServerDirectory, ServerAssembly));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(BaseAddress.ToString().TrimEnd('/'));
        foreach (var (key, value) in _settings) info.ArgumentList.Add($"--{key}={value}");
        foreach (var variable in InheritedUrlVariables) info.Environment.Remove(variable);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Auth__BootstrapSecretariat__UserName"] = SecretariatUser;
        info.Environment["Auth__BootstrapSecretariat__Password"] = RunPassword;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => WriteLog(e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog(e.Data);
        WriteLog($"# {Starts.ToString(CultureInfo.InvariantCulture)}: {info.FileName} {string.Join(' ', info.ArgumentList)}");
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start {info.FileName}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _client?.Dispose();
        _client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await KillAsync(); // waits for the output, disposes, closes the log
                var log = File.ReadAllText(LogPath, Encoding.UTF8);
                if (log.Contains("address already in use", StringComparison.OrdinalIgnoreCase)) throw new PortTakenException();
                throw new InvalidOperationException($"The server exited before it was healthy (log {LogPath}):\n{log}");
            }

            if (await IsHealthyAsync(ct))
            {
                await SignInAsync(ct);
                return;
            }
            if (elapsed.Elapsed > StartTimeout)
            {
                await KillAsync();
                throw new TimeoutException($"The server was not healthy within {StartTimeout.TotalSeconds} s (log {LogPath}):\n{ReadLogs()}");
            }

            await Task.Delay(PollInterval, ct);
        }
    }

    // The client signs in as the bootstrap secretariat (cookie), as a person would through /signin.
    private async Task SignInAsync(CancellationToken ct)
    {
        var form = await Client.GetStringAsync("signin", ct);
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = SecretariatUser,
            ["password"] = RunPassword,
            ["__RequestVerificationToken"] = token,
        });
        using var response = await Client.PostAsync("signin", content, ct);
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in as {SecretariatUser} answered {(int)response.StatusCode}.");
    }

    private async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var response = await Client.GetAsync("health", attempt.Token);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private void WriteLog(string? line)
    {
        if (line is null) return;
        lock (_logLock)
        {
            _log?.WriteLine(line);
        }
    }

    private void CloseLog()
    {
        lock (_logLock)
        {
            _log?.Dispose();
            _log = null;
        }
    }

    private string LogFile(int start) => Path.Combine(LogDirectory, $"server-{start.ToString(CultureInfo.InvariantCulture)}.log");

    /// <summary>The dotnet host running the tests (DOTNET_HOST_PATH, set by the SDK), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return current;
        return "dotnet";
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

/// <summary>An outbox row as <c>GET /api/outbox</c> lists it.</summary>
public sealed record ServerOutboxRow(
    long Id,
    string IdempotencyKey,
    string Kind,
    string To,
    string Subject,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt,
    string? LastError,
    string? TaskId,
    string? UnitCode)
{
    /// <summary>Whether the row was delivered.</summary>
    public bool IsSent => string.Equals(Status, "Sent", StringComparison.Ordinal);
}

/// <summary>The part of an instance (<c>GET /api/instances/{id}</c>) the tests look at.</summary>
public sealed record ServerInstanceState(string Id, string Status, string? Incident, DateTimeOffset? FinishedAt);

/// <summary>The part of a task (<c>GET /api/tasks</c>) the tests look at.</summary>
public sealed record ServerTask(string Id, string InstanceId, string Milestone, string UnitCode, string Status, bool Overdue);
