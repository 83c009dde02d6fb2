using System.Text.Json.Nodes;

namespace WorkflowHost.Engine.Tests.Infrastructure;

/// <summary>
/// Builds Elsa-3-shaped definitions for tests, in the shape Elsa Studio 3.8 saves: activities with typed
/// inputs <c>{typeName, expression: {type, value}}</c>, connections
/// <c>{source: {activity, port}, target: {activity, port}}</c>, flowcharts nested as activities or bodies.
/// An instance is one flowchart; <see cref="Build"/> wraps it as the root of a definition, and
/// <see cref="AsActivity"/> nests it. Node ids are left out on purpose: the reader fills them in.
/// Usage: <c>new DefinitionBuilder().Add(Start(), End()).Chain("start", "end").Build()</c> with
/// <c>using static DefinitionBuilder</c> for the factories.
/// </summary>
internal sealed class DefinitionBuilder(string id = "root")
{
    private readonly List<JsonObject> _activities = [];
    private readonly List<JsonObject> _connections = [];
    private readonly List<JsonObject> _variables = [];

    /// <summary>Adds activities (objects from the factories below, or hand-written JSON).</summary>
    public DefinitionBuilder Add(params JsonObject[] activities)
    {
        _activities.AddRange(activities);
        return this;
    }

    /// <summary>Connects <paramref name="source"/>'s outcome <paramref name="port"/> to <paramref name="target"/>'s In port.</summary>
    public DefinitionBuilder Connect(string source, string target, string port = "Done")
    {
        _connections.Add(new JsonObject
        {
            ["source"] = new JsonObject { ["activity"] = source, ["port"] = port },
            ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" },
            ["vertices"] = new JsonArray(),
        });
        return this;
    }

    /// <summary>Connects each activity's Done port to the next one.</summary>
    public DefinitionBuilder Chain(params string[] ids)
    {
        for (var i = 1; i < ids.Length; i++) Connect(ids[i - 1], ids[i]);
        return this;
    }

    /// <summary>Adds a raw connection object (e.g. the Elsa 3.0 flat format).</summary>
    public DefinitionBuilder AddConnection(JsonObject connection)
    {
        _connections.Add(connection);
        return this;
    }

    /// <summary>Declares a workflow variable (Elsa stores the initial value as a string).</summary>
    public DefinitionBuilder Variable(string name, string value, string typeName = "Object")
    {
        _variables.Add(new JsonObject { ["id"] = name, ["name"] = name, ["typeName"] = typeName, ["isArray"] = false, ["value"] = value });
        return this;
    }

    /// <summary>This flowchart as an <c>Elsa.Flowchart</c> activity (to nest, or as a ForEachUnit body).</summary>
    public JsonObject AsActivity() => new()
    {
        ["id"] = id,
        ["type"] = "Elsa.Flowchart",
        ["version"] = 1,
        ["activities"] = new JsonArray([.. _activities.Select(a => (JsonNode)a.DeepClone())]),
        ["connections"] = new JsonArray([.. _connections.Select(c => (JsonNode)c.DeepClone())]),
    };

    /// <summary>The whole definition document with this flowchart as its root.</summary>
    public JsonObject BuildObject(string definitionId = "test") => new()
    {
        ["id"] = definitionId + "-v1",
        ["definitionId"] = definitionId,
        ["name"] = "Quy trình thử nghiệm",
        ["version"] = 1,
        ["isLatest"] = true,
        ["isPublished"] = true,
        ["variables"] = new JsonArray([.. _variables.Select(v => (JsonNode)v.DeepClone())]),
        ["root"] = AsActivity(),
    };

    /// <summary>The whole definition as JSON text.</summary>
    public string Build(string definitionId = "test") => BuildObject(definitionId).ToJsonString();

    // ---- inputs ----

