using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Mail;

/// <summary>
/// Renders the system's emails in Vietnamese, HTML plus plain text: unit name, task, due date as
/// dd/MM/yyyy, days left or days late, and a link. Every value that comes from users or data
/// (unit names, titles, comments) is HTML-escaped (markup characters only, so Vietnamese text stays readable).
/// </summary>
/// <param name="baseUrl">Base of the links, e.g. "http://127.0.0.1:5080".</param>
/// <param name="taskLink">Optional link builder from (unit code, task id), e.g. a signed link; null = <see cref="TaskLink(string)"/>.</param>
public sealed partial class MailComposer(string baseUrl, Func<string, string, string>? taskLink = null)
{
    private readonly string _baseUrl = baseUrl.TrimEnd('/');

    /// <summary>Unsigned link to a task in the units' portal: <c>{BaseUrl}/portal/tasks/{taskId}</c>.</summary>
    public string TaskLink(string taskId) => $"{_baseUrl}/portal/tasks/{Uri.EscapeDataString(taskId)}";

    /// <summary>The link to <paramref name="task"/> that goes into its unit's emails (signed when the host signs links).</summary>
    public string TaskLink(UnitTaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return taskLink is null ? TaskLink(task.Id) : taskLink(task.UnitCode, task.Id);
    }

    /// <summary>Link to the leaders' overdue list: the dashboard filtered to the instance's overdue (red) tasks.</summary>
    public string OverdueLink(string instanceId) => $"{_baseUrl}/dashboard?instance={Uri.EscapeDataString(instanceId)}&status=red";

    /// <summary>Link to the secretariat's console page of the emails that could not be delivered.</summary>
    public string OutboxLink => $"{_baseUrl}/console/emails?status=Failed";

    /// <summary>Link to the leaders' dashboard.</summary>
    public string DashboardLink => $"{_baseUrl}/dashboard";

    /// <summary>A reminder before the due date.</summary>
    public ComposedMail Reminder(Unit unit, UnitTaskRecord task, int daysLeft)
    {
        var when = daysLeft switch
        {
            <= 0 => "hôm nay là hạn cuối",
            1 => "còn 01 ngày đến hạn",
            _ => $"còn {daysLeft:00} ngày đến hạn",
        };
        return Build(
            $"[Nhắc hạn] {task.Title} — hạn {PlanTime.Format(task.DueDate)}",
            $"Kính gửi: {unit.Name}",
            [
                $"Thường trực Hội đồng Thi đua – Khen thưởng nhắc đơn vị thực hiện nhiệm vụ: {task.Title}.",
                $"Hạn hoàn thành: {PlanTime.Format(task.DueDate)} ({when}).",
                .. Optional(task.Description, "Nội dung: "),
            ],
            TaskLink(task), "Gửi báo cáo / hồ sơ");
    }

    /// <summary>The overdue notice to the unit after the due date.</summary>
    public ComposedMail OverdueNotice(Unit unit, UnitTaskRecord task, int daysLate) => Build(
        $"[Quá hạn] {task.Title} — quá hạn {daysLate} ngày",
        $"Kính gửi: {unit.Name}",
        [
            $"Nhiệm vụ \"{task.Title}\" đã quá hạn {PlanTime.Format(task.DueDate)} {DaysLate(daysLate)} mà Thường trực Hội đồng Thi đua – Khen thưởng chưa nhận được kết quả được chấp thuận của đơn vị.",
            .. (task.CreatedAt >= task.DueAt ? [$"Nhiệm vụ được giao ngày {PlanTime.Format(PlanTime.LocalDate(task.CreatedAt))}, khi hạn đã qua (kế hoạch ban hành sau hạn này): đơn vị đã ở trong diện quá hạn ngay khi nhận nhiệm vụ."] : Array.Empty<string>()),
            "Đề nghị đơn vị khẩn trương hoàn thành và gửi ngay.",
            .. Optional(task.LastComment is null ? null : task.LastComment, "Ý kiến lần trả lại gần nhất: "),
        ],
        TaskLink(task), "Gửi ngay");

    /// <summary>The escalation to the unit head.</summary>
    public ComposedMail HeadEscalation(Unit unit, UnitTaskRecord task, int daysLate) => Build(
        $"[Đôn đốc] {unit.Name} chậm thực hiện: {task.Title}",
        $"Kính gửi: {unit.HeadName ?? "Thủ trưởng đơn vị"} — {unit.Name}",
        [
            $"Đơn vị {unit.Name} chưa hoàn thành nhiệm vụ \"{task.Title}\", hạn {PlanTime.Format(task.DueDate)}, hiện đã quá hạn {DaysLate(daysLate)}.",
            "Đề nghị đồng chí chỉ đạo bộ phận chuyên môn hoàn thành và gửi ngay về Thường trực Hội đồng Thi đua – Khen thưởng.",
        ],
        TaskLink(task), "Xem nhiệm vụ");

