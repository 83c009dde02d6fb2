using System.Text.Json.Nodes;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>Descriptor endpoints: activities, expression syntaxes, and the lists the editor's tabs load.</summary>
internal static class ElsaDescriptorEndpoints
{
    private static readonly string[] VariableTypes = ["Object", "String", "Boolean", "Int32", "Int64", "Double", "Decimal", "DateTime", "DateTimeOffset", "TimeSpan", "Guid"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/descriptors/activities", async (ActivityDescriptorCatalog catalog, CancellationToken cancellationToken) =>
                Results.Bytes(await catalog.GetJsonAsync(cancellationToken), "application/json; charset=utf-8"))
            .WithName("ElsaActivityDescriptors").WithSummary("Activity descriptors generated from the engine's activities (cached).");
        api.MapGet("/descriptors/expression-descriptors", () => List(ExpressionDescriptors.All()))
            .WithName("ElsaExpressionDescriptors").WithSummary("The expression syntaxes the engine evaluates: Literal, Object, Json, Variable, Deadline.");
        // The engine has no activation, log-persistence, incident or commit strategies to choose from: empty lists.
        api.MapGet("/descriptors/workflow-activation-strategies", () => List([])).WithName("ElsaActivationStrategies");
        api.MapGet("/descriptors/log-persistence-strategies", () => List([])).WithName("ElsaLogPersistenceStrategies");
        api.MapGet("/descriptors/incident-strategies", () => List([])).WithName("ElsaIncidentStrategies");
        api.MapGet("/descriptors/commit-strategies/workflows", () => List([])).WithName("ElsaWorkflowCommitStrategies");
        api.MapGet("/descriptors/commit-strategies/activities", () => List([])).WithName("ElsaActivityCommitStrategies");
        api.MapGet("/descriptors/variables", () => List([.. VariableTypes.Select(t => (JsonNode)new JsonObject
            {
                ["typeName"] = t,
                ["displayName"] = t,
                ["category"] = "Primitives",
                ["description"] = null,
            })]))
            .WithName("ElsaVariableTypes").WithSummary("Variable types (values are kept as JSON in the instance).");
        api.MapGet("/descriptors/storage-drivers", () => List(
            [
                new JsonObject { ["typeName"] = "WorkflowHost.InstanceVariables", ["displayName"] = "Workflow instance", ["priority"] = 0, ["deprecated"] = false },
            ]))
            .WithName("ElsaStorageDrivers").WithSummary("Variables are stored with the instance.");
        // Nothing optional is installed: no SignalR updates (the instance viewer polls), no resilience tabs.
        api.MapGet("/features/installed", () => List([])).WithName("ElsaInstalledFeatures");
    }

    private static IResult List(JsonArray items) => ElsaJson.Ok(new JsonObject { ["items"] = items, ["count"] = items.Count });
}
