using System.Globalization;
using System.Text;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Simulation;

/// <summary>Counts per milestone and in total, computed from a <see cref="SimulationResult"/>.</summary>
public sealed class SimulationSummary
{
    private readonly SimulationCounters _counters;

    private SimulationSummary(IReadOnlyList<MilestoneSummary> milestones, IReadOnlyDictionary<MailKind, int> emails, SimulationCounters counters) =>
        (Milestones, Emails, _counters) = (milestones, emails, counters);

    /// <summary>Per milestone, ordered by due date.</summary>
    public IReadOnlyList<MilestoneSummary> Milestones { get; }

    /// <summary>Emails queued per kind (from the journal: one entry per email).</summary>
    public IReadOnlyDictionary<MailKind, int> Emails { get; }

    /// <summary>Tasks not closed at the end (open, submitted or returned), by due date, milestone and unit.</summary>
    public IReadOnlyList<UnitTaskRecord> OpenTasks { get; private init; } = [];

    /// <summary>Tasks with a minimum (registrations and nominations that must list so many exemplars), by due date, milestone and unit.</summary>
    public IReadOnlyList<UnitTaskRecord> MinimumTasks { get; private init; } = [];

    /// <summary>True when the journal has the instance's WorkflowFinished entry.</summary>
    public bool Finished => _counters.Total("WorkflowFinished") > 0;

    /// <summary>Computes the summary from a result that kept its journal and tasks.</summary>
    public static SimulationSummary From(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var counters = new SimulationCounters();
        counters.Add(result.Journal);
        return From(counters, result.Tasks);
    }