    /// <summary>One email to the secretariat or a leader listing the late units of one milestone.</summary>
    public ComposedMail EscalationDigest(Contact recipient, string milestoneTitle, DateOnly today, IReadOnlyList<(Unit Unit, UnitTaskRecord Task)> late, string instanceId)
    {
        var ordered = late.OrderBy(l => l.Task.DueDate).ThenBy(l => l.Unit.Name, StringComparer.Ordinal).ToList();
        var html = new StringBuilder();
        html.Append("<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\" style=\"border-collapse:collapse\"><thead><tr><th>STT</th><th>Đơn vị</th><th>Hạn</th><th>Số ngày quá hạn</th><th>Trạng thái</th></tr></thead><tbody>");
        var text = new StringBuilder();
        for (var i = 0; i < ordered.Count; i++)
        {
            var (unit, task) = ordered[i];
            var days = DaysBetween(task.DueDate, today);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{i + 1}</td><td>{E(unit.Name)}</td><td>{PlanTime.Format(task.DueDate)}</td><td>{days}</td><td>{E(StatusText(task.Status))}</td></tr>");
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}. {unit.Name} — hạn {PlanTime.Format(task.DueDate)} — quá hạn {days} ngày — {StatusText(task.Status)}\n");
        }
        html.Append("</tbody></table>");
        var intro = $"Đến ngày {PlanTime.Format(today)}, {ordered.Count} đơn vị chưa hoàn thành nhiệm vụ \"{milestoneTitle}\":";
        var link = OverdueLink(instanceId);
        var salutation = $"Kính gửi: {recipient.Title ?? recipient.Name}";
        return new ComposedMail(
            $"[Báo cáo quá hạn] {ordered.Count} đơn vị chậm: {milestoneTitle}",
            Page($"<p>{E(salutation)}</p><p>{E(intro)}</p>{html}<p><a href=\"{E(link)}\">Xem danh sách quá hạn</a></p>"),
            $"{salutation}\n\n{intro}\n{text}\nXem danh sách quá hạn: {link}\n{Signature}");
    }

    /// <summary>The secretariat returned a submission with a comment.</summary>
    public ComposedMail Returned(Unit unit, UnitTaskRecord task, string comment) => Build(
        $"[Trả lại] {task.Title} — đề nghị bổ sung, gửi lại",
        $"Kính gửi: {unit.Name}",
        [
            $"Thường trực Hội đồng Thi đua – Khen thưởng trả lại hồ sơ \"{task.Title}\" của đơn vị với ý kiến sau:",
            comment,
            $"Đề nghị đơn vị chỉnh sửa, bổ sung và gửi lại. Hạn: {PlanTime.Format(task.DueDate)}.",
        ],
        TaskLink(task), "Gửi lại");

    /// <summary>The secretariat accepted a submission.</summary>
    public ComposedMail Accepted(Unit unit, UnitTaskRecord task) => Build(
        $"[Đã chấp thuận] {task.Title}",
        $"Kính gửi: {unit.Name}",
        [
            $"Thường trực Hội đồng Thi đua – Khen thưởng đã chấp thuận hồ sơ \"{task.Title}\" của đơn vị" +
            (task.Status == UnitTaskStatus.DoneLate ? " (gửi sau hạn)." : " (đúng hạn)."),
        ],
        TaskLink(task), "Xem nhiệm vụ");

    /// <summary>The secretariat changed the due date of a task (amendment).</summary>
    public ComposedMail DueDateChanged(Unit unit, UnitTaskRecord task, DateOnly previous, string? reason) => Build(
        $"[Điều chỉnh hạn] {task.Title} — hạn mới {PlanTime.Format(task.DueDate)}",
        $"Kính gửi: {unit.Name}",
        [
            $"Thường trực Hội đồng Thi đua – Khen thưởng điều chỉnh hạn nhiệm vụ \"{task.Title}\" từ {PlanTime.Format(previous)} thành {PlanTime.Format(task.DueDate)}.",
            .. Optional(reason, "Lý do: "),
        ],
        TaskLink(task.Id), "Xem nhiệm vụ");

    /// <summary>A lead unit's quota for a movement ended below the minimum (to the unit, copied to the secretariat).</summary>
    /// <param name="recipient">The lead unit or the secretariat.</param>
    /// <param name="unit">The lead unit.</param>
    /// <param name="movement">Movement name.</param>
    /// <param name="period">Period label, e.g. "năm 2022" or "giai đoạn 2021-2025".</param>
    /// <param name="minimum">Minimum, Vietnamese wording.</param>
    /// <param name="counted">Accepted, Vietnamese wording.</param>
    /// <param name="shortfall">Missing, Vietnamese wording.</param>
    public ComposedMail QuotaShortfall(Contact recipient, Unit unit, string movement, string period, string minimum, string counted, string shortfall) => Build(
        $"[Chưa đạt chỉ tiêu] {unit.Name} — {movement} — {period}",
        $"Kính gửi: {recipient.Title ?? recipient.Name}",
        [
            $"Phong trào \"{movement}\", {period}: đơn vị chủ trì {unit.Name} chưa đạt chỉ tiêu điển hình.",
            $"Chỉ tiêu tối thiểu: {minimum}. Đã được chấp thuận: {counted}. Còn thiếu: {shortfall}.",
            "Đề nghị đơn vị tiếp tục phát hiện, bồi dưỡng và giới thiệu điển hình.",
        ],
        $"{_baseUrl}/portal", "Mở trang của đơn vị");

    /// <summary>One email to the secretariat listing the lead units below their quota for a movement and period.</summary>
    public ComposedMail QuotaSummary(Contact recipient, string movement, string period, IReadOnlyList<(Unit Unit, string Minimum, string Counted, string Missing)> rows)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(rows);
        var html = new StringBuilder("<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\" style=\"border-collapse:collapse\"><thead><tr><th>STT</th><th>Đơn vị chủ trì</th><th>Tối thiểu</th><th>Đã chấp thuận</th><th>Còn thiếu</th></tr></thead><tbody>");
        var text = new StringBuilder();
        for (var i = 0; i < rows.Count; i++)
        {
            var (unit, minimum, counted, missing) = rows[i];
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{i + 1}</td><td>{E(unit.Name)}</td><td>{E(minimum)}</td><td>{E(counted)}</td><td>{E(missing)}</td></tr>");
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}. {unit.Name} — tối thiểu {minimum} — đã chấp thuận {counted} — thiếu {missing}\n");
        }
        html.Append("</tbody></table>");
        var salutation = $"Kính gửi: {recipient.Title ?? recipient.Name}";
        var intro = $"Phong trào \"{movement}\", {period}: {rows.Count} đơn vị chủ trì chưa đạt chỉ tiêu điển hình:";
        return new ComposedMail(
            $"[Chưa đạt chỉ tiêu] {movement} — {period}: {rows.Count} đơn vị",
            Page($"<p>{E(salutation)}</p><p>{E(intro)}</p>{html}<p><a href=\"{E(DashboardLink)}\">Xem tiến độ chỉ tiêu</a></p>"),
            $"{salutation}\n\n{intro}\n{text}\nXem tiến độ chỉ tiêu: {DashboardLink}\n{Signature}");
    }

    /// <summary>The daily list of emails that failed for good on <paramref name="day"/> (local), to the secretariat.</summary>
    public ComposedMail DeliveryFailures(Contact recipient, DateOnly day, IReadOnlyList<(string To, string Subject, int Attempts, string? Error)> rows)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(rows);
        var html = new StringBuilder("<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\" style=\"border-collapse:collapse\"><thead><tr><th>STT</th><th>Người nhận</th><th>Tiêu đề</th><th>Số lần gửi</th><th>Lỗi</th></tr></thead><tbody>");
        var text = new StringBuilder();
        for (var i = 0; i < rows.Count; i++)
        {
            var (to, subject, attempts, error) = rows[i];
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{i + 1}</td><td>{E(to)}</td><td>{E(subject)}</td><td>{attempts}</td><td>{E(error ?? "")}</td></tr>");
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}. {to} — {subject} — {attempts} lần — {error}\n");
        }
        html.Append("</tbody></table>");
        var salutation = $"Kính gửi: {recipient.Title ?? recipient.Name}";
        var intro = $"Ngày {PlanTime.Format(day)}, {rows.Count} thư không gửi được (máy chủ thư từ chối hoặc đã thử hết số lần). Đề nghị kiểm tra địa chỉ và liên hệ đơn vị bằng cách khác:";
        return new ComposedMail(
            $"[Thư không gửi được] {rows.Count} thư ngày {PlanTime.Format(day)}",
            Page($"<p>{E(salutation)}</p><p>{E(intro)}</p>{html}<p><a href=\"{E(OutboxLink)}\">Xem hộp thư đi</a></p>"),
            $"{salutation}\n\n{intro}\n{text}\nXem hộp thư đi: {OutboxLink}\n{Signature}");
    }

    /// <summary>A designer-authored email (Elsa.SendEmail): the body is the secretariat's own HTML.</summary>
    public static ComposedMail Custom(string subject, string htmlBody) =>
        new(subject, Page(htmlBody), WebUtility.HtmlDecode(TagPattern().Replace(htmlBody.Replace("<br>", "\n", StringComparison.OrdinalIgnoreCase).Replace("</p>", "\n", StringComparison.OrdinalIgnoreCase), "")).Trim() + "\n" + Signature);

    /// <summary>Vietnamese text for a task status.</summary>
    public static string StatusText(UnitTaskStatus status) => status switch
    {
        UnitTaskStatus.Open => "Chưa gửi",
        UnitTaskStatus.Submitted => "Đã gửi, chờ xem xét",
        UnitTaskStatus.Returned => "Bị trả lại, chờ gửi lại",
        UnitTaskStatus.Done => "Hoàn thành đúng hạn",
        UnitTaskStatus.DoneLate => "Hoàn thành trễ hạn",
        UnitTaskStatus.Cancelled => "Đã hủy",
        _ => status.ToString(),
    };

    /// <summary>Whole days from <paramref name="dueDate"/> to <paramref name="today"/> (positive when late).</summary>
    public static int DaysBetween(DateOnly dueDate, DateOnly today) => today.DayNumber - dueDate.DayNumber;

    private const string Signature = "—\nThường trực Hội đồng Thi đua – Khen thưởng\n(Thư gửi tự động từ WorkflowHost; vui lòng không trả lời thư này.)";

    private static string DaysLate(int days) => days <= 0 ? "" : $"{days} ngày";

    private static IEnumerable<string> Optional(string? text, string prefix) => string.IsNullOrWhiteSpace(text) ? [] : [Prefixed(prefix, text)];

    // The last prefixed paragraph made on this thread. The tasks of one milestone share their description string
    // (a step evaluates it once), so a step's thousands of reminders reuse one "Nội dung: …" paragraph instead of
    // copying the plan's clause (about 1 KB) once per email (issue 13).
    [ThreadStatic]
    private static (string Prefix, string Text, string Paragraph)? _lastPrefixed;

    private static string Prefixed(string prefix, string text)
    {
        if (_lastPrefixed is { } last && ReferenceEquals(last.Prefix, prefix) && ReferenceEquals(last.Text, text)) return last.Paragraph;
        var paragraph = prefix + text;
        _lastPrefixed = (prefix, text, paragraph);
        return paragraph;
    }

    private static ComposedMail Build(string subject, string salutation, IReadOnlyList<string> paragraphs, string link, string linkText)
    {
        // Written straight into the page (the fixed head and foot precomputed) and into the text, each in a
        // builder this thread reuses, the paragraphs walked by index: 280,000 emails at 10,000 units, and the
        // builders, their growth and the boxed enumerators were a sixth of P1's garbage (issue 13).
        var html = Reused(ref t_html).Append(PageStart);
        var text = Reused(ref t_text);
        html.Append("<p>").Append(E(salutation)).Append("</p>");
        text.Append(salutation).Append("\n\n");
        for (var i = 0; i < paragraphs.Count; i++)
        {
            html.Append("<p>").Append(E(paragraphs[i])).Append("</p>");
            if (i > 0) text.Append("\n\n");
            text.Append(paragraphs[i]);
        }
        html.Append("<p><a href=\"").Append(E(link)).Append("\">").Append(E(linkText)).Append("</a></p>").Append(PageEnd);
        text.Append("\n\n").Append(linkText).Append(": ").Append(link).Append('\n').Append(Signature);
        return new ComposedMail(subject, html.ToString(), text.ToString());
    }

    // Build is synchronous and calls nothing that composes, so one pair per thread is never shared.
    [ThreadStatic] private static StringBuilder? t_html;
    [ThreadStatic] private static StringBuilder? t_text;

    private static StringBuilder Reused(ref StringBuilder? cached)
    {
        // One unusually long email (a long comment) is not kept: the next ones start from 8,192 characters again.
        if (cached is null || cached.Capacity > 65_536) cached = new StringBuilder(8_192);
        return cached.Clear();
    }

    // Escapes markup characters (< > & " ') but leaves Vietnamese letters readable in the HTML source.
    // Declared before PageEnd, which it initializes.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private const string PageStart = "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"></head><body style=\"font-family:Arial,sans-serif\">";

    private static readonly string PageEnd = $"<p style=\"color:#666\">{E(Signature).Replace("\n", "<br>", StringComparison.Ordinal)}</p></body></html>";

    private static string Page(string body) => PageStart + body + PageEnd;

    private static string E(string text) => Encoder.Encode(text);

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex TagPattern();
}
