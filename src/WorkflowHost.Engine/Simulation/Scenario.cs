using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace WorkflowHost.Engine.Simulation;

/// <summary>
/// What units and the secretariat do in a simulation (<c>config/scenarios/*.json</c>). For each task
/// the LAST matching rule wins, else <see cref="Default"/>. Without a scenario every unit submits two
/// days before the due date and the secretariat accepts the next day.
/// <para>A submission's content is <c>{"note": "Hồ sơ mô phỏng"}</c>, plus the exemplar rows of the
/// last matching <see cref="Exemplars"/> entry, if any (<c>"exemplars": [{kind, name, movement}]</c>,
/// the form's rows): accepted registrations and nominations count them towards the unit's quotas.</para>
/// </summary>
public sealed class Scenario
{
    /// <summary>What the scenario shows.</summary>
    public string? Description { get; init; }

    /// <summary>Behaviour of tasks no rule matches.</summary>
    public ScenarioRule Default { get; init; } = new() { Action = "submit", DaysBeforeDue = 2 };

    /// <summary>
    /// Units submit and the secretariat reviews on working days of the runtime's calendar (default true;
    /// no calendar = every day works). A submission day that is a day off moves to the next working day,
    /// unless that would carry an on-time submission past the due date: then it moves to the last working
    /// day before (so a unit planned on time stays on time). Reviews and resubmissions move to the next
    /// working day. False = the scenario's days as they are, holidays included.
    /// </summary>
    public bool WorkingDaysOnly { get; init; } = true;

    /// <summary>Days between a submission and the secretariat's review (at 10:00 local).</summary>
    public int ReviewAfterDays { get; init; } = 1;

    /// <summary>Days between a return and the unit's resubmission (at 09:00 local).</summary>
    public int ResubmitAfterDays { get; init; } = 2;

    /// <summary>Rules, later ones win.</summary>
    public IReadOnlyList<ScenarioRule> Rules { get; init; } = [];

    /// <summary>Exemplar rows submitted per milestone (pattern) and units; the last matching entry wins.</summary>
    public IReadOnlyList<ScenarioExemplars> Exemplars { get; init; } = [];

    /// <summary>The rule for a task: the last matching rule, else the default.</summary>
    public ScenarioRule RuleFor(string milestone, string unitCode) =>
        Rules.LastOrDefault(r => r.Matches(milestone, unitCode)) ?? Default;

    /// <summary>The content a unit submits for a task: a note, and the rows of the last matching <see cref="Exemplars"/> entry.</summary>
    public JsonObject ContentFor(string milestone, string unitCode)
    {
        var content = new JsonObject { ["note"] = "Hồ sơ mô phỏng" };
        if (Exemplars.LastOrDefault(e => ScenarioRule.Matches(e.Milestone, e.Units, milestone, unitCode)) is { } entry)
            content["exemplars"] = new JsonArray([.. entry.Rows.SelectMany(r => Enumerable.Range(1, Math.Max(1, r.Count)).Select(i => (JsonNode)new JsonObject
            {
                ["kind"] = r.Kind,
                ["name"] = r.Count > 1 ? $"{r.Name} {i}" : r.Name,
                ["movement"] = r.Movement,
            }))]);
        return content;
    }

    /// <summary>Reads a scenario file.</summary>
    /// <exception cref="JsonException">Malformed JSON.</exception>
    public static Scenario Parse(string json) => JsonSerializer.Deserialize<Scenario>(json, Options) ?? new Scenario();

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
}

/// <summary>One scenario rule.</summary>
public sealed class ScenarioRule
{
    /// <summary>Milestone key, a prefix ending in "*", or "*" (all); null = all.</summary>
    public string? Milestone { get; init; }

    /// <summary>Unit codes; empty = all units.</summary>
    public IReadOnlyList<string> Units { get; init; } = [];

    /// <summary>"submit" or "never".</summary>
    public string Action { get; init; } = "submit";

    /// <summary>Submit this many days before the due date (09:00 local).</summary>
    public int? DaysBeforeDue { get; init; }

    /// <summary>Submit this many days after the due date (09:00 local).</summary>
    public int? DaysAfterDue { get; init; }

    /// <summary>The secretariat returns the first submission with <see cref="Comment"/>.</summary>
    public bool ReturnOnce { get; init; }

    /// <summary>The return comment (may contain HTML special characters; it is escaped in emails).</summary>
    public string? Comment { get; init; }

    // Units as a set, built on first use: a generated scenario's rule lists thousands of units and is asked once per task (issue 13).
    private HashSet<string>? _unitSet;

    /// <summary>True when the rule applies to the task.</summary>
    public bool Matches(string milestone, string unitCode) =>
        Matches(Milestone, [], milestone, unitCode) && (Units.Count == 0 || (_unitSet ??= new HashSet<string>(Units, StringComparer.OrdinalIgnoreCase)).Contains(unitCode));

    /// <summary>True when <paramref name="pattern"/> (a key, a prefix ending in "*", "*" or null) and <paramref name="units"/> (empty = all) select the task.</summary>
    public static bool Matches(string? pattern, IReadOnlyList<string> units, string milestone, string unitCode)
    {
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(milestone);
        var milestoneOk = pattern is null or "*" || (pattern.EndsWith('*') ? milestone.StartsWith(pattern[..^1], StringComparison.Ordinal) : milestone == pattern);
        return milestoneOk && (units.Count == 0 || units.Contains(unitCode, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>True when the unit never submits.</summary>
    [JsonIgnore]
    public bool Never => string.Equals(Action, "never", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Exemplar rows that <see cref="Units"/> submit for the tasks of <see cref="Milestone"/>.</summary>
public sealed class ScenarioExemplars
{
    /// <summary>Milestone key, a prefix ending in "*", or "*" (all); null = all.</summary>
    public string? Milestone { get; init; }

    /// <summary>Unit codes; empty = all units.</summary>
    public IReadOnlyList<string> Units { get; init; } = [];

    /// <summary>The rows.</summary>
    public IReadOnlyList<ScenarioExemplarRow> Rows { get; init; } = [];
}

/// <summary>
/// One exemplar row of a simulated registration or nomination, repeated <see cref="Count"/> times
/// (names then numbered " 1", " 2", …).
/// </summary>
public sealed class ScenarioExemplarRow
{
    /// <summary>collective, individual, household or model.</summary>
    public string Kind { get; init; } = "collective";

    /// <summary>Name of the exemplar.</summary>
    public string Name { get; init; } = "Điển hình mô phỏng";

    /// <summary>Movement, as the quota names it.</summary>
    public string? Movement { get; init; }

    /// <summary>How many such rows.</summary>
    public int Count { get; init; } = 1;
}
