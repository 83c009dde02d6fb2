using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL 15 cluster for one test class: initdb into a temp folder, started on a free
/// port on 127.0.0.1 as the unprivileged <c>postgres</c> user (initdb refuses root), removed on
/// dispose. Needs Debian's <c>postgresql</c> package (test.sh installs it).
/// </summary>
public sealed class PostgresTestServer : IAsyncLifetime
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wfh-pg-" + Guid.NewGuid().ToString("N")[..8]);

    public int Port { get; } = FreePort();

    /// <summary>Connection string of a database created by <see cref="CreateDatabaseAsync"/>.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Pooling = true }.ToString();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var data = Path.Combine(_root, "data");
        await RunAsync("chown", "postgres", _root);
        await RunAsPostgresAsync("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8");
        await RunAsPostgresAsync("pg_ctl", "-D", data, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -h 127.0.0.1 -k {_root} -c fsync=on -c max_connections=200", "start");
    }

    /// <summary>Creates an empty database.</summary>
    public async Task CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsPostgresAsync("pg_ctl", "-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static Task RunAsPostgresAsync(string tool, params string[] args) =>
        Environment.UserName == "postgres"
            ? RunAsync(Path.Combine(BinDirectory, tool), args)
            : RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, tool), .. args]);

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stdout}{await stderr}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
