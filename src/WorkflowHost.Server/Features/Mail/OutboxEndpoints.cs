using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>The outbox as the secretariat sees it: what was queued, sent, retrying or failed.</summary>
public static class OutboxEndpoints
{
    /// <summary>Maps <c>/api/outbox</c>.</summary>
    public static IEndpointRouteBuilder MapOutboxEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/outbox", ListAsync).RequireAuthorization(Auth.AuthPolicies.Staff).WithTags("Mail").WithName("ListOutbox").WithSummary("Emails with their delivery state (bodies omitted).");
        return app;
    }

    private static async Task<Results<Ok<object[]>, ValidationProblem>> ListAsync(WorkflowHostDbContext db, string? status, string? instanceId, string? taskId, int? limit, CancellationToken cancellationToken)
    {
        var query = db.OutboxMessages.AsNoTracking();
        if (status is not null)
        {
            if (!Enum.TryParse<OutboxStatus>(status, ignoreCase: true, out var s) || int.TryParse(status, out _))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"'{status}' is not one of {string.Join(", ", Enum.GetNames<OutboxStatus>())}."] });
            query = query.Where(m => m.Status == s);
        }
        if (instanceId is not null) query = query.Where(m => m.InstanceId == instanceId);
        if (taskId is not null) query = query.Where(m => m.TaskId == taskId);
        return TypedResults.Ok(await query.OrderBy(m => m.Id).Take(Math.Clamp(limit ?? 1000, 1, 10_000))
            .Select(m => (object)new { m.Id, m.IdempotencyKey, m.Kind, m.To, m.Subject, m.Status, m.Attempts, m.CreatedAt, m.SentAt, m.NextAttemptAt, m.LastError, m.TaskId, m.UnitCode })
            .ToArrayAsync(cancellationToken));
    }
}
