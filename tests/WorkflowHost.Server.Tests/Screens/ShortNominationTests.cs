using System.Net;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Server.Tests.Auth;

namespace WorkflowHost.Server.Tests.Screens;

/// <summary>
/// Issue 14 ("a nomination below its minimum is flagged") and 15.1: a unit that lists fewer exemplars than
/// the task's minimum is warned when it posts the form and sends only after confirming; a short submission
/// the secretariat accepts stays "short" on the console review page, the dashboard and its exports.
/// </summary>
public sealed class ShortNominationTests
{
    private const string TaskId = "s.task-registration-2021.PNV";
    private const string PagePath = "/portal/tasks/" + TaskId;

    private static readonly KeyValuePair<string, string>[] TwoRows =
    [
        new("kind", "collective"), new("name", "Tổ một cửa"), new("movement", ""),
        new("kind", "individual"), new("name", "Nguyễn Văn Bình"), new("movement", ""),
        new("action", "submit"),
    ];

    /// <summary>The Tuần Giáo registration of PNV (opened on 01/09/2021), given the minimum "ít nhất 03 điển hình" (the seed plan has none).</summary>
    private static async Task<ScreensHost> StartWithMinimumAsync()
    {
        var host = await ScreensHost.StartAsync(
            ("Auth:BootstrapSecretariat:UserName", SignInHttp.SecretariatUser), ("Auth:BootstrapSecretariat:Password", SignInHttp.SecretariatPassword));
        await host.AdvanceToAsync(Engine.Timeline.PlanTime.AtLocal(new DateOnly(2021, 9, 1), new TimeOnly(9, 0))); // registration opens
        await host.DbAsync(async db =>
        {
            var task = await db.Tasks.SingleAsync(t => t.Id == TaskId);
            task.Minimum = "any:3";
            return await db.SaveChangesAsync();
        });
        return host;
    }

    [Fact]
    public async Task Portal_FewerRowsThanTheMinimum_WarnsAndSendsOnlyWhenConfirmed()
    {
        await using var host = await StartWithMinimumAsync();
        using var client = await host.UnitClientAsync("PNV", TaskId);

        using var warned = await ScreensHost.PostMultipartAsync(client, PagePath, PagePath, TwoRows);
        var html = await warned.Content.ReadAsStringAsync();
        Assert.True(warned.StatusCode == HttpStatusCode.OK, html);
        Assert.Contains("id=\"short-warning\"", html, StringComparison.Ordinal);
        Assert.Contains("Cần ít nhất 03, đã khai 02", html, StringComparison.Ordinal);
        Assert.Contains("id=\"confirm-short\"", html, StringComparison.Ordinal);
        Assert.Contains("Nguyễn Văn Bình", html, StringComparison.Ordinal); // the rows are kept
        Assert.Equal(UnitTaskStatus.Open, (await host.DbAsync(db => db.Tasks.AsNoTracking().SingleAsync(t => t.Id == TaskId))).Status);
        Assert.Equal(0, await host.DbAsync(db => db.Submissions.CountAsync(s => s.TaskId == TaskId)));

        using var sent = await ScreensHost.PostMultipartAsync(client, PagePath, PagePath, [.. TwoRows, new("confirmShort", "1")]);
        var receipt = await sent.Content.ReadAsStringAsync();
        Assert.True(sent.StatusCode == HttpStatusCode.OK, receipt);
        Assert.Contains("id=\"receipt\"", receipt, StringComparison.Ordinal);
        var task = await host.DbAsync(db => db.Tasks.AsNoTracking().SingleAsync(t => t.Id == TaskId));
        Assert.Equal((UnitTaskStatus.Submitted, "collective:1;individual:1", "any:1"), (task.Status, task.Counted, task.Shortfall));
    }

