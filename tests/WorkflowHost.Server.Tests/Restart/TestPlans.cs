using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WorkflowHost.Server.Tests.Restart;

/// <summary>
/// Small Elsa-shaped workflow definitions and generated unit directories for the server-process tests,
/// written as the JSON files the server seeds its catalog from at start.
/// </summary>
internal static class TestPlans
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A unit directory of <paramref name="count"/> units U001… (group KHOI-1), a secretariat and one leader.</summary>
    public static JsonObject UnitDirectory(string name, int count)
    {
        var units = new JsonArray();
        foreach (var code in UnitCodes(count))
        {
            var lower = code.ToLowerInvariant();
            units.Add(new JsonObject
            {
                ["code"] = code,
                ["name"] = $"Đơn vị {code}",
                ["group"] = "KHOI-1",
                ["email"] = UnitEmail(code),
                ["headName"] = $"Thủ trưởng {code}",
                ["headEmail"] = HeadEmail(code),
                ["tags"] = new JsonArray(),
            });
        }

        return new JsonObject
        {
            ["directory"] = name,
            ["name"] = $"Danh bạ thử {name}",
            ["secretariat"] = new JsonObject { ["name"] = "Thường trực Hội đồng Thi đua – Khen thưởng", ["email"] = "secretariat@example.test" },
            ["leaders"] = new JsonArray(new JsonObject { ["name"] = "Chủ tịch UBND", ["title"] = "Chủ tịch", ["email"] = "leader@example.test" }),
            ["groups"] = new JsonArray(new JsonObject { ["code"] = "KHOI-1", ["name"] = "Khối thử" }),
            ["units"] = units,
        };
    }

    /// <summary>U001, U002, … U<paramref name="count"/>.</summary>
    public static IReadOnlyList<string> UnitCodes(int count) =>
        [.. Enumerable.Range(1, count).Select(i => "U" + i.ToString("000", CultureInfo.InvariantCulture))];

    /// <summary>The unit's contact address, u001@example.test.</summary>
    public static string UnitEmail(string code) => $"{code.ToLowerInvariant()}@example.test";

    /// <summary>The unit head's address, head.u001@example.test.</summary>
    public static string HeadEmail(string code) => $"head.{code.ToLowerInvariant()}@example.test";

    /// <summary>A published definition, version 1: Start → ThiDua.ForEachUnit (every unit) whose body is <paramref name="body"/> (a flowchart).</summary>
    public static JsonObject ForEveryUnit(string definitionId, string foreachId, JsonObject body) => new()
    {
        ["id"] = definitionId + "-v1",
        ["definitionId"] = definitionId,
        ["name"] = $"Kế hoạch thử {definitionId}",
        ["version"] = 1,
        ["isLatest"] = true,
        ["isPublished"] = true,
        ["variables"] = new JsonArray(),
        ["root"] = Sequence("root", Activity("start", "Elsa.Start"), ForEachUnit(foreachId, body)),
    };

    /// <summary>As <see cref="ForEveryUnit"/>, but the plan first waits <paramref name="wait"/>: starting it is one small step, and the branches start in a sweep.</summary>
    public static JsonObject ForEveryUnitAfter(string definitionId, string foreachId, TimeSpan wait, JsonObject body)
    {
        var document = ForEveryUnit(definitionId, foreachId, new JsonObject());
        document["root"] = Sequence("root", Activity("start", "Elsa.Start"), Delay("wait-start", wait), ForEachUnit(foreachId, body));
        return document;
    }

    /// <summary>An Elsa.Flowchart running <paramref name="activities"/> one after the other (Done → In).</summary>
    public static JsonObject Sequence(string id, params JsonObject[] activities)
    {
        var connections = new JsonArray();
        for (var i = 1; i < activities.Length; i++)
        {
            connections.Add(new JsonObject
            {
                ["source"] = new JsonObject { ["activity"] = (string)activities[i - 1]["id"]!, ["port"] = "Done" },
                ["target"] = new JsonObject { ["activity"] = (string)activities[i]["id"]!, ["port"] = "In" },
            });
        }

        var flowchart = Activity(id, "Elsa.Flowchart");
        flowchart["activities"] = new JsonArray([.. activities]);
        flowchart["connections"] = connections;
        return flowchart;
    }

    /// <summary>Elsa.Delay of <paramref name="span"/>.</summary>
    public static JsonObject Delay(string id, TimeSpan span)
    {
        var delay = Activity(id, "Elsa.Delay");
        delay["timeSpan"] = Input("TimeSpan", "Literal", span.ToString("c", CultureInfo.InvariantCulture));
        return delay;
    }

    /// <summary>Elsa.SendEmail to <paramref name="to"/> (addresses or tokens such as {unit}, {head}).</summary>
    public static JsonObject SendEmail(string id, string[] to, string subject)
    {
        var send = Activity(id, "Elsa.SendEmail");
        send["to"] = Input("String[]", "Object", JsonSerializer.Serialize(to));
        send["subject"] = Input("String", "Literal", subject);
        send["body"] = Input("String", "Literal", $"<p>{subject}</p>");
        return send;
    }

    /// <summary>
    /// ThiDua.UnitTask due on <paramref name="dueDate"/> (yyyy-MM-dd) with no reminders and the escalation
    /// ladder <paramref name="escalation"/>; a due date in the past sends its latest passed rung at creation.
    /// </summary>
    public static JsonObject UnitTask(string id, string dueDate, params string[] escalation)
    {
        var task = Activity(id, "ThiDua.UnitTask");
        task["kind"] = Input("String", "Literal", "Report");
        task["milestone"] = Input("String", "Literal", "bao-cao-" + id);
        task["title"] = Input("String", "Literal", "Báo cáo kết quả thi đua");
        task["dueDate"] = Input("DateOnly", "Literal", dueDate);
        task["reminderDays"] = Input("Int32[]", "Object", "[]");
        task["escalation"] = Input("String[]", "Object", JsonSerializer.Serialize(escalation));
        return task;
    }

    /// <summary>Writes <paramref name="document"/> as an indented UTF-8 JSON file (folders created).</summary>
    public static void Write(string path, JsonObject document)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, document.ToJsonString(Indented), new UTF8Encoding(false));
    }

    private static JsonObject ForEachUnit(string id, JsonObject body)
    {
        var each = Activity(id, "ThiDua.ForEachUnit");
        each["unitGroups"] = Input("String[]", "Object", "[]");
        each["unitCodes"] = Input("String[]", "Object", "[]");
        each["tags"] = Input("String[]", "Object", "[]");
        each["body"] = body;
        return each;
    }

    private static JsonObject Activity(string id, string type) => new()
    {
        ["id"] = id,
        ["name"] = id,
        ["type"] = type,
        ["version"] = 1,
        ["customProperties"] = new JsonObject(),
        ["metadata"] = new JsonObject(),
    };

    private static JsonObject Input(string typeName, string syntax, string value) => new()
    {
        ["typeName"] = typeName,
        ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = value },
    };
}
