using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>A real SQLite database file in its own temp folder, schema created; deleted on dispose.</summary>
public sealed class SqliteTestDatabase : IDisposable
{
    /// <summary>Creates the folder and the schema (<c>EnsureCreated</c>).</summary>
    public SqliteTestDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "workflowhost-db-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, "workflowhost.db");
        ConnectionString = $"Data Source={FilePath}";
        using var db = CreateContext();
        db.Database.EnsureCreated();
    }

    /// <summary>The temp folder (also usable for other per-test files).</summary>
    public string Folder { get; }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    /// <summary><c>Data Source=…</c>.</summary>
    public string ConnectionString { get; }

    /// <summary>Configures <paramref name="builder"/> for this database.</summary>
    public void Configure(DbContextOptionsBuilder builder) => builder.UseSqlite(ConnectionString);

    /// <summary>A new context on this database (the caller disposes it).</summary>
    public WorkflowHostDbContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<WorkflowHostDbContext>();
        Configure(builder);
        return new WorkflowHostDbContext(builder.Options);
    }

    /// <summary>Releases pooled connections and deletes the folder.</summary>
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
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
