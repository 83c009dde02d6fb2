using System.Text.Json.Nodes;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Server.Features.Definitions;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>
/// The stored Elsa WorkflowDefinition document: normalizing what the studio posts (server-owned
/// identity and version fields, missing collections, a minimal root, node ids everywhere) and
/// building what the API answers (flags from the version row, links).
/// </summary>
internal static class DefinitionDocument
{
    /// <summary>Tool version written when the studio sends none.</summary>
    public const string ToolVersion = "3.8.0.0";

    /// <summary>The root node id's parent, as Elsa names it.</summary>
    public const string RootParentNodeId = "Workflow1";

    private static readonly string[] Collections = ["variables", "inputs", "outputs", "outcomes"];

    /// <summary>Problems that make a posted model unusable even as a draft (the rest is validated by the reader).</summary>
    public static List<DefinitionProblem> StructuralProblems(JsonNode? model)
    {
        var problems = new List<DefinitionProblem>();
        if (model is not JsonObject obj)
        {
            problems.Add(new DefinitionProblem("model", "required: the workflow definition object"));
            return problems;
        }
        var id = obj["definitionId"];
        if (id is not null && ElsaJson.String(id) is null)
            problems.Add(new DefinitionProblem("definitionId", "must be a string"));
        else if (ElsaJson.String(id) is { Length: > 0 } text && !DefinitionIds.IsValid(text))
            problems.Add(new DefinitionProblem("definitionId", DefinitionIds.Rule));
        if (obj["name"] is { } name && ElsaJson.String(name) is null)
            problems.Add(new DefinitionProblem("name", "must be a string"));
        else if (ElsaJson.String(obj["name"]) is { Length: > 400 })
            problems.Add(new DefinitionProblem("name", "at most 400 characters"));
        switch (obj["root"])
        {
            case null:
                break;
            case JsonObject root when root["type"] is null || ElsaJson.String(root["type"]) == ActivityNode.FlowchartTypeName:
                break;
            case JsonObject root:
                problems.Add(new DefinitionProblem("root", $"the root must be an {ActivityNode.FlowchartTypeName}, not '{root["type"]?.ToJsonString()}'"));
                break;
            default:
                problems.Add(new DefinitionProblem("root", "must be an activity object"));
                break;
        }
        return problems;
    }

    /// <summary>
    /// A normalized copy of <paramref name="model"/> for version <paramref name="version"/>: identity,
    /// version and flags set by the server, links dropped, missing collections and a minimal root
    /// filled in, and node ids filled in on every activity (nested ones included). Inputs are left as
    /// posted: an absent input stays absent (the reader applies the default when the version runs).
    /// </summary>
    public static JsonObject Normalize(JsonObject model, string definitionId, int version, DateTimeOffset createdAt, Func<string> newId)
    {
        ArgumentNullException.ThrowIfNull(model);
        var doc = (JsonObject)model.DeepClone();
        doc.Remove("links");
        doc["id"] = VersionId(definitionId, version);
        doc["definitionId"] = definitionId;
        doc["version"] = version;
        doc["createdAt"] = createdAt;
        doc["isLatest"] = true;
        doc["isPublished"] = false;
        if (string.IsNullOrWhiteSpace(ElsaJson.String(doc["name"]))) doc["name"] = definitionId;
        else doc["name"] = ElsaJson.String(doc["name"])!.Trim();
        FillEnvelope(doc);

        if (doc["root"] is not JsonObject root)
        {
            root = new JsonObject();
            doc["root"] = root;
        }
        if (string.IsNullOrWhiteSpace(ElsaJson.String(root["id"]))) root["id"] = newId();
        root["type"] ??= ActivityNode.FlowchartTypeName;
        root["version"] ??= 1;
        root["name"] ??= "Flowchart1";
        FillNodeIds(root, RootParentNodeId);
        return doc;
    }

