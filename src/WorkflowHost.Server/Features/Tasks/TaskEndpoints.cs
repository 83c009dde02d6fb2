using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;

namespace WorkflowHost.Server.Features.Tasks;

/// <summary>Tasks: list (filter by instance, unit, milestone, status, overdue), one task, submit, review.</summary>
public static class TaskEndpoints
{
    /// <summary>Maps <c>/api/tasks</c>.</summary>
    public static IEndpointRouteBuilder MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks").WithTags("Tasks");
        // Policies per endpoint, not on the group: an endpoint added to the group later falls back to secretariat-only.
        group.MapGet("/", ListAsync).WithName("ListTasks").RequireAuthorization(AuthPolicies.SignedIn)
            .WithSummary("Lists tasks; overdue=true gives open tasks past their due date, oldest due first. A unit sees only its own tasks.");
        group.MapGet("/{id}", GetAsync).WithName("GetTask").RequireAuthorization(AuthPolicies.SignedIn)
            .WithSummary("One task with its submissions (404 for another unit's task).");
        group.MapPost("/{id}/submissions", SubmitAsync).WithName("SubmitTask").RequireAuthorization(AuthPolicies.Submitter)
            .WithSummary("A unit submits for its own task (the secretariat may submit on a unit's behalf); the task waits for review.");
        group.MapPost("/{id}/review", ReviewAsync).WithName("ReviewTask").RequireAuthorization(AuthPolicies.Secretariat)
            .WithSummary("The secretariat accepts or returns (with a comment) the latest submission.");
        return app;
    }

    private static async Task<Results<Ok<TaskDto[]>, ValidationProblem>> ListAsync(ClaimsPrincipal user, WorkflowHostDbContext db, Hosting.ApplicationClock time,
        string? instanceId, string? unit, string? milestone, string? status, bool? overdue, int? limit, CancellationToken cancellationToken)
    {
        var query = db.Tasks.AsNoTracking().VisibleTo(user, db);
        if (instanceId is not null) query = query.Where(t => t.InstanceId == instanceId);
        if (unit is not null) query = query.Where(t => t.UnitCode == unit);
        if (milestone is not null) query = query.Where(t => t.Milestone == milestone);
        if (status is not null)
        {
            if (!Enum.TryParse<UnitTaskStatus>(status, ignoreCase: true, out var s) || int.TryParse(status, out _))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"'{status}' is not one of {string.Join(", ", Enum.GetNames<UnitTaskStatus>())}."] });
            query = query.Where(t => t.Status == s);
        }
        var now = time.GetUtcNow();
        var take = Math.Clamp(limit ?? 1000, 1, 10_000);
        List<TaskListRow> rows;
        if (overdue == true)
        {
            // One indexed range (Status, DueAt) per open status, each ordered and cut at `take`, then merged:
            // "Status NOT IN (closed)" made the database read every task and sort them for each request
            // (the leaders' list, docs/benchmarks.md P5).
            rows = [];
            foreach (var open in OpenStatuses)
                rows.AddRange(await query.Where(t => t.Status == open && t.DueAt <= now).OrderBy(t => t.DueAt).ThenBy(t => t.Id).Take(take)
                    .Select(TaskListRow.Columns).ToListAsync(cancellationToken));
            rows = [.. rows.OrderBy(t => t.DueAt).ThenBy(t => t.Id, StringComparer.Ordinal).Take(take)];
        }
        else
        {
            rows = await query.OrderBy(t => t.DueAt).ThenBy(t => t.Id).Take(take).Select(TaskListRow.Columns).ToListAsync(cancellationToken);
        }
        var today = PlanTime.LocalDate(now);
        var dtos = new TaskDto[rows.Count];
        for (var i = 0; i < dtos.Length; i++) dtos[i] = TaskDto.From(rows[i], now, today);
        return TypedResults.Ok(dtos);
    }

    /// <summary>Statuses of tasks that are not closed: every status but those of <see cref="UnitTaskRecord.IsClosed"/>.</summary>
    private static readonly UnitTaskStatus[] OpenStatuses =
        [.. Enum.GetValues<UnitTaskStatus>().Except([UnitTaskStatus.Done, UnitTaskStatus.DoneLate, UnitTaskStatus.Cancelled])];

    private static async Task<Results<Ok<object>, NotFound>> GetAsync(string id, ClaimsPrincipal user, WorkflowHostDbContext db, Hosting.ApplicationClock time, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().VisibleTo(user, db).FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null) return TypedResults.NotFound();
        var submissions = await db.Submissions.AsNoTracking().Where(s => s.TaskId == id).OrderBy(s => s.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok<object>(new { task = TaskDto.From(task, time.GetUtcNow()), submissions });
    }

    private static async Task<Results<Ok<TaskDto>, NotFound>> SubmitAsync(string id, SubmitRequest? request, ClaimsPrincipal user, WorkflowRuntime runtime, WorkflowHostDbContext db, CancellationToken cancellationToken)
    {
        var unit = await db.Tasks.VisibleTo(user, db).Where(t => t.Id == id).Select(t => t.UnitCode).FirstOrDefaultAsync(cancellationToken);
        if (unit is null) return TypedResults.NotFound();
        var actor = user.UnitCode() is null ? $"secretariat:{user.Identity?.Name} for unit:{unit}" : "unit:" + unit;
        await runtime.SubmitAsync(id, request?.Content, actor, cancellationToken);
        return TypedResults.Ok(await ReloadAsync(db, id, runtime.Time, cancellationToken));
    }

    private static async Task<Results<Ok<TaskDto>, NotFound, ValidationProblem>> ReviewAsync(string id, ReviewRequest? request, ClaimsPrincipal user, WorkflowRuntime runtime, WorkflowHostDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var decision = request?.Decision?.Trim().ToLowerInvariant();
        if (decision is not ("accept" or "return")) errors["decision"] = ["Required: \"accept\" or \"return\"."];
        if (decision == "return" && string.IsNullOrWhiteSpace(request?.Comment)) errors["comment"] = ["Trả lại hồ sơ cần có ý kiến (a return needs a comment)."];
        if (request?.Comment is { Length: > 4000 }) errors["comment"] = ["At most 4,000 characters."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (!await db.Tasks.AnyAsync(t => t.Id == id, cancellationToken)) return TypedResults.NotFound();
        await runtime.ReviewAsync(id, decision == "accept", request!.Comment, ReviewerName(user), cancellationToken);
        return TypedResults.Ok(await ReloadAsync(db, id, runtime.Time, cancellationToken));
    }

    /// <summary>The reviewer as the journal records it: "secretariat" or "secretariat:{user name}".</summary>
    internal static string ReviewerName(ClaimsPrincipal user) => user.Identity?.Name is { Length: > 0 } name ? "secretariat:" + name : "secretariat";

    private static async Task<TaskDto> ReloadAsync(WorkflowHostDbContext db, string id, TimeProvider time, CancellationToken cancellationToken) =>
        TaskDto.From(await db.Tasks.AsNoTracking().FirstAsync(t => t.Id == id, cancellationToken), time.GetUtcNow());
}
