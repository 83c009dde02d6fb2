using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Features.Definitions;

/// <summary>Workflow definitions: list and validate. (The Elsa Studio API comes with the designer.)</summary>
public static class DefinitionEndpoints
{
    /// <summary>Maps <c>/api/workflows</c>.</summary>
    public static IEndpointRouteBuilder MapDefinitionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/workflows").WithTags("Workflows");
        group.MapGet("/", ListAsync).WithName("ListWorkflows").RequireAuthorization(Auth.AuthPolicies.Staff);
        group.MapPost("/validate", ValidateAsync).WithName("ValidateWorkflow").RequireAuthorization(Auth.AuthPolicies.Secretariat).WithSummary("Validates Elsa definition JSON; 400 lists every problem. Nothing is stored.")
            .Accepts<object>("application/json");
        return app;
    }

    private static async Task<Ok<object[]>> ListAsync(WorkflowHostDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Definitions.AsNoTracking().OrderBy(d => d.DefinitionId).ThenBy(d => d.Version)
            .Select(d => (object)new { d.DefinitionId, d.Version, d.Name, d.IsPublished, d.IsLatest, d.CreatedAt }).ToArrayAsync(cancellationToken));

    private static async Task<Results<Ok<object>, ValidationProblem>> ValidateAsync(HttpRequest request, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var json = await reader.ReadToEndAsync(cancellationToken);
        var result = runtime.Read(json);
        if (result.IsValid) return TypedResults.Ok<object>(new { valid = true, activities = result.Blueprint!.AllActivities.Count() });
        return TypedResults.ValidationProblem(result.Problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()));
    }
}