    /// <summary>The Elsa <c>id</c> of a version.</summary>
    public static string VersionId(string definitionId, int version) => $"{definitionId}-v{version}";

    /// <summary>Fills the collections, options and fixed fields the studio expects to be present.</summary>
    public static void FillEnvelope(JsonObject doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        foreach (var name in Collections)
            if (doc[name] is not JsonArray) doc[name] = new JsonArray();
        if (doc["customProperties"] is not JsonObject) doc["customProperties"] = new JsonObject();
        if (doc["options"] is not JsonObject) doc["options"] = DefaultOptions();
        if (string.IsNullOrWhiteSpace(ElsaJson.String(doc["toolVersion"]))) doc["toolVersion"] = ToolVersion;
        doc["isReadonly"] = false;
        doc["isSystem"] = false;
        doc["materializerName"] = "Json";
    }

    /// <summary>
    /// Fills <c>nodeId</c> (<c>parentNodeId:id</c>) where it is missing, on this activity and on every
    /// activity nested in it: a flowchart's <c>activities</c> and any activity-valued property (embedded
    /// ports such as <c>body</c>, of known and unknown types alike). Existing node ids are kept. Missing
    /// <c>activities</c> and <c>connections</c> of flowcharts become empty arrays.
    /// </summary>
    public static void FillNodeIds(JsonObject activity, string parentNodeId)
    {
        ArgumentNullException.ThrowIfNull(activity);
        // Iterative: a hostile document may nest deeper than the stack allows; the reader reports the nesting.
        var pending = new Stack<(JsonObject Activity, string Parent, int Depth)>([(activity, parentNodeId, 0)]);
        while (pending.TryPop(out var item))
        {
            if (item.Depth > WorkflowDefinitionReader.MaxNesting + 1) continue;
            var id = ElsaJson.String(item.Activity["id"]);
            if (string.IsNullOrWhiteSpace(id)) continue;
            var nodeId = ElsaJson.String(item.Activity["nodeId"]);
            if (string.IsNullOrWhiteSpace(nodeId))
            {
                nodeId = $"{item.Parent}:{id}";
                item.Activity["nodeId"] = nodeId;
            }
            if (ElsaJson.String(item.Activity["type"]) == ActivityNode.FlowchartTypeName)
            {
                if (item.Activity["activities"] is null) item.Activity["activities"] = new JsonArray();
                if (item.Activity["connections"] is null) item.Activity["connections"] = new JsonArray();
            }
            foreach (var (name, value) in item.Activity)
            {
                if (name is "metadata" or "customProperties" or "variables" or "connections") continue;
                if (name == "activities" && value is JsonArray children)
                {
                    foreach (var child in children)
                        if (child is JsonObject c) pending.Push((c, nodeId, item.Depth + 1));
                }
                else if (value is JsonObject nested && IsActivity(nested))
                {
                    pending.Push((nested, nodeId, item.Depth + 1));
                }
            }
        }
    }

    /// <summary>An activity object (not an input wrapper): it has a string <c>type</c> and <c>id</c> and no <c>expression</c>.</summary>
    private static bool IsActivity(JsonObject node) =>
        ElsaJson.String(node["type"]) is not null && ElsaJson.String(node["id"]) is not null && !node.ContainsKey("expression");

    /// <summary>The API's view of a stored version: the document with the row's identity and flags, and its links.</summary>
    public static JsonObject ToResponse(StoredWorkflowDefinition row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var doc = ToExport(row);
        doc["links"] = Links(row.DefinitionId);
        return doc;
    }