    [Fact]
    public async Task Portal_EnoughRows_SendsWithoutAWarning()
    {
        await using var host = await StartWithMinimumAsync();
        using var client = await host.UnitClientAsync("PNV", TaskId);

        using var sent = await ScreensHost.PostMultipartAsync(client, PagePath, PagePath,
            [new("kind", "model"), new("name", "Mô hình dân vận khéo"), new("movement", ""), .. TwoRows]);
        var html = await sent.Content.ReadAsStringAsync();
        Assert.Contains("id=\"receipt\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("short-warning", html, StringComparison.Ordinal);
        Assert.False((await host.DbAsync(db => db.Tasks.AsNoTracking().SingleAsync(t => t.Id == TaskId))).IsShort);
    }

    [Fact]
    public async Task Accepted_ShortSubmission_ShowsShortOnReviewDashboardAndExports()
    {
        await using var host = await StartWithMinimumAsync();
        using (var client = await host.UnitClientAsync("PNV", TaskId))
        using (var sent = await ScreensHost.PostMultipartAsync(client, PagePath, PagePath, [.. TwoRows, new("confirmShort", "1")]))
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        using var staff = host.NewClient();
        await SignInHttp.SignInAsync(staff);

        // The inbox flags it, and the console's review page says it before the secretariat decides.
        Assert.Matches($"<tr data-task=\"{System.Text.RegularExpressions.Regex.Escape(TaskId)}\">(?:(?!</tr>).)*data-short=\"true\"", (await staff.GetStringAsync("/console")).ReplaceLineEndings(" "));
        var review = await staff.GetStringAsync("/console/tasks/" + TaskId);
        Assert.Contains("id=\"task-short\"", review, StringComparison.Ordinal);
        Assert.Contains("Cần ít nhất 03, đã khai 02", review, StringComparison.Ordinal);

        await host.Runtime.ReviewAsync(TaskId, true, null, "secretariat", CancellationToken.None);
        Assert.Equal(UnitTaskStatus.Done, (await host.DbAsync(db => db.Tasks.AsNoTracking().SingleAsync(t => t.Id == TaskId))).Status);

        var dashboard = await staff.GetStringAsync("/dashboard?milestone=registration-2021");
        Assert.Matches($"<tr[^>]*data-task=\"{System.Text.RegularExpressions.Regex.Escape(TaskId)}\"[^>]*data-short=\"true\"", dashboard);
        Assert.Contains("id=\"short-count\"", dashboard, StringComparison.Ordinal);
        Assert.Contains("Thiếu so với mức tối thiểu", dashboard, StringComparison.Ordinal);

        var csv = await staff.GetStringAsync("/dashboard/export.csv?milestone=registration-2021");
        var lines = csv.Split("\r\n");
        Assert.Contains("Tối thiểu", lines[0], StringComparison.Ordinal);
        var pnv = Assert.Single(lines, l => l.StartsWith("PNV,", StringComparison.Ordinal));
        Assert.EndsWith(",3 điển hình (mọi loại),\"1 tập thể, 1 cá nhân\",Thiếu 1 điển hình (mọi loại)", pnv, StringComparison.Ordinal);
        Assert.All(lines.Skip(1).Where(l => l.Length > 0 && !l.StartsWith("PNV,", StringComparison.Ordinal)), l => Assert.DoesNotContain("Thiếu", l, StringComparison.Ordinal));

        using var document = SpreadsheetDocument.Open(new MemoryStream(await staff.GetByteArrayAsync("/dashboard/export.xlsx?milestone=registration-2021")), false);
        var rows = document.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<Row>().Select(r => r.Descendants<Cell>().Select(c => c.InnerText).ToList()).ToList();
        var header = rows[0];
        var row = Assert.Single(rows, r => r[0] == "PNV");
        Assert.Equal("3 điển hình (mọi loại)", row[header.IndexOf("Tối thiểu")]);
        Assert.Equal("1 tập thể, 1 cá nhân", row[header.IndexOf("Đã khai")]);
        Assert.Equal("Thiếu 1 điển hình (mọi loại)", row[header.IndexOf("Thiếu so với mức tối thiểu")]);
    }
}
