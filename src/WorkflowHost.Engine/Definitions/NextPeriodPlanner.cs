using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace WorkflowHost.Engine.Definitions;

/// <summary>
/// Reusing a plan for the next period (issue 5, point 6; domain.md "The yearly timeline"): proposes a
/// copy of a workflow definition with every date moved by whole years — StartAt instants, ISO dates,
/// Deadline phrases ("trước ngày 15/10/2021" → "trước ngày 15/10/2026", "trong quý III năm 2021" →
/// "… năm 2026"), From/To of recurring tasks and quotas — and the years in milestones, titles, the
/// name and the definition id ("2021-2025" → "2026-2030"). With 5 years the mid-term review of
/// 11/6/2023 becomes 11/6/2028 (the 80th anniversary of the call for patriotic emulation) and the
/// 2025 congress 2030. 29/2 becomes 28/2 in a non-leap year. Descriptions are kept: they cite the
/// old plan's clauses, and the secretariat reviews them with the proposed dates before starting.
/// Activity ids, fork branch names and ports are kept (they are internal names).
/// </summary>
public static partial class NextPeriodPlanner
{
    /// <summary>Inputs whose text is a name carrying a year (shifted); other text inputs are kept.</summary>
    private static readonly HashSet<string> NamedInputs = new(StringComparer.OrdinalIgnoreCase) { "milestone", "title" };

    /// <summary>Proposes the next period's definition.</summary>
    /// <param name="definition">The source definition JSON (Elsa 3 shape); not modified.</param>
    /// <param name="years">Whole years to add, 1–50 (usually 5).</param>
    /// <param name="newDefinitionId">Id of the new definition; null = the source id with its years moved.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="years"/> is outside 1–50.</exception>
    public static NextPeriodProposal Propose(JsonObject definition, int years, string? newDefinitionId = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentOutOfRangeException.ThrowIfLessThan(years, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(years, 50);
        var copy = (JsonObject)definition.DeepClone();
        var changes = new List<ProposedChange>();
        var id = (string?)copy["definitionId"] ?? "";
        copy["definitionId"] = newDefinitionId ?? ShiftYears(id, years);
        if ((string?)copy["name"] is { } name) copy["name"] = ShiftYears(name, years);
        if ((string?)copy["createdAt"] is { } created && DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.None, out var c))
            copy["createdAt"] = c.AddYears(years).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        copy.Remove("id");
        copy["version"] = 1;
        copy["isPublished"] = false;
        copy["isLatest"] = true;
        Visit(copy["root"], null, null, years, changes);
        return new NextPeriodProposal((string)copy["definitionId"]!, copy, changes);
    }

    private static void Visit(JsonNode? node, string? activityId, string? key, int years, List<ProposedChange> changes)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array) Visit(item, activityId, null, years, changes);
                break;
            case JsonObject o when o["expression"] is JsonObject expression && key is not null:
                ShiftInput(o, expression, activityId ?? "?", key, years, changes);
                break;
            case JsonObject o:
                var id = o["type"] is not null && (string?)o["id"] is { } own ? own : activityId;
                foreach (var (name, child) in o.ToList())
                    if (name is not ("metadata" or "customProperties" or "connections")) Visit(child, id, name, years, changes);
                break;
        }
    }

    private static void ShiftInput(JsonObject input, JsonObject expression, string activityId, string key, int years, List<ProposedChange> changes)
    {
        if (expression["value"] is not JsonValue v || !v.TryGetValue<string>(out var text) || string.IsNullOrWhiteSpace(text)) return;
        var type = (string?)expression["type"];
        var typeName = (string?)input["typeName"] ?? "";
        string shifted;
        if (type == "Deadline") shifted = ShiftPhrase(text, years);
        else if (type == "Literal" && (typeName is "DateOnly" or "DateTimeOffset" or "DateTime" || IsoDate().IsMatch(text))) shifted = ShiftIso(text, years);
        else if (type == "Literal" && NamedInputs.Contains(key)) shifted = ShiftYears(text, years);
        else return;
        if (shifted == text) return;
        expression["value"] = shifted;
        changes.Add(new ProposedChange(activityId, key, text, shifted));
    }

    /// <summary>Moves an ISO date or instant ("2021-09-01", "2021-09-01T08:00:00+07:00") by whole years; other text unchanged.</summary>
    public static string ShiftIso(string text, int years)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date.AddYears(years).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) && HasOffset().IsMatch(text))
            return instant.AddYears(years).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return local.AddYears(years).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        return ShiftPhrase(text, years);
    }

    /// <summary>Moves the dates (d/M/yyyy) and years (yyyy) of a deadline phrase by whole years, keeping its wording.</summary>
    public static string ShiftPhrase(string phrase, int years)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        return DateOrYear().Replace(phrase, m =>
        {
            if (!m.Groups["y"].Success) return (int.Parse(m.Value, CultureInfo.InvariantCulture) + years).ToString(CultureInfo.InvariantCulture);
            var (d, mo, y) = (int.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture));
            if (mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo)) return m.Value;
            var moved = new DateOnly(y, mo, d).AddYears(years);
            var day = m.Groups["d"].Value.Length == 2 ? moved.Day.ToString("00", CultureInfo.InvariantCulture) : moved.Day.ToString(CultureInfo.InvariantCulture);
            var month = m.Groups["m"].Value.Length == 2 ? moved.Month.ToString("00", CultureInfo.InvariantCulture) : moved.Month.ToString(CultureInfo.InvariantCulture);
            return $"{day}{m.Groups["s1"].Value}{month}{m.Groups["s2"].Value}{moved.Year.ToString(CultureInfo.InvariantCulture)}";
        });
    }

    /// <summary>Adds <paramref name="years"/> to every year 1900–2199 in a name ("năm 2021", "2021-2025").</summary>
    public static string ShiftYears(string text, int years)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Year().Replace(text, m => (int.Parse(m.Value, CultureInfo.InvariantCulture) + years).ToString(CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"(?<d>\b\d{1,2})(?<s1>[/.-])(?<m>\d{1,2})(?<s2>[/.-])(?<y>\d{4})\b|(?<!\d)(?:19|20|21)\d{2}(?!\d)")]
    private static partial Regex DateOrYear();

    [GeneratedRegex(@"(?<!\d)(?:19|20|21)\d{2}(?!\d)")]
    private static partial Regex Year();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}")]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"(Z|[+-]\d\d:?\d\d)$")]
    private static partial Regex HasOffset();
}

/// <summary>A proposed next-period definition and every change made to it, for the secretariat to review.</summary>
/// <param name="DefinitionId">The new definition id.</param>
/// <param name="Definition">The new definition JSON (version 1, unpublished).</param>
/// <param name="Changes">Each input changed, in document order.</param>
public sealed record NextPeriodProposal(string DefinitionId, JsonObject Definition, IReadOnlyList<ProposedChange> Changes);

/// <summary>One changed input.</summary>
/// <param name="ActivityId">Activity id.</param>
/// <param name="Input">Input name, e.g. "dueDate", "dateTime", "milestone".</param>
/// <param name="Old">Old expression text.</param>
/// <param name="New">Proposed expression text.</param>
public sealed record ProposedChange(string ActivityId, string Input, string Old, string New);
