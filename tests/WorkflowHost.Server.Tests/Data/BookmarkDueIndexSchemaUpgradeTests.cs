using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Data;

/// <summary>Schema version 5 adds the index of one instance's due timers (issue 13, P2); a version-4 database is upgraded at start.</summary>
public sealed class BookmarkDueIndexSchemaUpgradeTests : IDisposable
{
    /// <summary>SQL that turns a version-5 database (SQLite or PostgreSQL) back into the version-4 shape.</summary>
    public const string Version5Parts = $"DROP INDEX \"{BookmarkDueIndexSchema.IndexName}\"; ";

    private readonly TestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private static async Task<List<string>> IndexesAsync(WorkflowHostDbContext db) =>
        await db.Database.SqlQueryRaw<string>(db.Database.IsSqlite()
            ? "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Bookmarks' AND name NOT LIKE 'sqlite_%'"
            : "SELECT indexname AS \"Value\" FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'Bookmarks' AND indexname <> 'PK_Bookmarks'").ToListAsync();

    [Fact]
    public async Task Initialize_Version4Database_AddsTheIndex()
    {
        var factory = _database.CreateFactory();
        await factory.InitializeDatabaseAsync(CancellationToken.None);
        List<string> fresh;
        using (var db = _database.CreateContext())
        {
            fresh = await IndexesAsync(db);
            Assert.Contains(BookmarkDueIndexSchema.IndexName, fresh);
            await db.Database.ExecuteSqlRawAsync(Version5Parts + "UPDATE \"SchemaVersion\" SET \"Version\" = 4;");
            Assert.DoesNotContain(BookmarkDueIndexSchema.IndexName, await IndexesAsync(db));
        }

        await factory.InitializeDatabaseAsync(CancellationToken.None);

        using (var db = _database.CreateContext())
        {
            Assert.Equal([DatabaseSetup.SchemaVersion], await db.Database.SqlQueryRaw<int>("SELECT \"Version\" AS \"Value\" FROM \"SchemaVersion\"").ToListAsync());
            Assert.Equal(fresh.Order(), (await IndexesAsync(db)).Order());
        }
    }

    [Fact]
    [Trait("Database", "SqliteOnly")] // SQLite's query plan; PostgreSQL's planner chooses by its statistics, and the PostgreSQL pass skips it.
    public async Task OneInstancesDueTimers_AreFoundThroughTheIndex()
    {
        using var db = _database.CreateContext();
        var now = new DateTimeOffset(2024, 3, 15, 1, 0, 0, TimeSpan.Zero);
        var query = db.Bookmarks.Where(b => b.InstanceId == "i" && b.Kind == Engine.Runtime.BookmarkKind.Timer && b.DueAt <= now).OrderBy(b => b.DueAt).ThenBy(b => b.Id);
        await using var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = query.CreateDbCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
        Assert.Contains(plan, p => p.Contains($"USING INDEX {BookmarkDueIndexSchema.IndexName} (InstanceId=? AND Kind=? AND DueAt<?)", StringComparison.Ordinal));
    }
}
