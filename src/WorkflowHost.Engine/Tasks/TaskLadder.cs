using System.Globalization;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Tasks;

/// <summary>
/// Builds a task's reminder and escalation ladder. A reminder "N" fires at the notification hour
/// (local) N days before the due date (0 = on the due date itself). An escalation "N:targets" fires
/// at the notification hour N days after the first day past the due date: "0:unit" is the overdue
/// notice on the morning after the deadline, "3:head" three days later, "7:secretariat,leaders" a
/// week later (domain.md: reminders before, overdue notices and escalations after).
/// </summary>
public static class TaskLadder
{
    /// <summary>Default reminder offsets (days before the due date).</summary>
    public static IReadOnlyList<int> DefaultReminderDays { get; } = [7, 1];

    /// <summary>Default escalation ladder.</summary>
    public static IReadOnlyList<string> DefaultEscalation { get; } = ["0:unit", "3:head", "7:secretariat,leaders"];

    /// <summary>Builds the rungs, sorted by firing time, each at <paramref name="notificationHour"/> local on its own day (every day counts).</summary>
    /// <exception cref="FormatException">An entry is malformed; the message names it.</exception>
    public static IReadOnlyList<LadderRung> Build(DateOnly dueDate, IEnumerable<int> reminderDays, IEnumerable<string> escalation, int notificationHour) =>
        Build(dueDate, reminderDays, escalation, day => PlanTime.AtLocal(day, new TimeOnly(Math.Clamp(notificationHour, 0, 23), 0)));

    /// <summary>Builds the rungs, sorted by firing time.</summary>
    /// <param name="dueDate">Local due date (last day on time).</param>
    /// <param name="reminderDays">Days before the due date; negative values are rejected.</param>
    /// <param name="escalation">Entries "days:target[,target…]" with targets unit, head, secretariat, leaders.</param>
    /// <param name="notificationTime">The instant (UTC) a rung of a given local day is sent: the
    /// notification hour, moved to the next working day when the day is a weekend or a holiday
    /// (<see cref="Runtime.RuntimeOptions.NotificationTime"/>).</param>
    /// <exception cref="FormatException">An entry is malformed; the message names it.</exception>
    public static IReadOnlyList<LadderRung> Build(DateOnly dueDate, IEnumerable<int> reminderDays, IEnumerable<string> escalation, Func<DateOnly, DateTimeOffset> notificationTime)
    {
        ArgumentNullException.ThrowIfNull(notificationTime);
        var rungs = new List<(bool Reminder, int Days, IReadOnlyList<EscalationTarget> Targets, DateTimeOffset At)>();
        foreach (var days in reminderDays.Distinct())
        {
            if (days < 0) throw new FormatException($"Số ngày nhắc trước hạn phải ≥ 0, không phải {days} (reminder days must be 0 or more).");
            rungs.Add((true, days, [EscalationTarget.Unit], ReminderTime(dueDate, days, notificationTime)));
        }
        foreach (var (days, targets) in ParseEscalation(escalation))
            rungs.Add((false, days, targets, notificationTime(dueDate.AddDays(1 + days))));
        return [.. rungs.OrderBy(r => r.At).ThenBy(r => r.Reminder ? 0 : 1).Select((r, i) => new LadderRung(i, r.Reminder, r.Days, r.Targets, r.At))];
    }

    /// <summary>
    /// When a reminder N days before <paramref name="dueDate"/> is sent: on that day's notification time,
    /// moved to the next working day — unless that is after the due date (a 1-day reminder before a
    /// deadline on a Sunday or in Tết): then it goes out on the last working day before the planned day,
    /// so a reminder always comes before the deadline.
    /// </summary>
    private static DateTimeOffset ReminderTime(DateOnly dueDate, int days, Func<DateOnly, DateTimeOffset> notificationTime)
    {
        var planned = dueDate.AddDays(-days);
        var at = notificationTime(planned);
        if (PlanTime.LocalDate(at) <= dueDate) return at;
        for (var day = planned.AddDays(-1); day >= planned.AddDays(-14); day = day.AddDays(-1))
        {
            var earlier = notificationTime(day);
            if (PlanTime.LocalDate(earlier) == day) return earlier;
        }
        return at;
    }

    /// <summary>Parses escalation entries "days:target[,target…]".</summary>
    /// <exception cref="FormatException">An entry is malformed; the message names it.</exception>
    public static IReadOnlyList<(int Days, IReadOnlyList<EscalationTarget> Targets)> ParseEscalation(IEnumerable<string> entries)
    {
        var result = new List<(int, IReadOnlyList<EscalationTarget>)>();
        foreach (var raw in entries)
        {
            var entry = raw.Trim().TrimStart('+');
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var daysText = colon < 0 ? "" : entry[..colon].Trim().TrimEnd('d', 'D');
            if (colon < 0 || !int.TryParse(daysText, NumberStyles.None, CultureInfo.InvariantCulture, out var days))
                throw new FormatException($"Bậc leo thang \"{raw}\" không đúng dạng \"số ngày:đối tượng\" (escalation entry must be \"days:targets\", e.g. \"3:head\").");
            var targets = new List<EscalationTarget>();
            foreach (var name in entry[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Enum.TryParse<EscalationTarget>(name, ignoreCase: true, out var target) || int.TryParse(name, out _))
                    throw new FormatException($"Bậc leo thang \"{raw}\": đối tượng \"{name}\" không hợp lệ (target must be unit, head, secretariat or leaders).");
                targets.Add(target);
            }
            if (targets.Count == 0) throw new FormatException($"Bậc leo thang \"{raw}\" không có đối tượng (no target).");
            result.Add((days, targets));
        }
        return result;
    }

    /// <summary>Serializes escalation entries for storage ("0:unit;3:head").</summary>
    public static string Join(IEnumerable<string> entries) => string.Join(';', entries.Select(e => e.Trim()));

    /// <summary>Splits stored escalation entries.</summary>
    public static IReadOnlyList<string> SplitEscalation(string stored) => stored.Split(';', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Splits stored reminder days ("7,1").</summary>
    public static IReadOnlyList<int> SplitReminders(string stored) =>
        [.. stored.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
}
