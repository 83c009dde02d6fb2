using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Definitions;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>Workflow definition endpoints: read, list, save (autosave, save, publish), publish, retract, delete, export, import, execute.</summary>
internal static class ElsaDefinitionEndpoints
{
    private const string Definitions = "/workflow-definitions";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet(Definitions, ListAsync).WithName("ElsaListDefinitions")
            .WithSummary("Definitions (summaries) by versionOptions, DefinitionIds, SearchTerm, OrderBy, OrderDirection, Page (0-based), PageSize.");
        api.MapGet(Definitions + "/by-definition-id/{definitionId}", GetAsync).WithName("ElsaGetDefinition")
            .WithSummary("One version (default: latest) with its links.");
        api.MapGet(Definitions + "/validation/is-name-unique", IsNameUniqueAsync).WithName("ElsaIsNameUnique");
        api.MapPost(Definitions, SaveAsync).WithName("ElsaSaveDefinition")
            .WithSummary("Saves the latest version (a draft, or a new version over a published one); publish:true also publishes it if valid.")
            .Accepts<JsonObject>("application/json");
        api.MapPost(Definitions + "/{definitionId}/publish", PublishAsync).WithName("ElsaPublishDefinition");
        api.MapPost(Definitions + "/{definitionId}/retract", RetractAsync).WithName("ElsaRetractDefinition");
        api.MapDelete(Definitions + "/{definitionId}", DeleteAsync).WithName("ElsaDeleteDefinition");
        api.MapGet(Definitions + "/{definitionId}/export", ExportAsync).WithName("ElsaExportDefinition");
        api.MapPost(Definitions + "/import", ImportAsync).WithName("ElsaImportDefinition").Accepts<JsonObject>("application/json");
        api.MapPost(Definitions + "/{definitionId}/execute", ExecuteAsync).WithName("ElsaExecuteDefinition")
            .WithSummary("Starts an instance of the published version; the unit directory is input.directory, else customProperties.directory, else the only one.")
            .Accepts<JsonObject>("application/json");
        api.MapPost("/bulk-actions/publish/workflow-definitions/by-definition-ids", BulkPublishAsync).WithName("ElsaBulkPublish");
        api.MapPost("/bulk-actions/retract/workflow-definitions/by-definition-ids", BulkRetractAsync).WithName("ElsaBulkRetract");
        api.MapPost("/bulk-actions/delete/workflow-definitions/by-definition-id", BulkDeleteAsync).WithName("ElsaBulkDelete");
    }

    private static async Task<IResult> ListAsync(
        string? versionOptions, int? page, int? pageSize, string[]? definitionIds, string? searchTerm, string? orderBy, string? orderDirection,
        DefinitionVersionStore store, CancellationToken cancellationToken)
    {
        if (VersionSelector.Parse(versionOptions, VersionSelector.Latest) is not { } selector) return BadVersionOptions(versionOptions);
        var descending = string.Equals(orderDirection, "Descending", StringComparison.OrdinalIgnoreCase) || orderDirection == "1";
        var (rows, total) = await store.ListAsync(definitionIds ?? [], selector, searchTerm, orderBy, descending, page ?? 0, pageSize, cancellationToken);
        return ElsaJson.Ok(new JsonObject
        {
            ["items"] = new JsonArray([.. rows.Select(r => (JsonNode)DefinitionDocument.Summary(r, DefinitionDocument.Description(r.Json)))]),
            ["totalCount"] = total,
            ["links"] = DefinitionDocument.ListLinks(),
        });
    }

    private static async Task<IResult> GetAsync(string definitionId, string? versionOptions, DefinitionVersionStore store, CancellationToken cancellationToken)
    {
        if (VersionSelector.Parse(versionOptions, VersionSelector.Latest) is not { } selector) return BadVersionOptions(versionOptions);
        return await store.FindAsync(definitionId, selector, cancellationToken) is { } row
            ? ElsaJson.Ok(DefinitionDocument.ToResponse(row))
            : Results.NotFound();
    }

    private static async Task<IResult> IsNameUniqueAsync(string? name, string? definitionId, DefinitionVersionStore store, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name)) return ElsaProblems.BadRequest("name", "name: required");
        return ElsaJson.Ok(new JsonObject { ["isUnique"] = await store.IsNameUniqueAsync(name, definitionId, cancellationToken) });
    }

    /// <summary>Save, autosave and publish from the editor; create from the list (definitionId null).</summary>
    private static async Task<IResult> SaveAsync(HttpRequest request, DefinitionVersionStore store, CancellationToken cancellationToken)
    {
        var (body, error) = await ReadBodyAsync(request, cancellationToken);
        if (error is not null) return error;
        var publish = ElsaJson.Bool(body?["publish"]) == true;
        var change = await store.SaveAsync(body?["model"], publish, cancellationToken);
        if (change.Definition is not { } row) return ElsaProblems.BadRequest(change.Problems, "Định nghĩa quy trình không hợp lệ (invalid workflow definition).");
        if (publish && !change.Published)
            return ElsaProblems.BadRequest(change.Problems, "Chưa xuất bản: quy trình còn lỗi; bản nháp đã được lưu (not published: the definition has problems; the draft was saved).");
        return ElsaJson.Ok(new JsonObject
        {
            ["workflowDefinition"] = DefinitionDocument.ToResponse(row),
            ["alreadyPublished"] = false,
            ["consumingWorkflowCount"] = 0,
            // Not in Elsa's contract (the studio ignores it): what still keeps this draft from being published.
            ["problems"] = JsonSerializer.SerializeToNode(ElsaProblems.Errors(change.Problems), ElsaJson.Options),
        }, change.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> PublishAsync(string definitionId, DefinitionVersionStore store, CancellationToken cancellationToken) =>
        ChangeResult(await store.PublishAsync(definitionId, cancellationToken), "Chưa xuất bản: quy trình còn lỗi (not published: the definition has problems).");

    private static async Task<IResult> RetractAsync(string definitionId, DefinitionVersionStore store, CancellationToken cancellationToken) =>
        ChangeResult(await store.RetractAsync(definitionId, cancellationToken), "Không thu hồi được (cannot retract).");

    private static async Task<IResult> DeleteAsync(string definitionId, DefinitionVersionStore store, CancellationToken cancellationToken)
    {
        var outcome = await store.DeleteAsync(definitionId, cancellationToken);
        if (outcome.Instances > 0)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict,
                title: $"Quy trình '{definitionId}' đang có {outcome.Instances} lượt chạy, không xoá được (the workflow has instances and cannot be deleted).");
        return outcome.Deleted > 0 ? Results.NoContent() : Results.NotFound();
    }

    private static async Task<IResult> ExportAsync(string definitionId, string? versionOptions, DefinitionVersionStore store, CancellationToken cancellationToken)
    {
        if (VersionSelector.Parse(versionOptions, VersionSelector.Latest) is not { } selector) return BadVersionOptions(versionOptions);
        if (await store.FindAsync(definitionId, selector, cancellationToken) is not { } row) return Results.NotFound();
        var json = JsonSerializer.SerializeToUtf8Bytes(DefinitionDocument.ToExport(row), ElsaJson.Indented);
        return Results.File(json, "application/json", $"{definitionId}.json");
    }

    /// <summary>Import: the body is a WorkflowDefinition (as exported); saved like the editor saves it, published when it says isPublished.</summary>
    private static async Task<IResult> ImportAsync(HttpRequest request, DefinitionVersionStore store, CancellationToken cancellationToken)
    {
        var (body, error) = await ReadBodyAsync(request, cancellationToken);
        if (error is not null) return error;
        var model = body is JsonObject o && o["root"] is null && o["model"] is JsonObject wrapped ? wrapped : body;
        var publish = ElsaJson.Bool(model?["isPublished"]) == true;
        var change = await store.SaveAsync(model, publish, cancellationToken);
        if (change.Definition is not { } row) return ElsaProblems.BadRequest(change.Problems, "Định nghĩa quy trình không hợp lệ (invalid workflow definition).");
        if (publish && !change.Published)
            return ElsaProblems.BadRequest(change.Problems, "Đã nhập làm bản nháp, chưa xuất bản: quy trình còn lỗi (imported as a draft, not published: the definition has problems).");
        return ElsaJson.Ok(DefinitionDocument.ToResponse(row), change.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    /// <summary>
    /// Run: starts an instance of a published version (default: the latest published) and runs its first
    /// step. Drafts never run. The instance id is in the <c>x-elsa-workflow-instance-id</c> header, as Elsa sends it.
    /// </summary>
    private static async Task<IResult> ExecuteAsync(
        string definitionId, HttpRequest request, HttpResponse response, DefinitionVersionStore store, WorkflowRuntime runtime, WorkflowHostDbContext db,
        CancellationToken cancellationToken)
    {
        var (body, error) = await ReadBodyAsync(request, cancellationToken, allowEmpty: true);
        if (error is not null) return error;
        var input = body?["input"] as JsonObject;
        var versionText = body?["versionOptions"] is JsonValue v ? v.ToString() : null;
        if (VersionSelector.Parse(versionText, VersionSelector.Published) is not { } selector) return BadVersionOptions(versionText);
        if (await store.FindAsync(definitionId, VersionSelector.Latest, cancellationToken) is null) return Results.NotFound();
        var row = await store.FindAsync(definitionId, selector, cancellationToken);
        if (row is null || !row.IsPublished)
            return ElsaProblems.BadRequest("versionOptions", row is null && selector.Kind == VersionSelectorKind.Published
                ? $"Quy trình '{definitionId}' chưa có phiên bản được xuất bản; hãy xuất bản trước khi chạy (no published version: publish before running)."
                : $"Chỉ chạy được phiên bản đã xuất bản (only published versions run; {selector} is {(row is null ? "not found" : "a draft")}).");

        var dateShift = 0;
        if (input?["dateShiftDays"] is { } shift && (shift is not JsonValue sv || !sv.TryGetValue(out dateShift) || dateShift is < -36_500 or > 36_500))
            return ElsaProblems.BadRequest("input.dateShiftDays", "input.dateShiftDays: a whole number of days between −36,500 and 36,500");
        var directories = await db.Directories.AsNoTracking().Select(d => d.Name).ToListAsync(cancellationToken);
        var directory = ElsaJson.String(input?["directory"]) is { Length: > 0 } asked ? asked
            : ElsaJson.String(ElsaJson.ParseObject(row.Json)["customProperties"]?["directory"]) is { Length: > 0 } configured ? configured
            : directories.Count == 1 ? directories[0]
            : null;
        if (directory is null)
            return ElsaProblems.BadRequest("input.directory", $"input.directory: chọn danh bạ đơn vị (choose a unit directory: {string.Join(", ", directories.Order(StringComparer.Ordinal))})");
        if (!directories.Contains(directory, StringComparer.OrdinalIgnoreCase))
            return ElsaProblems.BadRequest("input.directory", $"input.directory: không có danh bạ đơn vị '{directory}' (no such unit directory)");

        var instance = await runtime.StartAsync(new StartWorkflowRequest
        {
            DefinitionId = definitionId,
            Version = row.Version,
            Directory = directory,
            DateShiftDays = dateShift,
        }, cancellationToken);
        response.Headers["x-elsa-workflow-instance-id"] = instance.Id;
        return ElsaJson.Ok(new JsonObject
        {
            ["workflowState"] = new JsonObject
            {
                ["id"] = instance.Id,
                ["definitionId"] = instance.DefinitionId,
                ["definitionVersion"] = instance.DefinitionVersion,
                ["correlationId"] = ElsaJson.String(body?["correlationId"]),
                ["status"] = instance.Status == WorkflowStatus.Running ? "Running" : "Finished",
                ["subStatus"] = instance.Status switch
                {
                    WorkflowStatus.Running => "Suspended",
                    WorkflowStatus.Cancelled => "Cancelled",
                    WorkflowStatus.Faulted => "Faulted",
                    _ => "Finished",
                },
                ["directory"] = instance.Directory,
                ["createdAt"] = instance.CreatedAt,
                ["updatedAt"] = instance.UpdatedAt,
            },
        });
    }

    private static async Task<IResult> BulkPublishAsync(HttpRequest request, DefinitionVersionStore store, CancellationToken cancellationToken)
    {
        var (ids, error) = await ReadIdsAsync(request, cancellationToken);
        if (error is not null) return error;
        var published = new JsonArray();
        var already = new JsonArray();
        var notFound = new JsonArray();
        var skipped = new JsonArray();
        foreach (var id in ids)
        {
            var change = await store.PublishAsync(id, cancellationToken);
            (change.Definition is null ? notFound : change.AlreadyPublished ? already : change.Published ? published : skipped).Add(id);
        }
        // "skipped" is ours: definitions with problems, left unpublished.
        return ElsaJson.Ok(new JsonObject { ["published"] = published, ["alreadyPublished"] = already, ["notFound"] = notFound, ["skipped"] = skipped });
    }

    private static async Task<IResult> BulkRetractAsync(HttpRequest request, DefinitionVersionStore store, CancellationToken cancellationToken)
    {
        var (ids, error) = await ReadIdsAsync(request, cancellationToken);
        if (error is not null) return error;
        var retracted = new JsonArray();
        var already = new JsonArray();
        var notFound = new JsonArray();
        foreach (var id in ids)
        {
            var change = await store.RetractAsync(id, cancellationToken);
            (change.Definition is not null ? retracted : change.Problems.Count > 0 ? already : notFound).Add(id);
        }
        return ElsaJson.Ok(new JsonObject { ["retracted"] = retracted, ["alreadyRetracted"] = already, ["notFound"] = notFound });
    }

    private static async Task<IResult> BulkDeleteAsync(HttpRequest request, DefinitionVersionStore store, CancellationToken cancellationToken)
    {
        var (ids, error) = await ReadIdsAsync(request, cancellationToken);
        if (error is not null) return error;
        var deleted = 0;
        var inUse = new JsonArray();
        foreach (var id in ids)
        {
            var outcome = await store.DeleteAsync(id, cancellationToken);
            if (outcome.Deleted > 0) deleted++;
            if (outcome.Instances > 0) inUse.Add(id);
        }
        // "inUse" is ours: definitions with instances are never deleted.
        return ElsaJson.Ok(new JsonObject { ["deleted"] = deleted, ["inUse"] = inUse });
    }

    private static IResult ChangeResult(DefinitionChange change, string problemTitle) =>
        change switch
        {
            { Definition: { } row, Problems.Count: 0 } => ElsaJson.Ok(DefinitionDocument.ToResponse(row)),
            { Problems.Count: > 0 } => ElsaProblems.BadRequest(change.Problems, problemTitle),
            _ => Results.NotFound(),
        };

    private static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem BadVersionOptions(string? text) =>
        ElsaProblems.BadRequest("versionOptions", $"versionOptions: '{text}' is not Latest, Published, LatestOrPublished, LatestAndPublished, Draft, AllVersions or a version number");

    private static async Task<(string[] Ids, IResult? Error)> ReadIdsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, error) = await ReadBodyAsync(request, cancellationToken);
        if (error is not null) return ([], error);
        if (body?["definitionIds"] is not JsonArray array || array.Any(i => ElsaJson.String(i) is null))
            return ([], ElsaProblems.BadRequest("definitionIds", "definitionIds: an array of definition ids"));
        return ([.. array.Select(i => ElsaJson.String(i)!).Distinct(StringComparer.Ordinal)], null);
    }

    /// <summary>Reads the JSON body (deeper nesting than the default binder allows: flowcharts nest).</summary>
    private static async Task<(JsonNode? Body, IResult? Error)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken, bool allowEmpty = false)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(text))
            return allowEmpty ? (null, null) : (null, ElsaProblems.BadRequest("$", "$: the request has no JSON body"));
        if (text.Length > WorkflowDefinitionReader.MaxDocumentLength)
            return (null, ElsaProblems.BadRequest("$", $"$: the body is {text.Length:N0} characters; the limit is {WorkflowDefinitionReader.MaxDocumentLength:N0}"));
        try
        {
            return (JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 }), null);
        }
        catch (JsonException e)
        {
            return (null, ElsaProblems.BadRequest("$", $"$: invalid JSON: {e.Message}"));
        }
    }
}
