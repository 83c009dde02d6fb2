using System.Text.Json;
using System.Text.Json.Serialization;

namespace WorkflowHost.Engine.Simulation;

/// <summary>
/// What units and the secretariat do in a simulation (<c>config/scenarios/*.json</c>). For each task
/// the LAST matching rule wins, else <see cref="Default"/>. Without a scenario every unit submits two
/// days before the due date and the secretariat accepts the next day.
/// </summary>
public sealed class Scenario
{
    /// <summary>What the scenario shows.</summary>
    public string? Description { get; init; }

    /// <summary>Behaviour of tasks no rule matches.</summary>
    public ScenarioRule Default { get; init; } = new() { Action = "submit", DaysBeforeDue = 2 };

    /// <summary>Days between a submission and the secretariat's review (at 10:00 local).</summary>
    public int ReviewAfterDays { get; init; } = 1;

    /// <summary>Days between a return and the unit's resubmission (at 09:00 local).</summary>
    public int ResubmitAfterDays { get; init; } = 2;

    /// <summary>Rules, later ones win.</summary>
    public IReadOnlyList<ScenarioRule> Rules { get; init; } = [];

    /// <summary>The rule for a task: the last matching rule, else the default.</summary>
    public ScenarioRule RuleFor(string milestone, string unitCode) =>
        Rules.LastOrDefault(r => r.Matches(milestone, unitCode)) ?? Default;

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

    /// <summary>True when the rule applies to the task.</summary>
    public bool Matches(string milestone, string unitCode)
    {
        var milestoneOk = Milestone is null or "*" || (Milestone.EndsWith('*') ? milestone.StartsWith(Milestone[..^1], StringComparison.Ordinal) : milestone == Milestone);
        if (!milestoneOk) return false;
        if (Units.Count == 0) return true;
        _units ??= new HashSet<string>(Units, StringComparer.OrdinalIgnoreCase);
        return _units.Contains(unitCode);
    }

    private HashSet<string>? _units;

    /// <summary>True when the unit never submits.</summary>
    [JsonIgnore]
    public bool Never => string.Equals(Action, "never", StringComparison.OrdinalIgnoreCase);
}
