using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Features.Designer;

namespace WorkflowHost.Server.Features.Amendments;

/// <summary>
/// Reusing a plan for the next period (secretariat only): <c>POST /api/workflows/{id}/next-period</c>
/// proposes the published (or given) version moved by whole years, lists every changed date for review,
/// and with <c>save: true</c> stores it as an unpublished draft of a new definition, to check in the
/// designer, publish and start (see <see cref="NextPeriodPlanner"/>).
/// </summary>
public static partial class NextPeriodEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapNextPeriodEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/workflows/{id}/next-period", ProposeAsync).WithTags("Workflows").WithName("ProposeNextPeriod")
            .WithSummary("Proposes the plan for the next period (dates moved by whole years); save=true stores it as a draft.")
            .RequireAuthorization(AuthPolicies.Secretariat);
        return app;
    }

    /// <summary>Request body.</summary>
    /// <param name="Years">Whole years to add (1–50); default 5 (2021–2025 → 2026–2030).</param>
    /// <param name="Version">Source version; default the published one.</param>
    /// <param name="NewDefinitionId">Id of the new definition; default the source id with its years moved.</param>
    /// <param name="Save">True: store the proposal as an unpublished draft.</param>
    public sealed record NextPeriodRequest(int? Years, int? Version, string? NewDefinitionId, bool Save = false);

    private static async Task<Results<Ok<object>, NotFound<string>, ValidationProblem, Conflict<string>>> ProposeAsync(string id, NextPeriodRequest? request,
        WorkflowHostDbContext db, WorkflowRuntime runtime, DefinitionVersionStore versions, CancellationToken cancellationToken)
    {
        var years = request?.Years ?? 5;
        var errors = new Dictionary<string, string[]>();
        if (years is < 1 or > 50) errors["years"] = ["Từ 1 đến 50 năm (between 1 and 50)."];
        if (request?.NewDefinitionId is { } wanted && !IdPattern().IsMatch(wanted)) errors["newDefinitionId"] = ["Chữ, số, '-' và '_', tối đa 64 (letters, digits, '-', '_')."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var query = db.Definitions.AsNoTracking().Where(d => d.DefinitionId == id);
        query = request?.Version is { } v ? query.Where(d => d.Version == v) : query.Where(d => d.IsPublished);
        var source = await query.OrderByDescending(d => d.Version).FirstOrDefaultAsync(cancellationToken);
        if (source is null) return TypedResults.NotFound(request?.Version is null ? $"Workflow '{id}' has no published version." : $"Workflow '{id}' has no version {request.Version}.");

        var proposal = NextPeriodPlanner.Propose((JsonObject)JsonNode.Parse(source.Json)!, years, request?.NewDefinitionId);
        var read = runtime.Read(proposal.Definition.ToJsonString());
        var saved = false;
        if (request?.Save == true)
        {
            if (await db.Definitions.AnyAsync(d => d.DefinitionId == proposal.DefinitionId, cancellationToken))
                return TypedResults.Conflict($"Workflow '{proposal.DefinitionId}' already exists; choose another newDefinitionId.");
            var change = await versions.SaveAsync(proposal.Definition, publish: false, cancellationToken);
            saved = change.Definition is not null;
        }
        return TypedResults.Ok<object>(new
        {
            definitionId = proposal.DefinitionId,
            fromDefinitionId = id,
            fromVersion = source.Version,
            years,
            changes = proposal.Changes,
            problems = read.Problems,
            saved,
            definition = request?.Save == true ? null : proposal.Definition,
        });
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();
}
