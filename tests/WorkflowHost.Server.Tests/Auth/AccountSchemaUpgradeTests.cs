using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Auth;

/// <summary>Schema version 2 adds UserAccounts; a version-1 database is upgraded at start (docs/decisions/0004).</summary>
public sealed partial class AccountSchemaUpgradeTests : IDisposable
{
    private readonly TestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private PooledDbContextFactory<WorkflowHostDbContext> Factory() => _database.CreateFactory();

    [Fact]
    public async Task Initialize_Version1Database_CreatesUserAccountsAndRecordsVersion2()
    {
        // A database as schema version 1 left it: every table but UserAccounts, version row 1.
        var factory = Factory();
        await factory.InitializeDatabaseAsync(CancellationToken.None);
        using (var db = _database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync(PlanRulesSchemaUpgradeTests.Version3Parts + "DROP TABLE \"UserAccounts\"; UPDATE \"SchemaVersion\" SET \"Version\" = 1;");
        }

        await factory.InitializeDatabaseAsync(CancellationToken.None);

        using (var db = _database.CreateContext())
        {
            Assert.Equal([DatabaseSetup.SchemaVersion], await db.Database.SqlQueryRaw<int>("SELECT \"Version\" AS \"Value\" FROM \"SchemaVersion\"").ToListAsync());
            var service = new AccountService(db, TimeProvider.System);
            await service.CreateAsync("thuky", null, AuthPolicies.SecretariatRole, "mat-khau-sau-nang-cap", CancellationToken.None);
            await Assert.ThrowsAsync<AccountException>(() => service.CreateAsync("THUKY", null, AuthPolicies.SecretariatRole, "mat-khau-sau-nang-cap", CancellationToken.None));
            Assert.Equal(SignInStatus.Succeeded, (await service.CheckPasswordAsync("thuky", "mat-khau-sau-nang-cap", CancellationToken.None)).Status);
        }
    }

    [Fact]
    public async Task Initialize_NewerVersionThanThisBuild_Throws()
    {
        var factory = Factory();
        await factory.InitializeDatabaseAsync(CancellationToken.None);
        using (var db = _database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE \"SchemaVersion\" SET \"Version\" = 99;");
        }
        await Assert.ThrowsAsync<InvalidOperationException>(() => factory.InitializeDatabaseAsync(CancellationToken.None));
    }

    [Fact]
    public void UpgradeSql_IsWhatEnsureCreatedWrites_OnBothProviders()
    {
        using var sqlite = new WorkflowHostDbContext(new DbContextOptionsBuilder<WorkflowHostDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var postgres = new WorkflowHostDbContext(new DbContextOptionsBuilder<WorkflowHostDbContext>().UseNpgsql("Host=unused").Options);
        AssertContainsStatements(sqlite.Database.GenerateCreateScript(), UserAccountSchema.Sqlite);
        AssertContainsStatements(postgres.Database.GenerateCreateScript(), UserAccountSchema.Postgres);
    }

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
