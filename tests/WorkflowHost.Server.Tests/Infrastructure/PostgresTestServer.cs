using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL 15 cluster for one test class: initdb into a temp folder, started on a free
/// port on 127.0.0.1 as the unprivileged <c>postgres</c> user (initdb refuses root), removed on
/// dispose. Needs Debian's <c>postgresql</c> package (test.sh installs it). <see cref="Shared"/> is one
/// cluster for the whole test process (the PostgreSQL pass, see <see cref="TestDatabase"/>).
/// </summary>
public sealed class PostgresTestServer : IAsyncLifetime
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private static readonly Lazy<PostgresTestServer> SharedServer = new(StartShared, LazyThreadSafetyMode.ExecutionAndPublication);
    private const string SharedPrefix = "wfh-pg-shared-";
    private readonly string _root;
    private readonly string _options;

    /// <summary>A cluster with durable commits (fsync on), as in production.</summary>
    public PostgresTestServer()
        : this("wfh-pg-", "-c fsync=on -c max_connections=200")
    {
    }

    private PostgresTestServer(string prefix, string options)
    {
        _root = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..8]);
        _options = options;
    }

    /// <summary>
    /// The test process's shared cluster, started at first use and stopped when the process exits. It
    /// runs without fsync: the PostgreSQL pass checks the product's SQL and transactions, not the
    /// durability of PostgreSQL itself (the tests kill servers, never the cluster), and with fsync each of
    /// the pass's some 200 CREATE DATABASE would sync a copy of the template to disk.
    /// </summary>
    public static PostgresTestServer Shared => SharedServer.Value;

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
            "-o", $"-p {Port} -h 127.0.0.1 -k {_root} {_options}", "start");
    }

    /// <summary>Creates an empty database.</summary>
    public async Task CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A new empty database with a unique name (<paramref name="prefix"/> + a random suffix); returns its connection string.</summary>
    public string CreateDatabase(string prefix)
    {
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..12];
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing whatever connections it still has.</summary>
    public void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using (var pooled = new NpgsqlConnection(connectionString)) NpgsqlConnection.ClearPool(pooled);
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        command.ExecuteNonQuery();
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

    private static PostgresTestServer StartShared()
    {
        RemoveStoppedSharedClusters();
        var server = new PostgresTestServer(SharedPrefix, "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400");
        // Off the caller's synchronization context: xunit's has as many threads as cores, all possibly waiting here.
        Task.Run(server.InitializeAsync).GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.StopAtExit();
        return server;
    }

    // The test runner ends the test host (and what it started) soon after the last test, often before the cluster is
    // stopped and its folder deleted: a detached shell (its parent exits at once) does both, whatever becomes of us.
    private void StopAtExit()
    {
        NpgsqlConnection.ClearAllPools();
        var stop = new ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", "root=\"$1\"; shift; (\"$@\"; rm -rf -- \"$root\") </dev/null >/dev/null 2>&1 &", "sh", _root }) stop.ArgumentList.Add(a);
        if (Environment.UserName != "postgres") foreach (var a in new[] { "runuser", "-u", "postgres", "--" }) stop.ArgumentList.Add(a);
        foreach (var a in new[] { Path.Combine(BinDirectory, "pg_ctl"), "-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop" }) stop.ArgumentList.Add(a);
        using var shell = Process.Start(stop)!;
        shell.WaitForExit(); // it returns at once; the stop and the rm go on in the background
    }

    // The test host may be ended while its exit handler deletes the folder: remove what earlier runs left behind
    // (stopped clusters only, not touched for 10 minutes: a running one, with its postmaster.pid, or a young one
    // still in initdb may belong to a run in progress).
    private static void RemoveStoppedSharedClusters()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), SharedPrefix + "*"))
        {
            if (File.Exists(Path.Combine(folder, "data", "postmaster.pid"))) continue;
            if (Directory.GetLastWriteTimeUtc(folder) > TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-10)) continue;
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Another run is removing it, or it is just being created: leave it.
            }
            catch (UnauthorizedAccessException)
            {
                // Same.
            }
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
