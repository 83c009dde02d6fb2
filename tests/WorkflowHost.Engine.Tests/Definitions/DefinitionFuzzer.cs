using System.Text;
using System.Text.Json.Nodes;

namespace WorkflowHost.Engine.Tests.Definitions;

/// <summary>Generates hostile variants of a valid definition.</summary>
public static class DefinitionFuzzer
{
    private static readonly string[] Mutations =
    [
        "truncate", "garbage", "not-object", "drop-key", "wrong-type", "unknown-type", "dangling", "duplicate-id",
        "bad-deadline", "absurd-date", "javascript", "deep-nesting", "huge", "cycle", "null-values", "bad-port", "negative-reminder", "bad-escalation",
    ];

    public static IEnumerable<(string Name, string Json)> Generate(string valid, int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var mutation = Mutations[i % Mutations.Length];
            yield return ($"{i}:{mutation}", Mutate(valid, mutation, random));
        }
    }

    private static string Mutate(string valid, string mutation, Random random)
    {
        switch (mutation)
        {
            case "truncate": return valid[..random.Next(0, valid.Length)];
            case "garbage": return new string(Enumerable.Range(0, random.Next(1, 400)).Select(_ => (char)random.Next(1, 0x2FF)).ToArray());
            case "not-object": return random.Next(3) switch { 0 => "[]", 1 => "42", _ => "\"plan\"" };
            case "deep-nesting": return Nest(random.Next(40, 400));
            case "huge": return HugeDefinition(random.Next(5_001, 5_100));
        }
        var root = JsonNode.Parse(valid)!.AsObject();
        var activities = AllActivities(root["root"]!.AsObject()).ToList();
        var target = activities[random.Next(activities.Count)];
        switch (mutation)
        {
            case "drop-key":
                var keys = target.Select(k => k.Key).ToList();
                target.Remove(keys[random.Next(keys.Count)]);
                break;
            case "wrong-type":
                var key = target.Select(k => k.Key).ElementAt(random.Next(target.Count));
                target[key] = random.Next(4) switch { 0 => 12345, 1 => new JsonArray(1, 2), 2 => true, _ => JsonValue.Create("") };
                break;
            case "unknown-type": target["type"] = "Acme.Rocket" + random.Next(100); break;
            case "dangling":
                var connections = root["root"]!["connections"]!.AsArray();
                connections.Add(new JsonObject { ["source"] = new JsonObject { ["activity"] = "nope" + random.Next(9), ["port"] = "Done" }, ["target"] = new JsonObject { ["activity"] = "ghost", ["port"] = "In" } });
                break;
            case "duplicate-id": target["id"] = activities[random.Next(activities.Count)]["id"]!.DeepClone(); break;
            case "bad-deadline": SetInput(activities, "dueDate", "Deadline", random.Next(2) == 0 ? "sớm nhất có thể" : "quý V năm 2021"); break;
            case "absurd-date": SetInput(activities, "dueDate", "Literal", random.Next(2) == 0 ? "31/02/2023" : "9999999-01-01"); break;
            case "javascript": SetInput(activities, "title", "JavaScript", "getVariable('x')"); break;
            case "cycle":
                var ids = root["root"]!["activities"]!.AsArray().Select(a => (string)a!["id"]!).ToList();
                root["root"]!["connections"]!.AsArray().Add(new JsonObject { ["source"] = new JsonObject { ["activity"] = ids[^1], ["port"] = "Done" }, ["target"] = new JsonObject { ["activity"] = ids[0], ["port"] = "In" } });
                break;
            case "null-values": foreach (var k in target.Select(k => k.Key).ToList()) target[k] = null; break;
            case "bad-port":
                var first = root["root"]!["connections"]!.AsArray()[0]!.AsObject();
                first["source"]!["port"] = "Sideways";
                break;
            case "negative-reminder": SetInput(activities, "reminderDays", "Object", "[-3]"); break;
            case "bad-escalation": SetInput(activities, "escalation", "Object", "[\"x:boss\"]"); break;
        }
        return root.ToJsonString();
    }

    private static void SetInput(List<JsonObject> activities, string input, string syntax, string value)
    {
        foreach (var a in activities.Where(a => (string?)a["type"] == "ThiDua.UnitTask").Take(1))
            a[input] = new JsonObject { ["typeName"] = "String", ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = value } };
    }

    private static IEnumerable<JsonObject> AllActivities(JsonObject node)
    {
        yield return node;
        if (node["activities"] is JsonArray children)
            foreach (var child in children.OfType<JsonObject>())
                foreach (var a in AllActivities(child)) yield return a;
        if (node["body"] is JsonObject body)
            foreach (var a in AllActivities(body)) yield return a;
    }

    private static string Nest(int depth)
    {
        var sb = new StringBuilder("{\"definitionId\":\"deep\",\"root\":");
        for (var i = 0; i < depth; i++) sb.Append("{\"id\":\"f").Append(i).Append("\",\"type\":\"Elsa.Flowchart\",\"activities\":[");
        sb.Append("{\"id\":\"s\",\"type\":\"Elsa.Start\"}");
        for (var i = 0; i < depth; i++) sb.Append("]}");
        return sb.Append('}').ToString();
    }

    private static string HugeDefinition(int activities)
    {
        var list = new JsonArray();
        for (var i = 0; i < activities; i++) list.Add(new JsonObject { ["id"] = $"a{i}", ["type"] = "Elsa.Start" });
        return new JsonObject { ["definitionId"] = "huge", ["root"] = new JsonObject { ["id"] = "root", ["type"] = "Elsa.Flowchart", ["activities"] = list } }.ToJsonString();
    }
}
