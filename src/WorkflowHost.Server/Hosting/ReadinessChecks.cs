using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Quartz;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Mail;

namespace WorkflowHost.Server.Hosting;

/// <summary>
/// Readiness (<c>/health/ready</c>): the database answers, the Quartz scheduler runs, and in SMTP mode
/// the SMTP server accepts a TCP connection. <c>/health</c> stays a plain liveness check.
/// </summary>
public static class ReadinessChecks
{
    /// <summary>The tag of readiness checks.</summary>
    public const string Tag = "ready";

    /// <summary>Registers the checks.</summary>
    public static IHealthChecksBuilder AddReadinessChecks(this IHealthChecksBuilder builder) => builder
        .AddCheck<DatabaseCheck>("database", tags: [Tag])
        .AddCheck<SchedulerCheck>("scheduler", tags: [Tag])
        .AddCheck<SmtpCheck>("smtp", tags: [Tag]);

    private sealed class DatabaseCheck(IDbContextFactory<WorkflowHostDbContext> contexts) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy(db.Database.ProviderName)
                : HealthCheckResult.Unhealthy("The database does not answer.");
        }
    }

    private sealed class SchedulerCheck(ISchedulerFactory schedulers) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken);
            return scheduler.Status == SchedulerStatus.Running
                ? HealthCheckResult.Healthy(scheduler.SchedulerName)
                : HealthCheckResult.Unhealthy("The Quartz scheduler is not running.");
        }
    }

    private sealed class SmtpCheck(IOptions<MailOptions> options) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var mail = options.Value;
            if (mail.Mode != MailDeliveryMode.Smtp) return HealthCheckResult.Healthy($"pickup folder {mail.PickupDirectory}");
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                await client.ConnectAsync(mail.Host!, mail.Port, timeout.Token);
                return HealthCheckResult.Healthy($"{mail.Host}:{mail.Port}");
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // Mail waits in the outbox while SMTP is down: degraded, not dead.
                return HealthCheckResult.Degraded($"SMTP {mail.Host}:{mail.Port} unreachable: {e.Message}");
            }
        }
    }
}
