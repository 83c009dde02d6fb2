using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Auth;

/// <summary>Schema version 3 adds task minimums, amended due dates and quotas; a version-2 database is upgraded at start.</summary>
public sealed partial class PlanRulesSchemaUpgradeTests : IDisposable
{
    /// <summary>SQL that turns a current database (SQLite or PostgreSQL) back into the version-2 shape.</summary>
    public const string Version3Parts = Data.TaskShortfallSchemaUpgradeTests.Version4Parts + "DROP TABLE \"Quotas\"; DROP TABLE \"UploadedFiles\"; ALTER TABLE \"UnitTasks\" DROP COLUMN \"Minimum\"; ALTER TABLE \"UnitTasks\" DROP COLUMN \"DueRevision\"; ALTER TABLE \"WorkflowInstances\" DROP COLUMN \"UnitScope\"; ";

    private const string InsertOldTask = "INSERT INTO \"UnitTasks\" (\"Id\",\"InstanceId\",\"ScopeId\",\"ActivityId\",\"Milestone\",\"Kind\",\"Title\",\"UnitCode\",\"DueDate\",\"DueAt\",\"CreatedAt\",\"Status\",\"ReminderDays\",\"Escalation\",\"NextRung\",\"ReturnCount\") " +
        "VALUES ('old','i','root','a','m','Report','t','PNV','2024-03-15',@instant,@instant,'Open','7,1','0:unit',0,0)";

    private readonly TestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Initialize_Version2Database_AddsColumnsAndQuotasKeepingTasks()
    {
        var factory = _database.CreateFactory();
        await factory.InitializeDatabaseAsync(CancellationToken.None);
        List<string> fresh;
        // An instant: SQLite stores UTC ticks, PostgreSQL a timestamptz.
        var insert = InsertOldTask.Replace("@instant", TestDatabase.UsePostgres ? "'2024-03-01 01:00:00+00'" : "0", StringComparison.Ordinal);
        using (var db = _database.CreateContext())
        {
            fresh = await ColumnsAsync(db);
            await db.Database.ExecuteSqlRawAsync(Version3Parts + "UPDATE \"SchemaVersion\" SET \"Version\" = 2;");
            await db.Database.ExecuteSqlRawAsync(insert);
        }

        await factory.InitializeDatabaseAsync(CancellationToken.None);

        using (var db = _database.CreateContext())
        {
            Assert.Equal([DatabaseSetup.SchemaVersion], await db.Database.SqlQueryRaw<int>("SELECT \"Version\" AS \"Value\" FROM \"SchemaVersion\"").ToListAsync());
            Assert.Equal(fresh.Order(), (await ColumnsAsync(db)).Order());
            var old = await db.Tasks.SingleAsync(t => t.Id == "old");
            Assert.Equal(("", 0), (old.Minimum, old.DueRevision));
            db.Quotas.Add(new QuotaRecord { Id = "q", InstanceId = "i", ActivityId = "a", Movement = "m", UnitCode = "PNV", Period = "2024", Minimum = "any:3" });
            await db.SaveChangesAsync();
        }
    }

    [Fact]
    public void UpgradeSql_CreatesQuotasAsEnsureCreatedDoes_OnBothProviders()
    {
        using var sqlite = new WorkflowHostDbContext(new DbContextOptionsBuilder<WorkflowHostDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var postgres = new WorkflowHostDbContext(new DbContextOptionsBuilder<WorkflowHostDbContext>().UseNpgsql("Host=unused").Options);
        AssertContainsStatements(sqlite.Database.GenerateCreateScript(), PlanRulesSchema.CreateStatements(PlanRulesSchema.Sqlite));
        AssertContainsStatements(postgres.Database.GenerateCreateScript(), PlanRulesSchema.CreateStatements(PlanRulesSchema.Postgres));
    }

    /// <summary>"table.column type notnull" of every column of every table.</summary>
    private static async Task<List<string>> ColumnsAsync(WorkflowHostDbContext db) =>
        await db.Database.SqlQueryRaw<string>(db.Database.IsSqlite()
            ? "SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p.\"notnull\" AS \"Value\" FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
            : "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS \"Value\" FROM information_schema.columns WHERE table_schema = 'public'").ToListAsync();

    private static void AssertContainsStatements(string script, string statements)
    {
        var all = Normalize(script);
        foreach (var statement in statements.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            Assert.Contains(Normalize(statement), all, StringComparison.Ordinal);
    }

    private static string Normalize(string sql) => Whitespace().Replace(sql, " ").Replace("( ", "(", StringComparison.Ordinal).Replace(" )", ")", StringComparison.Ordinal).Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
