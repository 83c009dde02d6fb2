using System.Text.Json.Nodes;

namespace WorkflowHost.Engine.Quotas;

/// <summary>
/// One row of a registration or nomination of exemplars (issue 4's form): kind, name, position or
/// address, movement (from the plan's list), field and short achievements. In a submission's content
/// JSON the rows are <c>{"exemplars": [{"kind": "collective", "name": "…", "position": "…",
/// "movement": "…", "field": "…", "achievements": "…"}]}</c>; <c>kind</c> is the enum name in any case.
/// </summary>
public sealed record ExemplarEntry(ExemplarKind Kind, string Name, string? Position, string? Movement, string? Field, string? Achievements)
{
    /// <summary>
    /// Reads the exemplar rows of a submission's content JSON; rows that are not objects or have no
    /// valid kind and name are ignored (the submission endpoint validates them before they get here).
    /// </summary>
    public static IReadOnlyList<ExemplarEntry> ReadAll(string? contentJson)
    {
        if (string.IsNullOrWhiteSpace(contentJson)) return [];
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(contentJson);
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
        if (root is not JsonObject o || o["exemplars"] is not JsonArray rows) return [];
        var result = new List<ExemplarEntry>();
        foreach (var row in rows)
        {
            if (row is not JsonObject r || Text(r, "name") is not { } name || Text(r, "kind") is not { } kindText
                || !Enum.TryParse<ExemplarKind>(kindText, ignoreCase: true, out var kind) || int.TryParse(kindText, out _)) continue;
            result.Add(new ExemplarEntry(kind, name, Text(r, "position"), Text(r, "movement"), Text(r, "field"), Text(r, "achievements")));
        }
        return result;
    }

    /// <summary>Counts rows by kind, only those of <paramref name="movement"/> when given (ordinal, case-insensitive, trimmed).</summary>
    public static ExemplarCounts Count(IEnumerable<ExemplarEntry> entries, string? movement = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var counts = new ExemplarCounts();
        foreach (var e in entries)
            if (movement is null || string.Equals(e.Movement?.Trim(), movement.Trim(), StringComparison.OrdinalIgnoreCase))
                counts[e.Kind]++;
        return counts;
    }

    private static string? Text(JsonObject row, string name) =>
        row[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
}