    /// <summary>The stored document with the row's identity and flags, without links (what export writes).</summary>
    public static JsonObject ToExport(StoredWorkflowDefinition row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var doc = ElsaJson.ParseObject(row.Json);
        doc.Remove("links");
        doc["id"] = VersionId(row.DefinitionId, row.Version);
        doc["definitionId"] = row.DefinitionId;
        doc["version"] = row.Version;
        doc["isLatest"] = row.IsLatest;
        doc["isPublished"] = row.IsPublished;
        doc["createdAt"] = row.CreatedAt;
        if (string.IsNullOrWhiteSpace(ElsaJson.String(doc["name"]))) doc["name"] = row.Name ?? row.DefinitionId;
        FillEnvelope(doc);
        if (doc["root"] is JsonObject root) FillNodeIds(root, RootParentNodeId);
        return doc;
    }

    /// <summary>A list row (WorkflowDefinitionSummary) with its links.</summary>
    public static JsonObject Summary(StoredWorkflowDefinition row, string? description) => new()
    {
        ["id"] = VersionId(row.DefinitionId, row.Version),
        ["definitionId"] = row.DefinitionId,
        ["name"] = row.Name ?? row.DefinitionId,
        ["description"] = description,
        ["version"] = row.Version,
        ["toolVersion"] = ToolVersion,
        ["isLatest"] = row.IsLatest,
        ["isPublished"] = row.IsPublished,
        ["providerName"] = null,
        ["materializerName"] = "Json",
        ["isMaterializerAvailable"] = true,
        ["createdAt"] = row.CreatedAt,
        ["isReadonly"] = false,
        ["isSystem"] = false,
        ["links"] = Links(row.DefinitionId),
    };

    /// <summary>
    /// Links of one definition. Only endpoints this host serves are linked; <c>publish</c> is what makes
    /// the studio's editor editable.
    /// </summary>
    public static JsonArray Links(string definitionId)
    {
        var id = Uri.EscapeDataString(definitionId);
        return
        [
            Link($"/workflow-definitions/by-definition-id/{id}", "self", "GET"),
            Link($"/workflow-definitions/{id}/execute", "execute", "POST"),
            Link($"/workflow-definitions/{id}/export", "export", "GET"),
            Link($"/workflow-definitions/{id}/publish", "publish", "POST"),
            Link($"/workflow-definitions/{id}/retract", "retract", "POST"),
            Link($"/workflow-definitions/{id}", "delete", "DELETE"),
        ];
    }

    /// <summary>Links of the definition list; <c>bulk-publish</c> is what makes the studio's list editable.</summary>
    public static JsonArray ListLinks() =>
    [
        Link("/workflow-definitions", "self", "GET"),
        Link("/workflow-definitions/validation/is-name-unique", "is-name-unique", "GET"),
        Link("/workflow-definitions", "create", "POST"),
        Link("/workflow-definitions/import", "import", "POST"),
        Link("/bulk-actions/publish/workflow-definitions/by-definition-ids", "bulk-publish", "POST"),
        Link("/bulk-actions/retract/workflow-definitions/by-definition-ids", "bulk-retract", "POST"),
        Link("/bulk-actions/delete/workflow-definitions/by-definition-id", "bulk-delete-by-definition-id", "POST"),
    ];

    /// <summary>Sets the version flags inside a stored document's JSON text.</summary>
    public static string WithFlags(string json, bool isLatest, bool isPublished)
    {
        var doc = ElsaJson.ParseObject(json);
        doc["isLatest"] = isLatest;
        doc["isPublished"] = isPublished;
        return doc.ToJsonString(ElsaJson.Compact);
    }

    /// <summary>The description inside a stored document's JSON text.</summary>
    public static string? Description(string json) => ElsaJson.String(ElsaJson.ParseObject(json)["description"]);

    private static JsonObject DefaultOptions() => new()
    {
        ["activationStrategyType"] = null,
        ["usableAsActivity"] = false,
        ["autoUpdateConsumingWorkflows"] = false,
        ["activityCategory"] = null,
        ["incidentStrategyType"] = null,
        ["commitStrategyName"] = null,
    };

    private static JsonObject Link(string href, string rel, string method) => new() { ["href"] = href, ["rel"] = rel, ["method"] = method };
}