    /// <summary>A typed input with an expression of the given syntax.</summary>
    public static JsonObject Input(string syntax, JsonNode? value, string? typeName = "String") => new()
    {
        ["typeName"] = typeName,
        ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = value },
    };

    /// <summary>A Literal input.</summary>
    public static JsonObject Literal(string value, string typeName = "String") => Input("Literal", value, typeName);

    /// <summary>An Object input (JSON text), e.g. <c>[7,1]</c>.</summary>
    public static JsonObject ObjectInput(string json, string typeName = "Object") => Input("Object", json, typeName);

    /// <summary>A Variable input naming a workflow variable.</summary>
    public static JsonObject VariableInput(string name, string typeName = "Object") => Input("Variable", name, typeName);

    /// <summary>A list of strings as an Object input.</summary>
    public static JsonObject Strings(params string[] values) =>
        ObjectInput(new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]).ToJsonString(), "String[]");

    // ---- activities ----

    /// <summary>Any activity with the given inputs (camelCase names).</summary>
    public static JsonObject Activity(string id, string type, params (string Name, JsonNode? Value)[] inputs)
    {
        var activity = new JsonObject { ["id"] = id, ["type"] = type, ["version"] = 1 };
        foreach (var (name, value) in inputs) activity[name] = value;
        return activity;
    }

    public static JsonObject Start(string id = "start") => Activity(id, "Elsa.Start");

    public static JsonObject End(string id = "end") => Activity(id, "Elsa.End");

    /// <summary>Sets <paramref name="variable"/> to <paramref name="value"/> (JSON text or a plain string).</summary>
    public static JsonObject SetVariable(string id, string variable, string value) => Activity(id, "Elsa.SetVariable",
        ("variable", new JsonObject { ["id"] = variable, ["name"] = variable, ["typeName"] = "Object" }),
        ("value", Literal(value, "Object")));

    public static JsonObject Delay(string id, string timeSpan) => Activity(id, "Elsa.Delay", ("timeSpan", Literal(timeSpan, "TimeSpan")));

    public static JsonObject Timer(string id, string interval) => Activity(id, "Elsa.Timer", ("interval", Literal(interval, "TimeSpan")));

    public static JsonObject StartAt(string id, string dateTime) => Activity(id, "Elsa.StartAt", ("dateTime", Literal(dateTime, "DateTimeOffset")));

    public static JsonObject Event(string id, string name) => Activity(id, "Elsa.Event", ("eventName", Literal(name)));

    public static JsonObject Fork(string id, params string[] branches) => Activity(id, "Elsa.FlowFork", ("branches", Strings(branches)));

    public static JsonObject Join(string id, string mode = "WaitAll") => Activity(id, "Elsa.FlowJoin",
        ("mode", Literal(mode, "Elsa.Workflows.Activities.Flowchart.Models.FlowJoinMode, Elsa.Workflows.Core")));

    public static JsonObject Decision(string id, JsonObject condition) => Activity(id, "Elsa.FlowDecision", ("condition", condition));

    public static JsonObject SendEmail(string id, string[] to, string subject, string body) => Activity(id, "Elsa.SendEmail",
        ("to", Strings(to)), ("subject", Literal(subject)), ("body", Literal(body)));

    /// <summary>A ForEachUnit with a body (a flowchart from <see cref="AsActivity"/> or any activity). Null selections are left out.</summary>
    public static JsonObject ForEachUnit(string id, JsonObject body, string[]? groups = null, string[]? codes = null, string[]? tags = null)
    {
        var activity = Activity(id, "ThiDua.ForEachUnit");
        if (groups is not null) activity["unitGroups"] = Strings(groups);
        if (codes is not null) activity["unitCodes"] = Strings(codes);
        if (tags is not null) activity["tags"] = Strings(tags);
        activity["body"] = body;
        return activity;
    }

    /// <summary>
    /// A UnitTask due on <paramref name="dueDate"/> (an ISO date or a Deadline phrase). Null ladder
    /// inputs are left out so the activity's defaults apply ([7,1] and 0:unit, 3:head, 7:secretariat,leaders).
    /// </summary>
    public static JsonObject UnitTask(string id, string dueDate, string milestone = "bao-cao-2024", string? unitCode = null,
        int[]? reminderDays = null, string[]? escalation = null, string title = "Báo cáo kết quả thi đua năm 2024", string kind = "Report")
    {
        var activity = Activity(id, "ThiDua.UnitTask",
            ("kind", Literal(kind)),
            ("milestone", Literal(milestone)),
            ("title", Literal(title)),
            ("dueDate", Input(dueDate.Contains('-', StringComparison.Ordinal) && dueDate.Length == 10 ? "Literal" : "Deadline", dueDate, "DateOnly")));
        if (unitCode is not null) activity["unitCode"] = Literal(unitCode);
        if (reminderDays is not null) activity["reminderDays"] = ObjectInput("[" + string.Join(",", reminderDays) + "]", "Int32[]");
        if (escalation is not null) activity["escalation"] = Strings(escalation);
        return activity;
    }
}
