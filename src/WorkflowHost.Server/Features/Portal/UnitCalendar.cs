using System.Globalization;
using System.Text;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>
/// A unit's deadlines as an iCalendar feed (RFC 5545, the small subset calendar apps need): one VCALENDAR with one
/// all-day VEVENT per task (<c>DTSTART;VALUE=DATE</c> = the due date, <c>DTEND</c> the next day), a stable UID per task,
/// TEXT values escaped (backslash, semicolon, comma, newline) and lines folded at 75 octets, CRLF line ends.
/// No pinned iCalendar library restores here (Ical.Net is not in the package registry), hence this writer.
/// </summary>
public static class UnitCalendar
{
    /// <summary>The feed text for <paramref name="tasks"/> of unit <paramref name="unitName"/>; <paramref name="stamp"/> is DTSTAMP (UTC).</summary>
    public static string Write(string unitName, IEnumerable<UnitTaskRecord> tasks, DateTimeOffset stamp, string baseUrl, string host)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var lines = new List<string>
        {
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//WorkflowHost//Thi dua - Khen thuong//VI",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:" + Escape("Hạn nộp – " + unitName),
            "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
        };
        var dtstamp = stamp.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        foreach (var task in tasks.Where(t => t.Status != UnitTaskStatus.Cancelled).OrderBy(t => t.DueDate).ThenBy(t => t.Id, StringComparer.Ordinal))
        {
            lines.Add("BEGIN:VEVENT");
            lines.Add("UID:" + Escape(task.Id) + "@" + Escape(host));
            lines.Add("DTSTAMP:" + dtstamp);
            lines.Add("DTSTART;VALUE=DATE:" + task.DueDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
            lines.Add("DTEND;VALUE=DATE:" + task.DueDate.AddDays(1).ToString("yyyyMMdd", CultureInfo.InvariantCulture));
            lines.Add("SUMMARY:" + Escape("Hạn: " + task.Title));
            if (!string.IsNullOrWhiteSpace(task.Description)) lines.Add("DESCRIPTION:" + Escape(task.Description));
            lines.Add("URL:" + baseUrl.TrimEnd('/') + "/portal/tasks/" + Uri.EscapeDataString(task.Id));
            lines.Add("TRANSP:TRANSPARENT");
            lines.Add("END:VEVENT");
        }
        lines.Add("END:VCALENDAR");
        var text = new StringBuilder();
        foreach (var line in lines) text.Append(Fold(line));
        return text.ToString();
    }

    /// <summary>Escapes a TEXT value: <c>\</c> → <c>\\</c>, <c>;</c> → <c>\;</c>, <c>,</c> → <c>\,</c>, newline → <c>\n</c> (CR dropped).</summary>
    public static string Escape(string? text) =>
        (text ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace(";", "\\;", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal)
            .Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Folds one content line: at most 75 octets of UTF-8 a line (never splitting a character), continuation lines start with a space; ends with CRLF.</summary>
    public static string Fold(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var result = new StringBuilder();
        var octets = 0;
        var limit = 75;
        var e = StringInfo.GetTextElementEnumerator(line);
        while (e.MoveNext())
        {
            var element = (string)e.Current;
            var size = Encoding.UTF8.GetByteCount(element);
            if (octets + size > limit)
            {
                result.Append("\r\n ");
                octets = 0;
                limit = 74; // the leading space counts
            }
            result.Append(element);
            octets += size;
        }
        return result.Append("\r\n").ToString();
    }
}
