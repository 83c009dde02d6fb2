using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Hosting;

/// <summary>
/// Database selection: SQLite (default; a file under the data folder, WAL journal) or PostgreSQL
/// (<c>Database:Provider = Postgres</c> with <c>ConnectionStrings:Postgres</c>). The schema is created
/// with EnsureCreated and versioned in a <c>SchemaVersion</c> table.
/// </summary>
public static class DatabaseSetup
{
    /// <summary>The schema version this build writes.</summary>
    public const int SchemaVersion = 5;

    /// <summary>
    /// The oldest schema version whose tables hold the same rows as <see cref="SchemaVersion"/>'s: version 5 only added
    /// an index, so a plan-data export of version 4 is read as it is (<c>PlanDataArchive</c>).
    /// </summary>
    public const int SameRowsSince = 4;

    /// <summary>Hand-written upgrades (docs/decisions/0004): from version N to N+1, SQL for SQLite and for PostgreSQL.</summary>
    private static readonly SortedDictionary<int, (string Sqlite, string Postgres)> Upgrades = new()
    {
        [1] = (Features.Auth.UserAccountSchema.Sqlite, Features.Auth.UserAccountSchema.Postgres), // 1 → 2: sign-in accounts
        [2] = (Data.PlanRulesSchema.Sqlite, Data.PlanRulesSchema.Postgres), // 2 → 3: minimums, amended due dates, quotas
        [3] = (Data.TaskShortfallSchema.Sqlite, Data.TaskShortfallSchema.Postgres), // 3 → 4: rows counted against a task's minimum
        [4] = (Data.BookmarkDueIndexSchema.Sqlite, Data.BookmarkDueIndexSchema.Postgres), // 4 → 5: one instance's due timers by index
    };

    /// <summary>True when PostgreSQL is configured.</summary>
    public static bool IsPostgres(IConfiguration configuration) =>
        string.Equals(configuration["Database:Provider"], "Postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The SQLite connection string: <c>ConnectionStrings:Sqlite</c> or a file in the data folder.</summary>
    public static string SqliteConnectionString(IConfiguration configuration, string dataDirectory) =>
        configuration.GetConnectionString("Sqlite") ?? new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "workflowhost.db"), Pooling = true }.ToString();

    /// <summary>Registers the DbContext factory and a scoped DbContext.</summary>
    public static IServiceCollection AddWorkflowDatabase(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        if (IsPostgres(configuration))
        {
            var cs = configuration.GetConnectionString("Postgres") ?? throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Postgres is not set.");
            services.AddDbContextFactory<WorkflowHostDbContext>(o => o.UseNpgsql(cs));
        }
        else
        {
            var cs = SqliteConnectionString(configuration, dataDirectory);
            services.AddDbContextFactory<WorkflowHostDbContext>(o => o.UseSqlite(cs));
        }
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<WorkflowHostDbContext>>().CreateDbContext());
        return services;
    }

    /// <summary>Creates the schema if absent, checks its version, and sets SQLite to WAL with full sync.</summary>
    /// <exception cref="InvalidOperationException">The database has another schema version.</exception>
    public static Task InitializeDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<IDbContextFactory<WorkflowHostDbContext>>().InitializeDatabaseAsync(cancellationToken);

    /// <summary>Creates the schema if absent, checks its version, and sets SQLite to WAL with full sync.</summary>
    /// <exception cref="InvalidOperationException">The database has another schema version.</exception>
    public static async Task InitializeDatabaseAsync(this IDbContextFactory<WorkflowHostDbContext> factory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);
        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (db.Database.IsSqlite())
        {
            var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder) Directory.CreateDirectory(folder);
        }
        await db.Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers (the API) work while a step writes; FULL sync makes each commit durable.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", cancellationToken).ConfigureAwait(false);
        }
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE IF NOT EXISTS \"SchemaVersion\" (\"Version\" INTEGER NOT NULL)", cancellationToken).ConfigureAwait(false);
        var versions = await db.Database.SqlQueryRaw<int>("SELECT \"Version\" AS \"Value\" FROM \"SchemaVersion\"").ToListAsync(cancellationToken).ConfigureAwait(false);
        if (versions.Count == 0)
            await db.Database.ExecuteSqlAsync($"INSERT INTO \"SchemaVersion\" (\"Version\") VALUES ({SchemaVersion})", cancellationToken).ConfigureAwait(false);
        else if (versions[0] < SchemaVersion && Enumerable.Range(versions[0], SchemaVersion - versions[0]).All(Upgrades.ContainsKey))
            await UpgradeAsync(db, versions[0], cancellationToken).ConfigureAwait(false);
        else if (versions[0] != SchemaVersion)
            throw new InvalidOperationException($"The database has schema version {versions[0]}; this build needs {SchemaVersion}. Migrate it (docs/decisions/0004) or use a new database.");
    }

    private static async Task UpgradeAsync(WorkflowHostDbContext db, int from, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        for (var version = from; version < SchemaVersion; version++)
        {
            var (sqlite, postgres) = Upgrades[version];
            await db.Database.ExecuteSqlRawAsync(db.Database.IsSqlite() ? sqlite : postgres, cancellationToken).ConfigureAwait(false);
        }
        await db.Database.ExecuteSqlAsync($"UPDATE \"SchemaVersion\" SET \"Version\" = {SchemaVersion}", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
