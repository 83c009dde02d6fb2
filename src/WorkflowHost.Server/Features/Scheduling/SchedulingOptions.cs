namespace WorkflowHost.Server.Features.Scheduling;

/// <summary>
/// Hangfire settings (config section <c>"Scheduling"</c>; docs/decisions/0009). The loop intervals
/// themselves are <c>App:SweepIntervalSeconds</c> and <c>App:DispatchIntervalSeconds</c>.
/// </summary>
public sealed class SchedulingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Scheduling";

    /// <summary>
    /// Job store: <c>Default</c> (Hangfire.Storage.SQLite file <c>hangfire.db</c> in the data folder, or
    /// Hangfire.PostgreSql in schema <see cref="PostgresSchema"/> when <c>Database:Provider</c> is Postgres)
    /// or <c>Memory</c> (Hangfire.InMemory; in-process tests only, nothing survives a restart).
    /// </summary>
    public string Store { get; set; } = "Default";

    /// <summary>Schema of Hangfire's tables in the PostgreSQL database (created at start).</summary>
    public string PostgresSchema { get; set; } = "hangfire";

    /// <summary>
    /// Seconds one run of a loop job (due-timer sweep, outbox dispatch) lasts before it hands over to the
    /// next run; also the period of their recurring jobs (cron with a seconds field), so it must divide 60.
    /// Default 15.
    /// </summary>
    public int LoopRunSeconds { get; set; } = 15;

    /// <summary>
    /// Seconds after which a distributed lock whose holder died is taken over (Hangfire.PostgreSql
    /// <c>DistributedLockTimeout</c>; must exceed <see cref="LoopRunSeconds"/> plus one loop iteration).
    /// Default 60. On SQLite the lock is kept alive by a heartbeat and expires <see cref="SqliteLockLifetimeSeconds"/> after its holder stops.
    /// </summary>
    public int LockTimeoutSeconds { get; set; } = 60;

    /// <summary>Hangfire.Storage.SQLite <c>DistributedLockLifetime</c> in seconds (heartbeat every fifth of it). Default 10.</summary>
    public int SqliteLockLifetimeSeconds { get; set; } = 10;

    /// <summary>Hangfire worker threads of this node. Default 8 (three loop runs, the runs waiting to take over, the hourly job).</summary>
    public int WorkerCount { get; set; } = 8;

    /// <summary>Seconds between polls of the job queue and of the recurring-job schedule. Default 1.</summary>
    public double PollIntervalSeconds { get; set; } = 1;

    /// <summary>True for the in-memory store.</summary>
    public bool IsMemory => string.Equals(Store, "Memory", StringComparison.OrdinalIgnoreCase);
}
