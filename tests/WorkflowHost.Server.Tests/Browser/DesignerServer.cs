using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Browser;

/// <summary>
/// The real server for browser tests: <c>WorkflowHost.Server.dll</c> from the test output folder (copied there by
/// the project reference), run with <c>dotnet</c> as a separate process on a free port of 127.0.0.1 — Kestrel on a
/// real socket, which the in-process WebApplicationFactory test server does not give. It has a fresh data folder,
/// the repository's workflows and unit directories, and a bootstrap secretariat account whose random password is
/// passed in the environment. The studio bundle is found by the server itself (the npm install in
/// src/WorkflowHost.Server/ClientApp, see StudioBundle.Locate). Output goes to <see cref="LogPath"/>.
/// </summary>
/// <param name="demo">Run in demo mode (<c>--demo</c>, as <c>./run.sh</c> does): accelerated clock, the Tuần Giáo plan started,
/// demo accounts printed in the banner; no bootstrap account. Its data is then in <c>DataDirectory/demo</c>.</param>
public sealed class DesignerServer(bool demo = false) : IAsyncDisposable
{
    /// <summary>User name of the bootstrap secretariat account.</summary>
    public const string SecretariatUser = "thuky";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly string[] InheritedUrlVariables = ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS", "ASPNETCORE_ENVIRONMENT"];

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("wfh-browser-");
    private Process? _process;
    private StreamWriter? _log;
    private readonly Lock _logLock = new();

    /// <summary>A random password for the bootstrap secretariat account.</summary>
    public string SecretariatPassword { get; } = "tk-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    /// <summary>The data folder (SQLite file, mail pickup folder).</summary>
    public string DataDirectory => Path.Combine(_root.FullName, "data");

    /// <summary>The demo's own data folder (demo mode puts everything under <c>DataDirectory/demo</c>).</summary>
    public string DemoDataDirectory => Path.Combine(DataDirectory, "demo");

    /// <summary>The server's log (stdout and stderr).</summary>
    public string LogPath => Path.Combine(_root.FullName, "server.log");

    /// <summary>Base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Starts the server and returns once <c>/health</c> answers 200.</summary>
    public async Task StartAsync()
    {
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "WorkflowHost.Server.dll"));
        var args = demo ? DemoArguments() : new[]
        {
            "--urls", BaseAddress.ToString().TrimEnd('/'),
            $"--App:DataDirectory={DataDirectory}",
            $"--App:WorkflowsPath={RepoPaths.Of("workflows")}",
            $"--App:UnitsPath={RepoPaths.Of("config/units")}",
            "--App:SweepIntervalSeconds=3600",
            "--App:DispatchIntervalSeconds=3600",
            "--Scheduling:Store=Memory",
            $"--Auth:BootstrapSecretariat:UserName={SecretariatUser}",
            "--Auth:BootstrapSecretariat:DisplayName=Thư ký Hội đồng",
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var name in InheritedUrlVariables) info.Environment.Remove(name);
        // The password goes through the environment, as documented for real deployments.
        info.Environment["Auth__BootstrapSecretariat__Password"] = SecretariatPassword;
        info.Environment["DOTNET_NOLOGO"] = "1";

        _log = new StreamWriter(LogPath, append: false, Encoding.UTF8) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => WriteLog(e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Poll.UntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"The server exited with code {process.ExitCode} before it was healthy:\n{ReadLog()}");
            try
            {
                using var response = await client.GetAsync(new Uri("health", UriKind.Relative));
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false; // not listening yet, or a slow first answer
            }
        }, StartTimeout, "the designer test server to be healthy", () => Task.FromResult(ReadLog()));
    }

    // Demo mode as ./run.sh starts it, on this server's own folder and port (links in emails point to that port).
    private string[] DemoArguments() =>
    [
        "--demo",
        "--urls", BaseAddress.ToString().TrimEnd('/'),
        $"--App:BaseUrl={BaseAddress.ToString().TrimEnd('/')}",
        $"--App:DataDirectory={DataDirectory}",
        $"--App:WorkflowsPath={RepoPaths.Of("workflows")}",
        $"--App:UnitsPath={RepoPaths.Of("config/units")}",
    ];

    /// <summary>The server's log so far.</summary>
    public string ReadLog()
    {
        lock (_logLock)
        {
            _log?.Flush();
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Stops the server and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
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
                        // Exited meanwhile.
                    }
                }
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await process.WaitForExitAsync(timeout.Token);
            }
        }
        lock (_logLock)
        {
            _log?.Dispose();
            _log = null;
        }
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private void WriteLog(string? line)
    {
        if (line is null) return;
        lock (_logLock) _log?.WriteLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
