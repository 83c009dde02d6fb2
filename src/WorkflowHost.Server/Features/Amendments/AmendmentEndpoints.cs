using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Features.Definitions;

namespace WorkflowHost.Server.Features.Amendments;

/// <summary>
/// Amending a running plan (secretariat only): extend or change due dates (one task, or a milestone
/// for all units, one group or some units), send a reminder now, add a unit, and move an instance to
/// a newer version of its workflow after a dry run. Dates are local (Asia/Ho_Chi_Minh) yyyy-MM-dd.
/// </summary>
public static class AmendmentEndpoints
{
    /// <summary>Maps the amendment endpoints under <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapAmendmentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Amendments").RequireAuthorization(AuthPolicies.Secretariat);
        group.MapPost("/tasks/{id}/due-date", TaskDueDateAsync).WithName("ChangeTaskDueDate")
            .WithSummary("Changes one task's due date; reminders and escalations re-plan from it, nothing already sent is sent again.");
        group.MapPost("/tasks/{id}/remind", RemindAsync).WithName("RemindTask").WithSummary("Sends the unit a reminder (or an overdue notice) now.");
        group.MapPost("/instances/{id}/milestones/{milestone}/due-date", MilestoneDueDateAsync).WithName("ChangeMilestoneDueDate")
            .WithSummary("Changes the due date of a milestone's open tasks: all units, one unit group, or the listed units.");
        group.MapPost("/instances/{id}/units", AddUnitAsync).WithName("AddUnitToInstance")
            .WithSummary("Adds a unit to a running plan (and to its directory when the unit is new): running ForEachUnits start its branch.");
        group.MapGet("/instances/{id}/migration", PlanMigrationAsync).WithName("PlanMigration")
            .WithSummary("Dry run: what moving the instance to another version would change, and what blocks it.");
        group.MapPost("/instances/{id}/migration", MigrateAsync).WithName("Migrate")
            .WithSummary("Moves the instance to another version: open tasks take the new due dates; completed steps are not re-run.");
        return app;
    }

    /// <summary>Body of the due-date endpoints.</summary>
    /// <param name="DueDate">New local due date, yyyy-MM-dd, today or later.</param>
    /// <param name="Reason">Why (shown to the unit); at most 1,000 characters.</param>
    /// <param name="UnitGroup">Milestone endpoint only: only this group's units.</param>
    /// <param name="UnitCodes">Milestone endpoint only: only these units.</param>
    public sealed record DueDateRequest(string? DueDate, string? Reason, string? UnitGroup = null, string[]? UnitCodes = null);

    /// <summary>Body of the add-unit endpoint: an existing unit's code, or a new unit to add to the directory.</summary>
    public sealed record AddUnitRequest(string? UnitCode, Unit? Unit);

    /// <summary>Body of the migration endpoint.</summary>
    public sealed record MigrateRequest(int? ToVersion);

    private static string Actor(ClaimsPrincipal user) => Tasks.TaskEndpoints.ReviewerName(user);

    private static Dictionary<string, string[]>? Validate(DueDateRequest? request, out DateOnly dueDate)
    {
        dueDate = default;
        var errors = new Dictionary<string, string[]>();
        if (!DateOnly.TryParseExact(request?.DueDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out dueDate))
            errors["dueDate"] = ["Cần ngày dạng yyyy-MM-dd (required, yyyy-MM-dd)."];
        if (request?.Reason is { Length: > 1000 }) errors["reason"] = ["Tối đa 1.000 ký tự (at most 1,000 characters)."];
        return errors.Count > 0 ? errors : null;
    }

    private static async Task<Results<Ok<object>, NotFound, ValidationProblem>> TaskDueDateAsync(string id, DueDateRequest? request, ClaimsPrincipal user,
        WorkflowRuntime runtime, WorkflowHostDbContext db, CancellationToken cancellationToken)
    {
        if (Validate(request, out var dueDate) is { } errors) return TypedResults.ValidationProblem(errors);
        if (!await db.Tasks.AnyAsync(t => t.Id == id, cancellationToken)) return TypedResults.NotFound();
        var changed = await runtime.AmendDueDateAsync([id], dueDate, request!.Reason, Actor(user), cancellationToken);
        return TypedResults.Ok<object>(new { changed });
    }

    private static async Task<Results<Ok, NotFound>> RemindAsync(string id, ClaimsPrincipal user, WorkflowRuntime runtime, WorkflowHostDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Tasks.AnyAsync(t => t.Id == id, cancellationToken)) return TypedResults.NotFound();
        await runtime.RemindAsync(id, Actor(user), cancellationToken);
        return TypedResults.Ok();
    }

    private static async Task<Results<Ok<object>, NotFound<string>, ValidationProblem>> MilestoneDueDateAsync(string id, string milestone, DueDateRequest? request, ClaimsPrincipal user,
        WorkflowHostDbContext db, DbDefinitionSource source, Console.ITaskAmendments amendments, CancellationToken cancellationToken)
    {
        if (Validate(request, out var dueDate) is { } errors) return TypedResults.ValidationProblem(errors);
        var instance = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (instance is null) return TypedResults.NotFound($"Instance '{id}' does not exist.");
        if (!await db.Tasks.AnyAsync(t => t.InstanceId == id && t.Milestone == milestone, cancellationToken)) return TypedResults.NotFound($"Milestone '{milestone}' has no task in instance '{id}'.");
        var directory = await source.FindDirectoryAsync(instance.Directory, cancellationToken);
        if (request!.UnitGroup is { } groupCode && directory?.Groups.All(g => !string.Equals(g.Code, groupCode, StringComparison.OrdinalIgnoreCase)) != false)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["unitGroup"] = [$"Không có khối/cụm \"{groupCode}\" (no such unit group)."] });
        var (selected, changed) = await amendments.ExtendMilestoneAsync(id, milestone, dueDate, request.UnitGroup, request.UnitCodes, request.Reason, Actor(user), cancellationToken);
        return TypedResults.Ok<object>(new { selected, changed });
    }

    private static async Task<Results<Ok<object>, NotFound<string>, ValidationProblem>> AddUnitAsync(string id, AddUnitRequest? request, ClaimsPrincipal user,
        WorkflowRuntime runtime, WorkflowHostDbContext db, Console.UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var instance = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (instance is null) return TypedResults.NotFound($"Instance '{id}' does not exist.");
        var code = request?.Unit?.Code ?? request?.UnitCode;
        if (string.IsNullOrWhiteSpace(code)) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["unitCode"] = ["Cần mã đơn vị hoặc thông tin đơn vị mới (unitCode or unit required)."] });
        var directory = await directories.FindAsync(instance.Directory, cancellationToken)
            ?? throw new KeyNotFoundException($"Unit directory '{instance.Directory}' does not exist.");
        var added = false;
        if (directory.Find(code) is null)
        {
            if (request!.Unit is not { } unit) return TypedResults.NotFound($"Unit '{code}' is not in directory '{directory.Directory}'; send the new unit's details.");
            var errors = new Dictionary<string, string[]>();
            if (!System.Text.RegularExpressions.Regex.IsMatch(unit.Code, "^[A-Za-z0-9_-]{1,32}$")) errors["unit.code"] = ["Chữ, số, '-' và '_', tối đa 32 (letters, digits, '-', '_')."];
            if (string.IsNullOrWhiteSpace(unit.Name) || unit.Name.Length > 300) errors["unit.name"] = ["Bắt buộc, tối đa 300 ký tự (required)."];
            if (Mail.EmailAddressRule.Check(unit.Email) is { } emailProblem) errors["unit.email"] = [$"Địa chỉ email không hợp lệ (invalid email): {emailProblem}."];
            if (!string.IsNullOrEmpty(unit.HeadEmail) && Mail.EmailAddressRule.Check(unit.HeadEmail) is { } headProblem) errors["unit.headEmail"] = [$"Địa chỉ email không hợp lệ (invalid email): {headProblem}."];
            if (unit.Group is { } g && directory.Groups.All(x => !string.Equals(x.Code, g, StringComparison.OrdinalIgnoreCase))) errors["unit.group"] = [$"Không có khối/cụm \"{g}\" (no such unit group)."];
            if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
            await directories.SaveAsync(directory.Directory, directory.Groups, [.. directory.Units, unit with { Active = true }], cancellationToken);
            added = true;
        }
        var branches = await runtime.AddUnitAsync(id, code, Actor(user), cancellationToken);
        return TypedResults.Ok<object>(new { unitCode = code, addedToDirectory = added, forEachUnitsTold = branches });
    }

    private static async Task<Results<Ok<MigrationPlan>, ValidationProblem>> PlanMigrationAsync(string id, int? toVersion, WorkflowRuntime runtime, CancellationToken cancellationToken) =>
        toVersion is not { } v || v < 1
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["toVersion"] = ["Bắt buộc, ≥ 1 (required, 1 or more)."] })
            : TypedResults.Ok(await runtime.PlanMigrationAsync(id, v, cancellationToken));

    private static async Task<Results<Ok<MigrationPlan>, ValidationProblem>> MigrateAsync(string id, MigrateRequest? request, ClaimsPrincipal user, WorkflowRuntime runtime, CancellationToken cancellationToken) =>
        request?.ToVersion is not { } v || v < 1
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["toVersion"] = ["Bắt buộc, ≥ 1 (required, 1 or more)."] })
            : TypedResults.Ok(await runtime.MigrateAsync(id, v, Actor(user), cancellationToken));
}
