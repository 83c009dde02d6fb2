using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>
/// A fresh database for one test, of the provider the test run uses: a real SQLite file in a temp
/// folder (the default), or, when <c>WORKFLOWHOST_TEST_DATABASE=postgres</c> (the second pass of
/// <c>./test.sh</c>), a new database on the run's shared PostgreSQL cluster
/// (<see cref="PostgresTestServer.Shared"/>). Dropped or deleted on dispose.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    /// <summary>The environment variable that selects the provider of the whole test run.</summary>
    public const string ProviderVariable = "WORKFLOWHOST_TEST_DATABASE";

    private readonly bool _ownsFolder;

    /// <summary>A new database with the schema created (<c>EnsureCreated</c>), in its own temp folder.</summary>
    public TestDatabase()
        : this(Path.Combine(Path.GetTempPath(), "workflowhost-db-" + Guid.NewGuid().ToString("N")), ownsFolder: true, createSchema: true)
    {
    }

    private TestDatabase(string folder, bool ownsFolder, bool createSchema)
    {
        Folder = folder;
        _ownsFolder = ownsFolder;
        Directory.CreateDirectory(Folder);
        if (UsePostgres)
        {
            ConnectionString = PostgresTestServer.Shared.CreateDatabase("wfh");
        }
        else
        {
            // The file the server itself uses in its data folder.
            FilePath = Path.Combine(Folder, "workflowhost.db");
            ConnectionString = $"Data Source={FilePath}";
        }
        if (!createSchema) return;
        using var db = CreateContext();
        db.Database.EnsureCreated();
    }

    /// <summary>True when this test run uses PostgreSQL (<c>WORKFLOWHOST_TEST_DATABASE=postgres</c>).</summary>
    public static bool UsePostgres { get; } =
        string.Equals(Environment.GetEnvironmentVariable(ProviderVariable), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The empty database of a server whose data folder is <paramref name="dataFolder"/>: on SQLite the file the
    /// server creates there (<c>workflowhost.db</c>), on PostgreSQL a new database. The server creates the schema;
    /// the folder is the caller's.
    /// </summary>
    public static TestDatabase ForServer(string dataFolder) => new(dataFolder, ownsFolder: false, createSchema: false);

    /// <summary>The temp folder (also usable for other per-test files).</summary>
    public string Folder { get; }

    /// <summary>The SQLite file, or null on PostgreSQL.</summary>
    public string? FilePath { get; }

    /// <summary>The provider's connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Configuration settings that point a server at this database: none on SQLite (the server's default file in
    /// its data folder), <c>Database:Provider</c> and <c>ConnectionStrings:Postgres</c> on PostgreSQL.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ServerSettings => UsePostgres
        ? [new("Database:Provider", "Postgres"), new("ConnectionStrings:Postgres", ConnectionString)]
        : [];

    /// <summary>Configures <paramref name="builder"/> for this database.</summary>
    public void Configure(DbContextOptionsBuilder builder)
    {
        if (UsePostgres) builder.UseNpgsql(ConnectionString);
        else builder.UseSqlite(ConnectionString);
    }

    /// <summary>A pooled context factory on this database, as the server and the CLI make theirs.</summary>
    public PooledDbContextFactory<WorkflowHostDbContext> CreateFactory()
    {
        var builder = new DbContextOptionsBuilder<WorkflowHostDbContext>();
        Configure(builder);
        return new PooledDbContextFactory<WorkflowHostDbContext>(builder.Options);
    }

    /// <summary>A new context on this database (the caller disposes it).</summary>
    public WorkflowHostDbContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<WorkflowHostDbContext>();
        Configure(builder);
        return new WorkflowHostDbContext(builder.Options);
    }

    /// <summary>
    /// An open ADO.NET connection that does not disturb a server (killed or running): on SQLite read-only and
    /// unpooled, so that a WAL a crash left is neither checkpointed nor removed.
    /// </summary>
    public DbConnection OpenConnection()
    {
        DbConnection connection = UsePostgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString())
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>Drops the PostgreSQL database, or releases SQLite's pooled connections and deletes the folder if it is ours.</summary>
    public void Dispose()
    {
        if (UsePostgres)
        {
            PostgresTestServer.Shared.DropDatabase(ConnectionString);
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }
        if (!_ownsFolder) return;
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