    /// <summary>Computes the summary from counters streamed as steps committed and the tasks at the end.</summary>
    public static SimulationSummary From(SimulationCounters counters, IReadOnlyList<UnitTaskRecord> tasks)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(tasks);
        var milestones = tasks.GroupBy(t => t.Milestone, StringComparer.Ordinal)
            .Select(g =>
            {
                int Count(string name) => counters.TaskEvents(g.Key, name);
                return new MilestoneSummary(
                    g.Key, g.First().Title, g.Min(t => t.DueDate), g.Count(),
                    g.Count(t => t.Status == UnitTaskStatus.Done), g.Count(t => t.Status == UnitTaskStatus.DoneLate), g.Count(t => !t.IsClosed),
                    Count("Returned"), Count("ReminderSent"), Count("OverdueNoticeSent"), Count("EscalationSent"),
                    counters.Digests(g.Key));
            })
            .OrderBy(m => m.DueDate).ThenBy(m => m.Milestone, StringComparer.Ordinal).ToList();
        var emails = new SortedDictionary<MailKind, int>
        {
            [MailKind.Reminder] = counters.Total("ReminderSent"),
            [MailKind.OverdueNotice] = counters.Total("OverdueNoticeSent"),
            [MailKind.Escalation] = counters.Total("EscalationSent"),
            [MailKind.EscalationDigest] = counters.Total("EscalationDigestSent"),
            [MailKind.SubmissionReturned] = counters.Total("Returned"),
            [MailKind.SubmissionAccepted] = counters.Total("Accepted"),
        };
        return new SimulationSummary(milestones, emails, counters)
        {
            MinimumTasks = [.. tasks.Where(t => t.Minimum.Length > 0).OrderBy(t => t.DueDate).ThenBy(t => t.Milestone, StringComparer.Ordinal).ThenBy(t => t.UnitCode, StringComparer.Ordinal)],
            OpenTasks = [.. tasks.Where(t => !t.IsClosed).OrderBy(t => t.DueDate).ThenBy(t => t.Milestone, StringComparer.Ordinal).ThenBy(t => t.UnitCode, StringComparer.Ordinal)],
        };
    }

    /// <summary>The summary as a fixed-width text table (Vietnamese headers with English).</summary>
    public string ToText(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"Mô phỏng {result.InstanceId}: {PlanTime.Format(result.Start)} → {PlanTime.Format(result.End)}, {result.Steps} bước (steps), {_counters.Events} sự kiện (events)");
        sb.AppendLine();
        sb.AppendLine(inv, $"{"Mốc (milestone)",-34} {"Hạn",-10} {"Số NV",6} {"Đúng hạn",8} {"Trễ",5} {"Thiếu",6} {"Trả lại",7} {"Nhắc",5} {"Q.hạn",6} {"Đ.đốc",6} {"T.hợp",6}");
        foreach (var m in Milestones)
            sb.AppendLine(inv, $"{Truncate(m.Milestone, 34),-34} {PlanTime.Format(m.DueDate),-10} {m.Tasks,6} {m.OnTime,8} {m.Late,5} {m.Missing,6} {m.Returned,7} {m.Reminders,5} {m.OverdueNotices,6} {m.HeadEscalations,6} {m.Digests,6}");
        sb.AppendLine(inv, $"{"Tổng (total)",-34} {"",-10} {Milestones.Sum(m => m.Tasks),6} {Milestones.Sum(m => m.OnTime),8} {Milestones.Sum(m => m.Late),5} {Milestones.Sum(m => m.Missing),6} {Milestones.Sum(m => m.Returned),7} {Milestones.Sum(m => m.Reminders),5} {Milestones.Sum(m => m.OverdueNotices),6} {Milestones.Sum(m => m.HeadEscalations),6} {Milestones.Sum(m => m.Digests),6}");
        sb.AppendLine();
        AppendQuotas(sb, _counters);
        AppendMinimums(sb);
        AppendUnfinished(sb);
        AppendRecurringPeriods(sb, _counters);
        sb.AppendLine("Thư theo loại (emails per kind): " + string.Join(", ", Emails.Select(e => $"{e.Key} {e.Value}")) + $"; tổng {Emails.Values.Sum()}");
        sb.AppendLine("Cột: Số NV = tasks, Đúng hạn = on time, Trễ = late, Thiếu = missing (never accepted), Nhắc = reminders, Q.hạn = overdue notices, Đ.đốc = escalations to unit heads, T.hợp = digests to secretariat/leaders.");
        return sb.ToString();
    }

    /// <summary>
    /// Quota evaluations (ThiDua.Quota), when the plan has any: how many periods were met and which fell
    /// short (from the journal's QuotaMet / QuotaShortfall entries, "unit — movement — period: …"), and
    /// the shortfall emails: one per lead unit short, plus one summary per quota activity and period
    /// to the secretariat.
    /// </summary>
    private static void AppendQuotas(StringBuilder sb, SimulationCounters counters)
    {
        var met = counters.Total("QuotaMet");
        var shortfalls = counters.Shortfalls;
        if (met + shortfalls.Count == 0) return;
        var summaries = shortfalls.Select(e => (e.ActivityId, Period: (e.Detail ?? "").Split(" — ").ElementAtOrDefault(2)?.Split(':')[0])).Distinct().Count();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Chỉ tiêu điển hình (quotas): {met + shortfalls.Count} kỳ đánh giá, {met} đạt (met), {shortfalls.Count} thiếu (shortfall); thư QuotaShortfall: {shortfalls.Count} cho đơn vị chủ trì + {summaries} tổng hợp cho Thường trực");
        foreach (var e in shortfalls)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  thiếu (shortfall) {PlanTime.Format(e.At)}: {e.Detail}");
        sb.AppendLine();
    }

    /// <summary>Most open tasks listed when the instance did not finish (the rest are counted; tasks.csv has them all).</summary>
    public const int OpenListed = 50;

    /// <summary>Most short tasks listed per milestone in the summary (the rest are counted; tasks.csv has them all).</summary>
    public const int ShortListed = 10;

    /// <summary>
    /// Per milestone with a minimum (issue 15.1): the minimum, how many submissions were accepted, how many
    /// met it and how many were accepted short, with the rows counted of the first <see cref="ShortListed"/> short ones.
    /// </summary>
    private void AppendMinimums(StringBuilder sb)
    {
        if (MinimumTasks.Count == 0) return;
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine("Số lượng tối thiểu (minimums; rows counted against them):");
        foreach (var g in MinimumTasks.GroupBy(t => t.Milestone, StringComparer.Ordinal))
        {
            var minimums = string.Join(" / ", g.Select(t => t.Minimum).Distinct(StringComparer.Ordinal).Select(m => ExemplarCounts.Parse(m).ToVietnamese()));
            var accepted = g.Where(t => t.Status is UnitTaskStatus.Done or UnitTaskStatus.DoneLate).ToList();
            var shortOnes = accepted.Where(t => t.IsShort).ToList();
            sb.AppendLine(inv, $"  {g.Key}: tối thiểu {minimums}; {accepted.Count} được chấp thuận, {accepted.Count - shortOnes.Count} đủ, {shortOnes.Count} thiếu (short)");
            foreach (var t in shortOnes.Take(ShortListed))
                sb.AppendLine(inv, $"    thiếu {t.UnitCode}: đã khai {ExemplarCounts.Parse(t.Counted).ToVietnamese()} / tối thiểu {ExemplarCounts.Parse(t.Minimum).ToVietnamese()}");
            if (shortOnes.Count > ShortListed) sb.AppendLine(inv, $"    … {shortOnes.Count - ShortListed} khác (more in tasks.csv)");
        }
        sb.AppendLine();
    }

    /// <summary>
    /// Recurring tasks (ThiDua.RecurringUnitTask), when the plan has any: per activity its cadence, how many units
    /// and how many periods each unit gets (first → last period), then the units grouped by what they get per
    /// cadence (e.g. "12 đơn vị: hằng quý 11"), from the journal's RecurrenceStarted entries ("11 kỳ: 2023-Q2, …").
    /// </summary>
    private static void AppendRecurringPeriods(StringBuilder sb, SimulationCounters counters)
    {
        var entries = counters.Recurrences;
        if (entries.Count == 0) return;
        var inv = CultureInfo.InvariantCulture;
        var rows = entries.Select(e =>
        {
            var detail = e.Detail ?? "";
            var list = detail.Contains("kỳ: ", StringComparison.Ordinal) ? detail[(detail.IndexOf("kỳ: ", StringComparison.Ordinal) + 4)..].Split(';')[0] : "";
            string[] keys = [.. list.Split(", ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            var cadence = keys.Length == 0 ? "—" : keys[0].Contains("-Q", StringComparison.Ordinal) ? "hằng quý" : keys[0].Contains("-H", StringComparison.Ordinal) ? "định kỳ 6 tháng" : "hằng năm";
            return (Activity: e.ActivityId ?? "?", Unit: e.UnitCode ?? "?", Cadence: cadence, Keys: keys);
        }).ToList();
        sb.AppendLine("Nhiệm vụ định kỳ (recurring periods):");
        sb.AppendLine(inv, $"  {"Hoạt động (activity)",-34} {"Chu kỳ",-16} {"Đơn vị",6} {"Kỳ/đv",6}  Kỳ đầu → cuối");
        foreach (var g in rows.GroupBy(r => (r.Activity, r.Cadence)).OrderBy(g => g.Key.Activity, StringComparer.Ordinal))
        {
            var counts = g.Select(r => r.Keys.Length).Distinct().Order().ToList();
            var perUnit = counts.Count == 1 ? counts[0].ToString(inv) : $"{counts[0]}–{counts[^1]}";
            var first = g.Select(r => r.Keys.FirstOrDefault() ?? "").Min(StringComparer.Ordinal);
            var last = g.Select(r => r.Keys.LastOrDefault() ?? "").Max(StringComparer.Ordinal);
            sb.AppendLine(inv, $"  {Truncate(g.Key.Activity, 34),-34} {g.Key.Cadence,-16} {g.Select(r => r.Unit).Distinct().Count(),6} {perUnit,6}  {first} → {last}");
        }
        foreach (var g in rows.GroupBy(r => r.Unit)
            .Select(u => (Unit: u.Key, Signature: string.Join(", ", u.GroupBy(r => r.Cadence).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Sum(r => r.Keys.Length)} kỳ"))))
            .GroupBy(u => u.Signature).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var units = g.Select(u => u.Unit).ToList();
            sb.AppendLine(inv, $"  {units.Count} đơn vị — {g.Key} ({string.Join(", ", units.Take(4))}{(units.Count > 4 ? ", …" : "")})");
        }
        sb.AppendLine();
    }

    /// <summary>
    /// When the instance did not reach WorkflowFinished (issue 15.5: e.g. a unit never submits a task whose
    /// ladder has ended, so nothing more can happen): says so and lists the tasks that keep it open.
    /// </summary>
    private void AppendUnfinished(StringBuilder sb)
    {
        if (Finished) return;
        sb.AppendLine(CultureInfo.InvariantCulture, $"Quy trình chưa kết thúc (WorkflowFinished not reached): {OpenTasks.Count} nhiệm vụ còn mở (open tasks keep the instance open)");
        if (OpenTasks.Count == 0)
            sb.AppendLine("  không còn nhiệm vụ mở: quy trình chờ một sự kiện hoặc một mốc thời gian sau khi mô phỏng dừng (no open task: it waits for an event or a timer)");
        foreach (var t in OpenTasks.Take(OpenListed))
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {t.UnitCode} — {t.Milestone} — hạn {PlanTime.Format(t.DueDate)} — {t.Status} ({MailComposer.StatusText(t.Status)})");
        if (OpenTasks.Count > OpenListed) sb.AppendLine(CultureInfo.InvariantCulture, $"  … {OpenTasks.Count - OpenListed} khác (more in tasks.csv)");
        sb.AppendLine();
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}

/// <summary>
/// The summary's counts, accumulated from each committed step's journal entries as they come, so that a
/// large simulation need not keep its journal: per (milestone, event) of the task entries, per event in
/// total, digests per milestone, and the (few) quota shortfall entries.
/// </summary>
public sealed class SimulationCounters
{
    private readonly Dictionary<(string Milestone, string Event), int> _taskEvents = [];
    private readonly Dictionary<string, int> _totals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _digests = new(StringComparer.Ordinal);
    private readonly List<JournalEntry> _shortfalls = [];
    private readonly List<JournalEntry> _recurrences = [];

    /// <summary>Journal entries counted.</summary>
    public long Events { get; private set; }

    /// <summary>The RecurrenceStarted entries (one per recurring task and unit), in order.</summary>
    public IReadOnlyList<JournalEntry> Recurrences => _recurrences;

    /// <summary>The QuotaShortfall entries, in order.</summary>
    public IReadOnlyList<JournalEntry> Shortfalls => _shortfalls;

    /// <summary>Counts <paramref name="entries"/> (one step's, or a whole journal).</summary>
    public void Add(IReadOnlyList<JournalEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var e in entries)
        {
            Events++;
            _totals[e.Event] = _totals.GetValueOrDefault(e.Event) + 1;
            // A task's entries carry its milestone (ActivityExecutionContext.Journal).
            if (e.TaskId is not null && e.Milestone is { } m) _taskEvents[(m, e.Event)] = _taskEvents.GetValueOrDefault((m, e.Event)) + 1;
            if (e.Event == "EscalationDigestSent" && e.Milestone is { } d) _digests[d] = _digests.GetValueOrDefault(d) + 1;
            if (e.Event == "QuotaShortfall") _shortfalls.Add(e);
            if (e.Event == "RecurrenceStarted") _recurrences.Add(e);
        }
    }

    /// <summary>Entries named <paramref name="name"/> in total.</summary>
    public int Total(string name) => _totals.GetValueOrDefault(name);

    /// <summary>Entries named <paramref name="name"/> of the tasks of <paramref name="milestone"/>.</summary>
    public int TaskEvents(string milestone, string name) => _taskEvents.GetValueOrDefault((milestone, name));

    /// <summary>Digest entries of <paramref name="milestone"/>.</summary>
    public int Digests(string milestone) => _digests.GetValueOrDefault(milestone);
}

/// <summary>Counts for one milestone.</summary>
/// <param name="Milestone">Milestone key.</param>
/// <param name="Title">Task title.</param>
/// <param name="DueDate">Earliest due date.</param>
/// <param name="Tasks">Tasks.</param>
/// <param name="OnTime">Accepted, submitted on time.</param>
/// <param name="Late">Accepted, submitted late.</param>
/// <param name="Missing">Never accepted.</param>
/// <param name="Returned">Returns by the secretariat.</param>
/// <param name="Reminders">Reminder emails.</param>
/// <param name="OverdueNotices">Overdue notices to units.</param>
/// <param name="HeadEscalations">Escalations to unit heads.</param>
/// <param name="Digests">Digest emails to the secretariat and leaders.</param>
public sealed record MilestoneSummary(string Milestone, string Title, DateOnly DueDate, int Tasks, int OnTime, int Late, int Missing, int Returned, int Reminders, int OverdueNotices, int HeadEscalations, int Digests);
