using System.Text.Json.Nodes;

namespace WorkflowHost.Server.Tests.Designer;

/// <summary>Workflow definition models shaped as Elsa Studio 3.8 posts them (see Examples/).</summary>
internal static class StudioModels
{
    public static JsonObject Read(string file) => (JsonObject)JsonNode.Parse(File.ReadAllText(Infrastructure.RepoPaths.Of(file)))!;

    public static JsonObject Example(string name) => Read($"tests/WorkflowHost.Server.Tests/Designer/Examples/{name}");

    public static JsonObject Input(string typeName, string syntax, string value) =>
        new() { ["typeName"] = typeName, ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = value } };

    /// <summary>An activity as the studio writes it (no nodeId: the server fills it in).</summary>
    public static JsonObject Activity(string id, string type, int x = 0, params (string Name, JsonNode Value)[] inputs)
    {
        var activity = new JsonObject
        {
            ["id"] = id,
            ["name"] = type.Split('.')[^1] + "1",
            ["type"] = type,
            ["version"] = 1,
            ["customProperties"] = new JsonObject { ["canStartWorkflow"] = false, ["runAsynchronously"] = false },
            ["metadata"] = new JsonObject { ["designer"] = new JsonObject { ["position"] = new JsonObject { ["x"] = x, ["y"] = 0 }, ["size"] = new JsonObject { ["width"] = 180, ["height"] = 54 } } },
        };
        foreach (var (name, value) in inputs) activity[name] = value;
        return activity;
    }

    public static JsonObject Connection(string source, string target, string port = "Done") => new()
    {
        ["source"] = new JsonObject { ["activity"] = source, ["port"] = port },
        ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" },
        ["vertices"] = new JsonArray(),
    };

    public static JsonObject Flowchart(string id, JsonArray activities, JsonArray connections) => new()
    {
        ["id"] = id,
        ["name"] = "Flowchart1",
        ["type"] = "Elsa.Flowchart",
        ["version"] = 1,
        ["customProperties"] = new JsonObject(),
        ["metadata"] = new JsonObject(),
        ["activities"] = activities,
        ["connections"] = connections,
    };

    public static JsonObject Model(string? definitionId, string name, JsonObject root) => new()
    {
        ["definitionId"] = definitionId,
        ["name"] = name,
        ["description"] = null,
        ["toolVersion"] = "3.8.0.0",
        ["variables"] = new JsonArray(),
        ["inputs"] = new JsonArray(),
        ["outputs"] = new JsonArray(),
        ["outcomes"] = new JsonArray(),
        ["customProperties"] = new JsonObject(),
        ["isReadonly"] = false,
        ["options"] = new JsonObject { ["activationStrategyType"] = null, ["usableAsActivity"] = false, ["autoUpdateConsumingWorkflows"] = false },
        ["root"] = root,
        ["links"] = null,
        ["createdAt"] = "2026-01-01T00:00:00+00:00",
        ["version"] = 1,
        ["isLatest"] = true,
        ["isPublished"] = false,
        ["id"] = definitionId is null ? null : definitionId + "-v1",
    };

    /// <summary>A UnitTask as the designer builds it: the due date as a Deadline phrase.</summary>
    public static JsonObject UnitTask(string id, string milestone, string dueSyntax, string due, string? unitCode = null)
    {
        var task = Activity(id, "ThiDua.UnitTask", 0,
            ("kind", Input("String", "Literal", "Registration")),
            ("milestone", Input("String", "Literal", milestone)),
            ("title", Input("String", "Literal", "Đăng ký mô hình, điển hình năm 2021")),
            ("dueDate", Input("DateOnly", dueSyntax, due)));
        if (unitCode is not null) task["unitCode"] = Input("String", "Literal", unitCode);
        return task;
    }

    /// <summary>
    /// Start → ForEachUnit (groups) with a body flowchart holding one UnitTask → End, built from scratch
    /// the way the designer builds it: no node ids, only the inputs that were edited.
    /// </summary>
    public static JsonObject ForEachUnitPlan(string? definitionId, string due, string groupsJson = "[\"KHOI-QLNN\"]")
    {
        var body = Flowchart("body-1", [UnitTask("task-1", "registration-2021", "Deadline", due)], []);
        var each = Activity("each-1", "ThiDua.ForEachUnit", 200, ("unitGroups", Input("String[]", "Object", groupsJson)), ("body", body));
        var root = Flowchart("root-1",
            [Activity("start-1", "Elsa.Start", -200), each, Activity("end-1", "Elsa.End", 400)],
            [Connection("start-1", "each-1"), Connection("each-1", "end-1")]);
        return Model(definitionId, "Đăng ký thi đua khối quản lý nhà nước", root);
    }
}
