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
            .WithSummary("Lists tasks, oldest due first, 100 a page by default (limit up to 10,000; a full page has a Link header rel=\"next\" with after=…); overdue=true gives open tasks past their due date. A unit sees only its own tasks.");
        group.MapGet("/{id}", GetAsync).WithName("GetTask").RequireAuthorization(AuthPolicies.SignedIn)
            .WithSummary("One task with its submissions (404 for another unit's task).");
        group.MapPost("/{id}/submissions", SubmitAsync).WithName("SubmitTask").RequireAuthorization(AuthPolicies.Submitter)
            .WithSummary("A unit submits for its own task (the secretariat may submit on a unit's behalf); the task waits for review.");
        group.MapPost("/{id}/review", ReviewAsync).WithName("ReviewTask").RequireAuthorization(AuthPolicies.Secretariat)
            .WithSummary("The secretariat accepts or returns (with a comment) the latest submission.");
        return app;
    }

    /// <summary>Tasks per answer when the request gives no <c>limit</c>: a screenful of the oldest first (docs/benchmarks.md, P5).</summary>
    public const int DefaultPageSize = 100;

    /// <summary>Most tasks per answer (<c>limit</c> is clamped to it).</summary>
    public const int MaxPageSize = 10_000;

    // Paging is by key (due instant, then id), not by offset: "after" is the key of the last task of the previous
    // page, and a full page answers with a Link header (rel="next") that carries it. A page costs the same however
    // deep it is, and a task closed or added between two pages does not shift the rest.
    private static async Task<Results<Ok<TaskDto[]>, ValidationProblem>> ListAsync(HttpContext http, ClaimsPrincipal user, WorkflowHostDbContext db, Hosting.ApplicationClock time,
        string? instanceId, string? unit, string? milestone, string? status, bool? overdue, string? after, int? limit, CancellationToken cancellationToken)
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
        if (after is not null)
        {
            if (!TaskListKey.TryParse(after, out var key))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["after"] = ["Not a page key: use the Link (rel=\"next\") of the previous answer."] });
            query = query.After(key);
        }
        var now = time.GetUtcNow();
        var take = Math.Clamp(limit ?? DefaultPageSize, 1, MaxPageSize);
        if (overdue == true)
        {
            // One indexed range (Status, DueAt) per open status, each ordered and cut, in one UNION ALL whose
            // few rows the database then orders: "Status NOT IN (closed)" made it read every task and sort them
            // for each request (the leaders' list, docs/benchmarks.md P5).
            IQueryable<UnitTaskRecord>? ranges = null;
            foreach (var open in OpenStatuses)
            {
                var range = query.Where(t => t.Status == open && t.DueAt <= now).InListOrder().Take(take + 1);
                ranges = ranges is null ? range : ranges.Concat(range);
            }
            query = ranges!;
        }
        // One more than the page, to know whether a next page exists.
        var rows = await query.InListOrder().Take(take + 1).Select(TaskListRow.Columns).ToListAsync(cancellationToken);
        if (rows.Count > take)
        {
            rows.RemoveAt(take);
            var next = new TaskListKey(rows[^1].DueAt, rows[^1].Id).ToString();
            var request = http.Request;
            var parameters = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString.Value);
            parameters["after"] = next;
            http.Response.Headers.Link = $"<{request.PathBase}{request.Path}{QueryString.Create(parameters)}>; rel=\"next\"";
        }
        var today = PlanTime.LocalDate(now);
        var dtos = new TaskDto[rows.Count];
        for (var i = 0; i < dtos.Length; i++) dtos[i] = TaskDto.From(rows[i], now, today);
        return TypedResults.Ok(dtos);
    }

    /// <summary>The list's order: due instant, then id (the database orders and compares ids alike, whatever its collation).</summary>
    private static IOrderedQueryable<UnitTaskRecord> InListOrder(this IQueryable<UnitTaskRecord> query) => query.OrderBy(t => t.DueAt).ThenBy(t => t.Id);

    /// <summary>The tasks after <paramref name="key"/> in the list's order (the redundant <c>DueAt &gt;=</c> keeps the index range).</summary>
    private static IQueryable<UnitTaskRecord> After(this IQueryable<UnitTaskRecord> query, TaskListKey key)
    {
        var (dueAt, id) = (key.DueAt, key.Id);
#pragma warning disable CA1309 // translated to SQL ("Id" > @id, in the database's order as InListOrder), never run in .NET
        return query.Where(t => t.DueAt >= dueAt && (t.DueAt > dueAt || string.Compare(t.Id, id) > 0));
#pragma warning restore CA1309
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
