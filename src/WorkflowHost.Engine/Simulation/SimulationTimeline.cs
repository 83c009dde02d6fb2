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
    /// A readable timeline: one line per local minute, milestone and event kind with a count and up to
    /// five units, e.g. <c>23/09/2021 08:00  unit-plan-2021  ReminderSent ×50</c>; MinimumShortfall entries
    /// get a line each, with the unit and what it lacks, after the minute's counted lines.
    /// </summary>
    public static string ToText(IReadOnlyList<JournalEntry> journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        // The same lines as the streamed writer's (the journal's instants never go back).
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var writer = new Writer(text);
        writer.Add(journal);
        writer.Finish();
        return text.ToString();
    }

    /// <summary>Entries the timeline lists one per line with their unit and detail instead of counting them: MinimumShortfall (issue 15.1).</summary>
    private static bool ListedAlone(JournalEntry e) => e.Event == "MinimumShortfall";

    private static string AloneLine(JournalEntry e) =>
        string.Create(CultureInfo.InvariantCulture, $"{PlanTime.Format(e.At)}  {e.Milestone ?? "-",-32} {e.Event} {e.UnitCode}: {e.Detail}");

    /// <summary>The event log as JSON lines: one journal entry per line, local time with offset, stable key order.</summary>
    public static string ToJsonLines(IReadOnlyList<JournalEntry> journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var sb = new StringBuilder();
        foreach (var e in journal) sb.Append(ToJsonLine(e)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Appends <paramref name="entries"/> to an event log as JSON lines, exactly as <see cref="ToJsonLines"/> writes them.</summary>
    public static void WriteJsonLines(TextWriter writer, IReadOnlyList<JournalEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var e in entries)
        {
            writer.Write(ToJsonLine(e));
            writer.Write('\n');
        }
    }

    private static string ToJsonLine(JournalEntry e)
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
            return JsonSerializer.Serialize(line, LineOptions);
    }

    /// <summary>
    /// Writes the readable timeline of <see cref="ToText"/> as steps commit: entries are grouped per
    /// minute (the timeline's resolution), and a minute's lines are written once a later minute begins
    /// (or at <see cref="Finish"/>). The journal's instants never go back, so the lines are the same as
    /// <see cref="ToText"/>'s over the whole journal.
    /// </summary>
    public sealed class Writer(TextWriter writer)
    {
        private readonly Dictionary<(string? Milestone, string Event), (int Count, List<string> Units)> _groups = [];
        private readonly List<JournalEntry> _alone = [];
        private readonly List<(string? Milestone, string Event)> _order = [];
        private string? _at;

        /// <summary>Adds one step's entries.</summary>
        public void Add(IReadOnlyList<JournalEntry> entries)
        {
            ArgumentNullException.ThrowIfNull(entries);
            foreach (var e in entries)
            {
                var at = PlanTime.Format(e.At);
                if (at != _at) Finish();
                _at = at;
                if (ListedAlone(e))
                {
                    _alone.Add(e);
                    continue;
                }
                var key = (e.Milestone, e.Event);
                if (!_groups.TryGetValue(key, out var group))
                {
                    group = (0, []);
                    _order.Add(key);
                }
                // Up to six distinct units: five are named, a sixth only says "…".
                if (e.UnitCode is { } unit && group.Units.Count <= 5 && !group.Units.Contains(unit, StringComparer.Ordinal)) group.Units.Add(unit);
                _groups[key] = (group.Count + 1, group.Units);
            }
        }

        /// <summary>Writes the pending minute's lines.</summary>
        public void Finish()
        {
            foreach (var key in _order)
            {
                var (count, units) = _groups[key];
                var who = units.Count == 0 ? "" : units.Count <= 5 ? " (" + string.Join(", ", units) + ")" : $" ({string.Join(", ", units.Take(5))}, …)";
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{_at}  {key.Milestone ?? "-",-32} {key.Event} ×{count}{who}"));
                writer.Write(Environment.NewLine);
            }
            foreach (var e in _alone)
            {
                writer.Write(AloneLine(e));
                writer.Write(Environment.NewLine);
            }
            _groups.Clear();
            _order.Clear();
            _alone.Clear();
        }
    }

    private static readonly JsonSerializerOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
