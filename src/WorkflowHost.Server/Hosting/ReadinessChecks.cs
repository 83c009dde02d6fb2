using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Hangfire;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Mail;

namespace WorkflowHost.Server.Hosting;

/// <summary>
/// Readiness (<c>/health/ready</c>): the database answers, the Hangfire job store answers and lists this
/// node's Hangfire server with a recent heartbeat, and in SMTP mode the SMTP server accepts a TCP connection. <c>/health</c> stays a plain liveness check.
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

    // The Hangfire server registers itself in the job store at start and beats every 30 s; a server
    // missing from the list, or silent for longer than Hangfire's 5-minute server timeout, runs no sweeps.
    private sealed class SchedulerCheck(JobStorage storage) : IHealthCheck
    {
        private static readonly TimeSpan ServerTimeout = TimeSpan.FromMinutes(5);
        private static readonly string ServerPrefix = $"{Environment.MachineName}:{Environment.ProcessId}".ToLowerInvariant();

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var servers = storage.GetMonitoringApi().Servers();
                var ours = servers.FirstOrDefault(s => s.Name.StartsWith(ServerPrefix, StringComparison.OrdinalIgnoreCase));
                if (ours is null) return Task.FromResult(HealthCheckResult.Unhealthy($"The Hangfire server of this node is not registered in the job store ({servers.Count} other servers)."));
                var silent = ours.Heartbeat is { } beat ? TimeProvider.System.GetUtcNow().UtcDateTime - beat : TimeSpan.MaxValue;
                return Task.FromResult(silent < ServerTimeout
                    ? HealthCheckResult.Healthy($"Hangfire server {ours.Name}, {ours.WorkersCount} workers, {servers.Count} server(s) on the job store")
                    : HealthCheckResult.Unhealthy($"The Hangfire server {ours.Name} has not beaten for {silent}."));
            }
#pragma warning disable CA1031 // Whatever the storage throws, the answer is "not ready", with the reason.
            catch (Exception e)
#pragma warning restore CA1031
            {
                return Task.FromResult(HealthCheckResult.Unhealthy($"The Hangfire job store does not answer: {e.Message}"));
            }
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
