using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Tests.Api;

namespace WorkflowHost.Server.Tests.Mail;

/// <summary>A failed email is never retried forever and never silent: the secretariat gets a daily list (issue 6).</summary>
public sealed class DeliveryFailureSummaryTests : IDisposable
{
    private readonly WorkflowHostFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static OutboxMessage Failed(string key, string to, DateTimeOffset at, string error, OutboxStatus status = OutboxStatus.Failed) => new()
    {
        IdempotencyKey = key,
        InstanceId = "df",
        Kind = MailKind.Reminder,
        To = to,
        Subject = "[Nhắc hạn] Báo cáo",
        HtmlBody = "<p>x</p>",
        TextBody = "x",
        Status = status,
        Attempts = status == OutboxStatus.Failed ? 8 : 1,
        LastError = error,
        CreatedAt = at,
        NextAttemptAt = at,
    };

    [Fact]
    public async Task Summary_OfADayWithFailures_OneEmailToTheSecretariatListingThemEscapedOnce()
    {
        _ = _factory.CreateClient();
        await _factory.Runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "tuan-giao-2021-2025", Directory = "tuan-giao", InstanceId = "df" }, CancellationToken.None);
        var day = new DateOnly(2021, 8, 2);
        var contexts = _factory.Services.GetRequiredService<IDbContextFactory<WorkflowHostDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            db.OutboxMessages.AddRange(
                Failed("k1", "pnv@tuangiao.example", PlanTime.AtLocal(day, new TimeOnly(8, 5)), "550 5.1.1 <pnv@tuangiao.example>: Recipient address rejected"),
                Failed("k2", "xa-ta-ma@tuangiao.example", PlanTime.AtLocal(day, new TimeOnly(23, 59)), "Attempts exhausted: <script>alert(1)</script>"),
                Failed("k3", "other-day@tuangiao.example", PlanTime.AtLocal(day.AddDays(1), new TimeOnly(0, 1)), "550 next day"),
                Failed("k4", "sent@tuangiao.example", PlanTime.AtLocal(day, new TimeOnly(9, 0)), "", OutboxStatus.Sent));
            await db.SaveChangesAsync();
        }
        var summary = _factory.Services.GetRequiredService<DeliveryFailureSummary>();

        Assert.Equal(1, await summary.EnqueueAsync(day, CancellationToken.None));
        Assert.Equal(0, await summary.EnqueueAsync(day, CancellationToken.None));

        await using (var db = await contexts.CreateDbContextAsync())
        {
            var mail = await db.OutboxMessages.SingleAsync(m => m.Kind == MailKind.DeliveryFailureSummary);
            var directory = Engine.Directory.UnitDirectory.Parse(await File.ReadAllTextAsync(Infrastructure.RepoPaths.Of("config/units/tuan-giao.json")));
            Assert.Equal(directory.Secretariat.Email, mail.To);
            Assert.Equal("[Thư không gửi được] 2 thư ngày 02/08/2021", mail.Subject);
            Assert.Contains("pnv@tuangiao.example — [Nhắc hạn] Báo cáo — 8 lần — 550 5.1.1", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains("xa-ta-ma@tuangiao.example", mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain("other-day", mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain("sent@", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;", mail.HtmlBody, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>", mail.HtmlBody, StringComparison.Ordinal);
        }
        Assert.Equal(0, await summary.EnqueueAsync(day.AddDays(-1), CancellationToken.None));
    }
}
