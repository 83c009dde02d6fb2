using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Data;

/// <summary>Schema version 4 adds the rows counted against a task's minimum (issue 15.1); a version-3 database is upgraded at start.</summary>
public sealed class TaskShortfallSchemaUpgradeTests : IDisposable
{
    /// <summary>SQL that turns a version-4 database (SQLite or PostgreSQL) back into the version-3 shape.</summary>
    public const string Version4Parts = BookmarkDueIndexSchemaUpgradeTests.Version5Parts + "ALTER TABLE \"UnitTasks\" DROP COLUMN \"Counted\"; ALTER TABLE \"UnitTasks\" DROP COLUMN \"Shortfall\"; ";

    private const string InsertVersion3Task = "INSERT INTO \"UnitTasks\" (\"Id\",\"InstanceId\",\"ScopeId\",\"ActivityId\",\"Milestone\",\"Kind\",\"Title\",\"UnitCode\",\"DueDate\",\"DueAt\",\"CreatedAt\",\"Status\",\"ReminderDays\",\"Escalation\",\"Minimum\",\"DueRevision\",\"NextRung\",\"ReturnCount\") " +
        "VALUES ('old','i','root','a','m','Nomination','t','PNV','2024-03-15',@instant,@instant,'Done','7,1','0:unit','any:3',0,0,0)";

    private readonly TestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Initialize_Version3Database_AddsCountedAndShortfallKeepingTasks()
    {
        var factory = _database.CreateFactory();
        await factory.InitializeDatabaseAsync(CancellationToken.None);
        List<string> fresh;
        var insert = InsertVersion3Task.Replace("@instant", TestDatabase.UsePostgres ? "'2024-03-01 01:00:00+00'" : "0", StringComparison.Ordinal);
        using (var db = _database.CreateContext())
        {
            fresh = await ColumnsAsync(db);
            Assert.Contains(fresh, c => c.StartsWith("UnitTasks.Shortfall ", StringComparison.Ordinal));
            await db.Database.ExecuteSqlRawAsync(Version4Parts + "UPDATE \"SchemaVersion\" SET \"Version\" = 3;");
            await db.Database.ExecuteSqlRawAsync(insert);
        }

        await factory.InitializeDatabaseAsync(CancellationToken.None);

        using (var db = _database.CreateContext())
        {
            Assert.Equal([DatabaseSetup.SchemaVersion], await db.Database.SqlQueryRaw<int>("SELECT \"Version\" AS \"Value\" FROM \"SchemaVersion\"").ToListAsync());
            Assert.Equal(fresh.Order(), (await ColumnsAsync(db)).Order());
            var old = await db.Tasks.SingleAsync(t => t.Id == "old");
            Assert.Equal(("any:3", "", "", false), (old.Minimum, old.Counted, old.Shortfall, old.IsShort));
            old.Counted = "collective:2";
            old.Shortfall = "any:1";
            await db.SaveChangesAsync();
        }
        using (var db = _database.CreateContext())
            Assert.True((await db.Tasks.SingleAsync(t => t.Id == "old")).IsShort);
    }

    /// <summary>"table.column type notnull" of every column of every table.</summary>
    private static async Task<List<string>> ColumnsAsync(WorkflowHostDbContext db) =>
        await db.Database.SqlQueryRaw<string>(db.Database.IsSqlite()
            ? "SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p.\"notnull\" AS \"Value\" FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
            : "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS \"Value\" FROM information_schema.columns WHERE table_schema = 'public'").ToListAsync();
}
