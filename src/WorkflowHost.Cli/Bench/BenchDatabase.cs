using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Cli.Bench;

/// <summary>SQLite files for the benchmarks, set up exactly as the server sets up its own (WAL, synchronous=FULL).</summary>
public static class BenchDatabase
{
    /// <summary>Deletes <paramref name="file"/> (and its WAL and shared-memory files) and creates the schema in a new one.</summary>
    public static async Task<IDbContextFactory<WorkflowHostDbContext>> CreateAsync(string file, CancellationToken cancellationToken)
    {
        Delete(file);
        return await OpenAsync(file, cancellationToken);
    }

    /// <summary>Opens <paramref name="file"/>, creating the schema if it is new.</summary>
    public static async Task<IDbContextFactory<WorkflowHostDbContext>> OpenAsync(string file, CancellationToken cancellationToken)
    {
        var contexts = new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString()).Options);
        await contexts.InitializeDatabaseAsync(cancellationToken);
        return contexts;
    }

    /// <summary>Deletes a SQLite file with its WAL and shared-memory files.</summary>
    public static void Delete(string file)
    {
        foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
    }
}
