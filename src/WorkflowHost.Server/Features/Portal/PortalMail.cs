using System.Text.Encodings.Web;
using System.Text.Unicode;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>
/// The portal's own emails, written to the outbox (delivered by the same dispatcher as the workflow's): the receipt of
/// a submission and a new signed link. Vietnamese, HTML plus text, every value escaped.
/// </summary>
public sealed class PortalMail(WorkflowHostDbContext db, ApplicationClock clock)
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>Queues the receipt of submission <paramref name="submissionId"/> to the unit's address (saved by the caller).</summary>
    public void QueueReceipt(string to, string unitName, string unitCode, string instanceId, string taskId, string submissionId, string taskTitle, string link)
    {
        var now = clock.GetUtcNow();
        var html = $"<p>Kính gửi: {E(unitName)}</p><p>Thường trực Hội đồng Thi đua – Khen thưởng đã nhận hồ sơ \"{E(taskTitle)}\" của đơn vị lúc {E(PlanTime.Format(now))}. "
            + $"Hồ sơ đang chờ xem xét; đơn vị sẽ nhận email khi hồ sơ được chấp thuận hoặc cần bổ sung.</p><p><a href=\"{E(link)}\">Xem nhiệm vụ</a></p>";
        Queue($"receipt/{submissionId}/{to}", to, $"[Đã nhận] {taskTitle}", html, instanceId, taskId, unitCode, now);
    }

    /// <summary>Queues a new signed link to the unit's registered address (saved by the caller).</summary>
    public void QueueNewLink(string to, string unitName, string unitCode, string? instanceId, string? taskId, string link)
    {
        var now = clock.GetUtcNow();
        var html = $"<p>Kính gửi: {E(unitName)}</p><p>Theo yêu cầu, đây là liên kết mới để mở trang nhiệm vụ của đơn vị trên hệ thống Thi đua – Khen thưởng.</p>"
            + $"<p><a href=\"{E(link)}\">Mở trang của đơn vị</a></p><p>Nếu đơn vị không yêu cầu, hãy bỏ qua thư này.</p>";
        Queue($"link/{unitCode}/{taskId}/{now.UtcTicks}/{to}", to, "[Liên kết mới] Trang nhiệm vụ của đơn vị", html, instanceId, taskId, unitCode, now);
    }

    private void Queue(string key, string to, string subject, string html, string? instanceId, string? taskId, string unitCode, DateTimeOffset now)
    {
        var mail = MailComposer.Custom(subject, html);
        db.OutboxMessages.Add(new OutboxMessage
        {
            IdempotencyKey = key.Length > 400 ? key[..400] : key,
            InstanceId = instanceId,
            TaskId = taskId,
            UnitCode = unitCode,
            Kind = MailKind.Custom,
            To = to,
            Subject = mail.Subject,
            HtmlBody = mail.Html,
            TextBody = mail.Text,
            CreatedAt = now,
            NextAttemptAt = now,
        });
    }

    private static string E(string text) => Encoder.Encode(text);
}
