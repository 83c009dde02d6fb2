using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;

namespace WorkflowHost.Server.Features.Instances;

/// <summary>Instances: start, list, one, its journal; events.</summary>
public static partial class InstanceEndpoints
{
    /// <summary>Maps <c>/api/instances</c> and <c>/api/events</c>.</summary>
    public static IEndpointRouteBuilder MapInstanceEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/instances").WithTags("Instances");
        // Policies per endpoint (not on the group): an endpoint added later falls back to secretariat-only.
        group.MapPost("/", StartAsync).WithName("StartInstance").RequireAuthorization(AuthPolicies.Secretariat).WithSummary("Starts a plan instance and runs its first step.");
        group.MapGet("/", ListAsync).WithName("ListInstances").RequireAuthorization(AuthPolicies.Staff);
        group.MapGet("/{id}", GetAsync).WithName("GetInstance").RequireAuthorization(AuthPolicies.Staff);
        group.MapGet("/{id}/journal", JournalAsync).WithName("GetJournal").RequireAuthorization(AuthPolicies.Staff)
            .WithSummary("The instance's journal, in order (after = sequence to page from).");
        app.MapPost("/api/events/{name}", PublishAsync).WithTags("Instances").WithName("PublishEvent").RequireAuthorization(AuthPolicies.Secretariat)
            .WithSummary("Resumes every Elsa.Event waiting on the name.");
        return app;
    }

    private static async Task<Results<Created<WorkflowInstance>, ValidationProblem, NotFound<string>>> StartAsync(StartInstanceRequest? request, WorkflowRuntime runtime, WorkflowHostDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request?.DefinitionId)) errors["definitionId"] = ["Required."];
        if (string.IsNullOrWhiteSpace(request?.Directory)) errors["directory"] = ["Required."];
        if (request?.InstanceId is { } id && !IdPattern().IsMatch(id)) errors["instanceId"] = ["Letters, digits, '-' and '_' only, at most 64."];
        if (request?.DateShiftDays is < -36_500 or > 36_500) errors["dateShiftDays"] = ["Between −36,500 and 36,500."];
        if (request?.Version is < 1) errors["version"] = ["1 or more."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (request!.InstanceId is { } wanted && await db.Instances.AnyAsync(i => i.Id == wanted, cancellationToken))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["instanceId"] = [$"Instance '{wanted}' already exists."] });
        WorkflowInstance instance;
        try
        {
            instance = await runtime.StartAsync(new StartWorkflowRequest
            {
                DefinitionId = request.DefinitionId!,
                Directory = request.Directory!,
                Version = request.Version,
                InstanceId = request.InstanceId,
                DateShiftDays = request.DateShiftDays ?? 0,
                UnitGroups = request.UnitGroups ?? [],
                UnitCodes = request.UnitCodes ?? [],
            }, cancellationToken);
        }
        catch (InvalidUnitScopeException e)
        {
            // Unknown unit groups or codes: each problem names its field.
            return TypedResults.ValidationProblem(e.Problems.GroupBy(p => p.Split(':')[0]).ToDictionary(g => g.Key, g => g.Select(p => p[(p.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).ToArray()));
        }
        return TypedResults.Created($"/api/instances/{instance.Id}", instance);
    }

    private static async Task<Ok<WorkflowInstance[]>> ListAsync(WorkflowHostDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Instances.AsNoTracking().OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).ToArrayAsync(cancellationToken));

    private static async Task<Results<Ok<WorkflowInstance>, NotFound>> GetAsync(string id, WorkflowHostDbContext db, CancellationToken cancellationToken) =>
        await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken) is { } instance ? TypedResults.Ok(instance) : TypedResults.NotFound();

    private static async Task<Results<Ok<JournalEntry[]>, NotFound>> JournalAsync(string id, long? after, int? limit, WorkflowHostDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Instances.AnyAsync(i => i.Id == id, cancellationToken)) return TypedResults.NotFound();
        var from = after ?? 0;
        return TypedResults.Ok(await db.Journal.AsNoTracking().Where(j => j.InstanceId == id && j.Sequence > from)
            .OrderBy(j => j.Sequence).Take(Math.Clamp(limit ?? 1000, 1, 10_000)).ToArrayAsync(cancellationToken));
    }

    private static async Task<Ok<object>> PublishAsync(string name, System.Text.Json.Nodes.JsonObject? payload, WorkflowRuntime runtime, CancellationToken cancellationToken) =>
        TypedResults.Ok<object>(new { resumed = await runtime.PublishEventAsync(name, payload, cancellationToken) });

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();
}
