using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Scheduling;

/// <summary>
/// Hangfire as the background-job system (docs/decisions/0009): a persistent job store
/// (Hangfire.Storage.SQLite file <c>hangfire.db</c> in the data folder, or Hangfire.PostgreSql in schema
/// <c>hangfire</c> of the PostgreSQL database, shared by every node), a Hangfire server in this process,
/// and the recurring jobs: the due-timer sweep and the outbox dispatch (sub-minute loops, see
/// <see cref="JobLoop"/>) and the hourly delivery-failure summary. <c>Scheduling:Store = Memory</c>
/// uses Hangfire.InMemory (in-process tests).
/// </summary>
public static partial class SchedulingSetup
{
    /// <summary>The file of the SQLite job store, in the data folder.</summary>
    public const string SqliteFileName = "hangfire.db";

    /// <summary>Registers the job store, the Hangfire server, the jobs, and the start-up registration of the recurring jobs.</summary>
    /// <exception cref="InvalidOperationException"><c>Scheduling:LoopRunSeconds</c> does not divide 60, or the lock timeout is not longer than a run.</exception>
    public static IServiceCollection AddWorkflowScheduling(this IServiceCollection services, IConfiguration configuration, AppOptions app)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(app);
        var options = configuration.GetSection(SchedulingOptions.SectionName).Get<SchedulingOptions>() ?? new SchedulingOptions();
        if (options.LoopRunSeconds is < 1 or > 60 || 60 % options.LoopRunSeconds != 0)
            throw new InvalidOperationException($"Scheduling:LoopRunSeconds must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60); it is {options.LoopRunSeconds}.");
        if (options.LockTimeoutSeconds <= options.LoopRunSeconds)
            throw new InvalidOperationException($"Scheduling:LockTimeoutSeconds ({options.LockTimeoutSeconds}) must be longer than Scheduling:LoopRunSeconds ({options.LoopRunSeconds}).");
        services.Configure<SchedulingOptions>(configuration.GetSection(SchedulingOptions.SectionName));
        var poll = TimeSpan.FromSeconds(options.PollIntervalSeconds);

        // This host's own storage and job activator, registered before AddHangfire (which only adds them if
        // absent): AddHangfire's defaults are process-wide statics (JobStorage.Current, JobActivator.Current),
        // shared by every host in the process, e.g. the in-process test hosts that run side by side.
        services.AddSingleton<JobStorage>(_ => CreateStorage(configuration, app, options, poll));
        services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((provider, hangfire) => hangfire.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogBridge(provider.GetRequiredService<ILoggerFactory>())));
        services.AddHangfireServer((provider, server) =>
        {
            server.Activator = provider.GetRequiredService<JobActivator>();
            server.WorkerCount = Math.Max(4, options.WorkerCount);
            server.SchedulePollingInterval = poll;
            server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
        });
        services.AddSingleton<JobLoop>();
        services.AddTransient<DueTimersJob>();
        services.AddTransient<OutboxDispatchJob>();
        services.AddTransient<OutboxDispatchLoopJob>();
        services.AddTransient<DeliveryFailureSummaryJob>();
        services.AddHostedService<RecurringJobRegistration>();
        return services;
    }

    private static JobStorage CreateStorage(IConfiguration configuration, AppOptions app, SchedulingOptions options, TimeSpan poll)
    {
        if (options.IsMemory) return new InMemoryStorage();
        if (DatabaseSetup.IsPostgres(configuration))
        {
            var connectionString = configuration.GetConnectionString("Postgres")
                ?? throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Postgres is not set.");
            var storageOptions = new PostgreSqlStorageOptions
            {
                SchemaName = options.PostgresSchema,
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = poll,
                DistributedLockTimeout = TimeSpan.FromSeconds(options.LockTimeoutSeconds),
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
        }
        return new SQLiteStorage(Path.Combine(app.DataDirectory, SqliteFileName), new SQLiteStorageOptions
        {
            QueuePollInterval = poll,
            DistributedLockLifetime = TimeSpan.FromSeconds(options.SqliteLockLifetimeSeconds),
        });
    }

    /// <summary>The cron (with a seconds field, UTC) of the loop jobs: every <see cref="SchedulingOptions.LoopRunSeconds"/>.</summary>
    public static string LoopCron(SchedulingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.LoopRunSeconds == 60 ? "0 * * * * *" : $"*/{options.LoopRunSeconds} * * * * *";
    }

    /// <summary>
    /// At start: adds or updates the three recurring jobs (ids <see cref="DueTimersJob.JobName"/>,
    /// <see cref="OutboxDispatchLoopJob.JobName"/>, <see cref="DeliveryFailureSummaryJob.JobName"/>) and triggers
    /// each once, so that timers that fell due while the host was down fire now rather than at the next tick.
    /// </summary>
    private sealed partial class RecurringJobRegistration(IRecurringJobManager jobs, IOptions<SchedulingOptions> options, ILogger<RecurringJobRegistration> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
            var loop = LoopCron(options.Value);
            jobs.AddOrUpdate<DueTimersJob>(DueTimersJob.JobName, j => j.RunAsync(CancellationToken.None), loop, utc);
            jobs.AddOrUpdate<OutboxDispatchLoopJob>(OutboxDispatchLoopJob.JobName, j => j.RunAsync(CancellationToken.None), loop, utc);
            jobs.AddOrUpdate<DeliveryFailureSummaryJob>(DeliveryFailureSummaryJob.JobName, j => j.RunAsync(CancellationToken.None), Cron.Hourly(), utc);
            foreach (var id in new[] { DueTimersJob.JobName, OutboxDispatchLoopJob.JobName, DeliveryFailureSummaryJob.JobName }) jobs.Trigger(id);
            LogRegistered(logger, loop);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Hangfire recurring jobs registered (loops on cron {Cron}, UTC) and triggered once")]
        private static partial void LogRegistered(ILogger logger, string cron);
    }
}
