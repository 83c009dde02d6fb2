using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Simulation;

/// <summary>Readable and machine outputs of a simulation's journal.</summary>
public static class SimulationTimeline
{
    /// <summary>
    /// A readable timeline: one line per local day, milestone and event kind with a count and up to
    /// five units, e.g. <c>23/09/2021 08:00  unit-plan-2021  ReminderSent ×50</c>.
    /// </summary>
    public static string ToText(IReadOnlyList<JournalEntry> journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var sb = new StringBuilder();
        foreach (var group in journal.GroupBy(e => (At: PlanTime.Format(e.At), e.Milestone, e.Event)))
        {
            var units = group.Where(e => e.UnitCode is not null).Select(e => e.UnitCode!).Distinct(StringComparer.Ordinal).ToList();
            var who = units.Count == 0 ? "" : units.Count <= 5 ? " (" + string.Join(", ", units) + ")" : $" ({string.Join(", ", units.Take(5))}, …)";
            sb.AppendLine(CultureInfo.InvariantCulture, $"{group.Key.At}  {group.Key.Milestone ?? "-",-32} {group.Key.Event} ×{group.Count()}{who}");
        }
        return sb.ToString();
    }

    /// <summary>The event log as JSON lines: one journal entry per line, local time with offset, stable key order.</summary>
    public static string ToJsonLines(IReadOnlyList<JournalEntry> journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var sb = new StringBuilder();
        foreach (var e in journal)
        {
            var line = new SortedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["seq"] = e.Sequence,
                ["at"] = PlanTime.ToLocal(e.At).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
                ["event"] = e.Event,
                ["activity"] = e.ActivityId,
                ["unit"] = e.UnitCode,
                ["task"] = e.TaskId,
                ["milestone"] = e.Milestone,
                ["actor"] = e.Actor,
                ["detail"] = e.Detail,
            };
            sb.Append(JsonSerializer.Serialize(line, LineOptions)).Append('\n');
        }
        return sb.ToString();
    }

    private static readonly JsonSerializerOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
