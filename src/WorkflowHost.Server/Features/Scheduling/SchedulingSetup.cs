using Microsoft.Data.Sqlite;
using Quartz;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Scheduling;

/// <summary>
/// Quartz.NET 4 in Hangfire's place (docs/decisions/0002): a persistent job store (SQLite file
/// <c>quartz.db</c> beside the database, or the PostgreSQL database with clustering) running the
/// due-timer sweep and the outbox dispatch. <c>Scheduling:Store = Memory</c> uses Quartz's RAM store (tests).
/// </summary>
public static class SchedulingSetup
{
    /// <summary>Registers Quartz, its hosted service and the two recurring jobs.</summary>
    public static IServiceCollection AddWorkflowScheduling(this IServiceCollection services, IConfiguration configuration, AppOptions app)
    {
        services.AddQuartz(q =>
        {
            // Quartz fires its sweeps in real time; the jobs read the application's clock, which the
            // demo accelerates. Without this Quartz would take the accelerated clock from DI.
            q.UseTimeProvider(TimeProvider.System);
            if (!string.Equals(configuration["Scheduling:Store"], "Memory", StringComparison.OrdinalIgnoreCase))
            {
                q.UsePersistentStore(store =>
                {
                    if (DatabaseSetup.IsPostgres(configuration))
                    {
                        store.UsePostgres(configuration.GetConnectionString("Postgres")!);
                        store.UseClustering();
                    }
                    else
                    {
                        var file = Path.Combine(app.DataDirectory, "quartz.db");
                        store.UseSqlite(new SqliteConnectionStringBuilder { DataSource = file }.ToString());
                    }
                    store.ProvisionSchema();
                });
            }
            q.ScheduleJob<DueTimersJob>(
                trigger => trigger.WithIdentity(DueTimersJob.JobName).StartNow()
                    .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(app.SweepIntervalSeconds)).RepeatForever()),
                job => job.WithIdentity(DueTimersJob.JobName).WithDescription("Resumes due workflow timers."));
            q.AddOutboxDispatchJob(TimeSpan.FromSeconds(app.DispatchIntervalSeconds));
            q.ScheduleJob<DeliveryFailureSummaryJob>(
                trigger => trigger.WithIdentity(DeliveryFailureSummaryJob.JobName).StartNow()
                    .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromHours(1)).RepeatForever()),
                job => job.WithIdentity(DeliveryFailureSummaryJob.JobName).WithDescription("Emails the secretariat yesterday's undeliverable emails, once a day."));
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }
}
