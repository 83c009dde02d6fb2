using System.Net;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Server.Features.Console;
using WorkflowHost.Server.Tests.Auth;

namespace WorkflowHost.Server.Tests.Screens;

public sealed class ConsoleAndDashboardTests
{
    private static Task<ScreensHost> StartAsync() => ScreensHost.StartAsync(
        ("Auth:BootstrapSecretariat:UserName", SignInHttp.SecretariatUser), ("Auth:BootstrapSecretariat:Password", SignInHttp.SecretariatPassword));

    private static async Task<HttpClient> SecretariatAsync(ScreensHost host)
    {
        var client = host.NewClient();
        await SignInHttp.SignInAsync(client);
        return client;
    }

    [Fact]
    public async Task UnitImport_PreviewListsRowErrors_NothingSaved_ThenValidFileImports()
    {
        await using var host = await StartAsync();
        using var client = await SecretariatAsync(host);
        const string page = "/console/units?directory=tuan-giao";
        var bad = "code,name,group,email,headName,headEmail\n"
            + "NEW1,Đơn vị mới 1,KHOI-QLNN,new1@tuangiao.example,,\n"
            + "NEW1,Lặp mã,KHOI-QLNN,dup@tuangiao.example,,\n"
            + "NEW2,Đơn vị mới 2,KHOI-QLNN,not-an-email,,\n"
            + "NEW3,Đơn vị mới 3,KHOI-KHONG-CO,new3@tuangiao.example,,\n"
            + "NEW4,,KHOI-QLNN,new4@tuangiao.example,,\n";
        using var preview = await ScreensHost.PostFormAsync(client, page, "/console/units/import?directory=tuan-giao", [new("csv", bad), new("step", "preview")]);
        Assert.Equal(HttpStatusCode.BadRequest, preview.StatusCode);
        var html = await preview.Content.ReadAsStringAsync();
        Assert.Contains("id=\"import-preview\"", html, StringComparison.Ordinal);
        Assert.Contains("lặp lại trong tệp", html, StringComparison.Ordinal);
        Assert.Contains("Email không hợp lệ: &quot;not-an-email&quot; (email)", html, StringComparison.Ordinal);
        Assert.Contains("chưa có trong danh bạ (unknown group)", html, StringComparison.Ordinal);
        Assert.Contains("Thiếu tên đơn vị (name)", html, StringComparison.Ordinal);
        Assert.Contains("data-line=\"3\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"import-confirm\"", html, StringComparison.Ordinal);
        Assert.Null((await host.Services.CreateScope().ServiceProvider.GetRequiredService<UnitDirectoryStore>().FindAsync("tuan-giao", CancellationToken.None))!.Find("NEW1"));

        var good = "code;name;group;email\nNEW1;\"Đơn vị mới; có dấu chấm phẩy\";KHOI-QLNN;new1@tuangiao.example\nPNV;Phòng Nội vụ huyện;KHOI-QLNN;pnv@tuangiao.example\n";
        using var ok = await ScreensHost.PostFormAsync(client, page, "/console/units/import?directory=tuan-giao", [new("csv", good), new("step", "preview")]);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("id=\"import-confirm\"", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var confirm = await ScreensHost.PostFormAsync(client, page, "/console/units/import?directory=tuan-giao", [new("csv", good), new("step", "confirm")]);
        Assert.Equal(HttpStatusCode.Redirect, confirm.StatusCode);
        var directory = await host.Services.CreateScope().ServiceProvider.GetRequiredService<UnitDirectoryStore>().FindAsync("tuan-giao", CancellationToken.None);
        Assert.Equal("Đơn vị mới; có dấu chấm phẩy", directory!.Find("NEW1")!.Name);
        Assert.Equal("Phòng Nội vụ huyện", directory.Find("PNV")!.Name);
        Assert.Equal("truong.pnv@tuangiao.example", directory.Find("PNV")!.HeadEmail); // kept when the file leaves it empty
        Assert.Equal(51, directory.Units.Count);
    }

    [Fact]
    public async Task EmailsPage_ListsFailedEmailsWithTheServersAnswerEscaped_OtherStatesByLink_BadStatusIs400()
    {
        await using var host = await StartAsync();
        using var client = await SecretariatAsync(host);
        await host.DbAsync(async db =>
        {
            var now = new DateTimeOffset(2026, 10, 1, 1, 0, 0, TimeSpan.Zero);
            db.OutboxMessages.Add(new Engine.Mail.OutboxMessage
            {
                IdempotencyKey = "emails-page/failed", Kind = Engine.Mail.MailKind.Reminder, InstanceId = ScreensHost.Instance, To = "khong-ton-tai@tuangiao.example",
                Subject = "Nhắc hạn <b>đậm</b>", HtmlBody = "<p>x</p>", TextBody = "x", CreatedAt = now, NextAttemptAt = now,
                Status = Engine.Mail.OutboxStatus.Failed, Attempts = 1, LastError = "SMTP 550 (MailboxUnavailable): <script>alert(1)</script> mailbox unknown",
            });
            return await db.SaveChangesAsync();
        });

        var failed = await client.GetStringAsync("/console/emails");
        var sent = await client.GetStringAsync("/console/emails?status=Sent");
        using var bad = await client.GetAsync("/console/emails?status=Lost");

        Assert.Contains("khong-ton-tai@tuangiao.example", failed, StringComparison.Ordinal);
        Assert.Contains("SMTP 550 (MailboxUnavailable): &lt;script&gt;alert(1)&lt;/script&gt; mailbox unknown", failed, StringComparison.Ordinal);
        Assert.Contains("Nhắc hạn &lt;b&gt;đậm&lt;/b&gt;", failed, StringComparison.Ordinal);
        Assert.Contains($"href=\"/console/instances/{ScreensHost.Instance}\"", failed, StringComparison.Ordinal);
        Assert.Contains("href=\"/console/emails?status=Sent\"", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(1)", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("khong-ton-tai@tuangiao.example", sent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("Lost", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReviewInbox_ReturnWithComment_EmailsTheUnit_ThenAccept()
    {
        await using var host = await StartAsync();
        await host.Runtime.SubmitAsync(ScreensHost.UnitPlanPnv, new System.Text.Json.Nodes.JsonObject { ["documentNumber"] = "1/KH" }, "unit:PNV", CancellationToken.None);
        using var client = await SecretariatAsync(host);
        var inbox = await client.GetStringAsync("/console");
        Assert.Contains("data-task=\"" + ScreensHost.UnitPlanPnv + "\"", inbox, StringComparison.Ordinal);
        var path = "/console/tasks/" + ScreensHost.UnitPlanPnv;
        using var noComment = await ScreensHost.PostFormAsync(client, path, path + "/review", [new("decision", "return"), new("comment", "")]);
        Assert.Equal(HttpStatusCode.BadRequest, noComment.StatusCode);
        using var returned = await ScreensHost.PostFormAsync(client, path, path + "/review", [new("decision", "return"), new("comment", "Thiếu ngày ký")]);
        Assert.Equal(HttpStatusCode.Redirect, returned.StatusCode);
        Assert.Contains(await host.OutboxToAsync("pnv@tuangiao.example"), m => m.Kind == Engine.Mail.MailKind.SubmissionReturned && m.TextBody.Contains("Thiếu ngày ký", StringComparison.Ordinal));
        Assert.Equal(UnitTaskStatus.Returned, (await host.DbAsync(db => db.Tasks.AsNoTracking().SingleAsync(t => t.Id == ScreensHost.UnitPlanPnv))).Status);
        var reviewer = await host.DbAsync(db => db.Submissions.AsNoTracking().Where(s => s.TaskId == ScreensHost.UnitPlanPnv).Select(s => s.ReviewedBy).SingleAsync());
        Assert.Equal("secretariat:" + SignInHttp.SecretariatUser, reviewer);

        // The journal page shows the steps and the emails.
        var journal = await client.GetStringAsync("/console/instances/" + ScreensHost.Instance);
        Assert.Contains("id=\"journal\"", journal, StringComparison.Ordinal);
        Assert.Contains("[Trả lại]", journal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskPage_RemindNowAndExtendTheMilestoneForAGroup_RunTheAmendments()
    {
        await using var host = await StartAsync();
        using var client = await SecretariatAsync(host);
        var path = "/console/tasks/" + ScreensHost.UnitPlanPnv;
        using var remind = await ScreensHost.PostFormAsync(client, path, path + "/remind", []);
        Assert.Equal(HttpStatusCode.Redirect, remind.StatusCode);
        Assert.Contains(await host.OutboxToAsync("pnv@tuangiao.example"), m => m.Kind == Engine.Mail.MailKind.Reminder);

        using var past = await ScreensHost.PostFormAsync(client, path, "/console/instances/" + ScreensHost.Instance + "/milestones/unit-plan-2021/due-date",
            [new("dueDate", "2021-07-01"), new("reason", "x"), new("taskId", ScreensHost.UnitPlanPnv)]);
        Assert.Equal(HttpStatusCode.Conflict, past.StatusCode);
        Assert.Contains("đã qua", await past.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var extend = await ScreensHost.PostFormAsync(client, path, "/console/instances/" + ScreensHost.Instance + "/milestones/unit-plan-2021/due-date",
            [new("dueDate", "2021-10-15"), new("reason", "Gia hạn khối quản lý nhà nước"), new("unitGroup", "KHOI-QLNN"), new("taskId", ScreensHost.UnitPlanPnv)]);
        Assert.Equal(HttpStatusCode.Redirect, extend.StatusCode);
        var moved = await host.DbAsync(db => db.Tasks.AsNoTracking().Where(t => t.Milestone == "unit-plan-2021" && t.DueDate == new DateOnly(2021, 10, 15)).CountAsync());
        Assert.Equal(13, moved);
        Assert.Equal("secretariat:" + SignInHttp.SecretariatUser, await host.DbAsync(db => db.Journal.AsNoTracking().Where(j => j.Event == "DueDateChanged").Select(j => j.Actor).FirstAsync()));
    }

    [Fact]
    public async Task Exports_CsvEscapesFormulas_XlsxOpensWithTheRows()
    {
        await using var host = await StartAsync();
        using (var scope = host.Services.CreateScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<UnitDirectoryStore>();
            var directory = (await store.FindAsync("tuan-giao", CancellationToken.None))!;
            var units = directory.Units.Select(u => u.Code switch
            {
                "PNV" => u with { Name = "=HYPERLINK(\"http://evil.example\",\"x\")" },
                "VPHU" => u with { Name = "+1, \"trích\"\nhai dòng" },
                "BTCHU" => u with { Name = "@SUM(A1)" },
                "BTGHU" => u with { Name = "-2" },
                _ => u,
            }).ToList();
            await store.SaveAsync("tuan-giao", directory.Groups, units, CancellationToken.None);
        }
        using var client = await SecretariatAsync(host);
        var csvBytes = await client.GetByteArrayAsync("/dashboard/export.csv?milestone=unit-plan-2021&sort=unit");
        Assert.Equal([0xEF, 0xBB, 0xBF], csvBytes[..3]);
        var csv = Encoding.UTF8.GetString(csvBytes[3..]);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"", csv, StringComparison.Ordinal);
        Assert.Contains("\"'+1, \"\"trích\"\"\nhai dòng\"", csv, StringComparison.Ordinal);
        Assert.Contains("'@SUM(A1)", csv, StringComparison.Ordinal);
        Assert.Contains("'-2", csv, StringComparison.Ordinal);
        Assert.Contains("30/09/2021", csv, StringComparison.Ordinal);
        Assert.StartsWith("Mã,Đơn vị,Khối / cụm,Mốc,Nhiệm vụ,Hạn,Số ngày trễ,Trạng thái,Loại,Tối thiểu,Đã khai,Thiếu so với mức tối thiểu\r\n", csv, StringComparison.Ordinal);

        var xlsx = await client.GetByteArrayAsync("/dashboard/export.xlsx?milestone=unit-plan-2021");
        using var document = SpreadsheetDocument.Open(new MemoryStream(xlsx), false);
        var rows = document.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<Row>().ToList();
        Assert.Equal(51, rows.Count);
        var texts = rows.SelectMany(r => r.Descendants<Cell>()).Select(c => c.InnerText).ToList();
        Assert.Contains("=HYPERLINK(\"http://evil.example\",\"x\")", texts); // a text cell, not a formula
        Assert.Empty(document.WorkbookPart.WorksheetParts.Single().Worksheet.Descendants<CellFormula>());
        Assert.Contains("30/09/2021", texts);
    }

    [Fact]
    public async Task Dashboard_OverdueFirst_ThenDoneLateIsOrangeAndLeavesTheOverdueList()
    {
        await using var host = await StartAsync();
        await host.AdvanceToAsync(Engine.Timeline.PlanTime.AtLocal(new DateOnly(2021, 10, 3), new TimeOnly(9, 0)));
        using var client = await SecretariatAsync(host);
        var page = await client.GetStringAsync("/dashboard?milestone=unit-plan-2021");
        Assert.Contains("data-task=\"" + ScreensHost.UnitPlanPnv + "\" data-colour=\"red\"", page, StringComparison.Ordinal);
        Assert.True(page.IndexOf("id=\"overdue\"", StringComparison.Ordinal) < page.IndexOf("id=\"by-milestone\"", StringComparison.Ordinal));

        await host.Runtime.SubmitAsync(ScreensHost.UnitPlanPnv, new System.Text.Json.Nodes.JsonObject { ["documentNumber"] = "1/KH" }, "unit:PNV", CancellationToken.None);
        await host.Runtime.ReviewAsync(ScreensHost.UnitPlanPnv, true, null, "secretariat", CancellationToken.None);
        page = await client.GetStringAsync("/dashboard?milestone=unit-plan-2021");
        var overdue = page[page.IndexOf("id=\"overdue\"", StringComparison.Ordinal)..page.IndexOf("id=\"by-milestone\"", StringComparison.Ordinal)];
        Assert.DoesNotContain(ScreensHost.UnitPlanPnv, overdue, StringComparison.Ordinal);
        Assert.Contains("data-task=\"" + ScreensHost.UnitPlanPnv + "\" data-colour=\"orange\"", page, StringComparison.Ordinal);

        var english = await client.GetAsync("/dashboard?lang=en");
        Assert.Contains("Overdue tasks", await english.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(english.Headers.GetValues("Set-Cookie"), c => c.StartsWith("wfh.lang=en", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dashboard_QuotaRows_ShowMinimumCountedAndProgress()
    {
        await using var host = await StartAsync();
        await host.DbAsync(async db =>
        {
            db.Quotas.Add(new Engine.Quotas.QuotaRecord
            {
                Id = "s.quota.PNV.2022", InstanceId = ScreensHost.Instance, ActivityId = "quota", Movement = "Văn hoá công sở", UnitCode = "PNV", Period = "2022",
                PeriodStart = new DateOnly(2022, 1, 1), PeriodEnd = new DateOnly(2022, 12, 31), Minimum = "collective:3;individual:3", Counted = "collective:2;individual:3",
            });
            return await db.SaveChangesAsync();
        });
        using var client = await SecretariatAsync(host);
        var page = await client.GetStringAsync("/dashboard?instance=" + ScreensHost.Instance);
        var quotas = page[page.IndexOf("id=\"quotas\"", StringComparison.Ordinal)..];
        Assert.Contains("Văn hoá công sở", quotas, StringComparison.Ordinal);
        Assert.Contains("Phòng Nội vụ", quotas, StringComparison.Ordinal);
        Assert.Contains("3 tập thể, 3 cá nhân", quotas, StringComparison.Ordinal);
        Assert.Contains("2 tập thể, 3 cá nhân", quotas, StringComparison.Ordinal);
        Assert.Contains("width:83%", quotas, StringComparison.Ordinal); // 5 of 6
    }

    [Fact]
    public void UiText_BothLanguages_HaveTheSameKeys()
    {
        Assert.Equal(Server.Features.Localization.UiText.Vietnamese.Keys.Order(StringComparer.Ordinal), Server.Features.Localization.UiText.English.Keys.Order(StringComparer.Ordinal));
    }
}
