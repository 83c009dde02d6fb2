using System.Net;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Server.Tests.Screens;

public sealed class PortalTests
{
    [Fact]
    public async Task SignedLink_Valid_SignsTheUnitInAndShowsItsTask()
    {
        await using var host = await ScreensHost.StartAsync();
        using var client = host.NewClient();
        var link = new Uri(host.SignedLink("PNV", ScreensHost.UnitPlanPnv));
        using var opened = await client.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        // A refresh page (not a 302), so the browser sends the new SameSite=Strict cookie after a click in a web mail.
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"0;url=/portal/tasks/" + ScreensHost.UnitPlanPnv + "\">", await opened.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(opened.Headers.GetValues("Set-Cookie"), c => c.StartsWith("workflowhost.auth=", StringComparison.Ordinal) && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));

        var page = await client.GetStringAsync("/portal/tasks/" + ScreensHost.UnitPlanPnv);
        Assert.Contains("id=\"submission-form\"", page, StringComparison.Ordinal);
        Assert.Contains("30/09/2021", page, StringComparison.Ordinal);
        var home = await client.GetStringAsync("/portal");
        Assert.Contains("Việc còn phải nộp", home, StringComparison.Ordinal);
        Assert.Contains(ScreensHost.UnitPlanPnv, home, StringComparison.Ordinal);
        Assert.DoesNotContain("s.task-unit-plan-2021.VPHU", home, StringComparison.Ordinal);

        // Another unit's task: 404, not 403 (its existence is not revealed).
        using var other = await client.GetAsync("/portal/tasks/s.task-unit-plan-2021.VPHU");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task SignedLink_InReminderEmail_IsSignedAndOpensThePortal()
    {
        await using var host = await ScreensHost.StartAsync();
        await host.AdvanceToAsync(PlanTime.AtLocal(new DateOnly(2021, 9, 23), new TimeOnly(8, 30)));
        var mail = (await host.OutboxToAsync("pnv@tuangiao.example")).First(m => m.TaskId == ScreensHost.UnitPlanPnv);
        var href = System.Text.RegularExpressions.Regex.Match(mail.HtmlBody, "href=\"([^\"]+)\"").Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal);
        Assert.Contains("/portal/tasks/" + ScreensHost.UnitPlanPnv + "?k=", href, StringComparison.Ordinal);
        using var client = host.NewClient();
        using var response = await client.GetAsync(new Uri(href).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/portal/tasks/" + ScreensHost.UnitPlanPnv)).StatusCode);
    }

    [Fact]
    public async Task SignedLink_Expired_ClearPageAndRenewSendsANewLinkToTheUnit()
    {
        await using var host = await ScreensHost.StartAsync();
        var link = new Uri(host.SignedLink("PNV", ScreensHost.UnitPlanPnv));
        host.Factory.Clock.Advance(TimeSpan.FromDays(31));
        using var client = host.NewClient();
        using var response = await client.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Liên kết đã hết hạn", page, StringComparison.Ordinal);
        Assert.Contains("data-status=\"link.expired\"", page, StringComparison.Ordinal);
        // Not signed in by an expired link.
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/portal")).StatusCode);

        var token = System.Web.HttpUtility.ParseQueryString(link.Query)["k"]!;
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["k"] = token, ["__RequestVerificationToken"] = ScreensHost.Token(page) });
        using var renew = await client.PostAsync("/portal/link/renew", content);
        Assert.Equal(HttpStatusCode.OK, renew.StatusCode);
        var sent = (await host.OutboxToAsync("pnv@tuangiao.example")).Single(m => m.Subject.Contains("Liên kết mới", StringComparison.Ordinal));
        Assert.Contains("/portal/tasks/" + ScreensHost.UnitPlanPnv + "?k=", sent.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedLink_Tampered_InvalidPageAndRequestByEmail()
    {
        await using var host = await ScreensHost.StartAsync();
        var link = host.SignedLink("PNV", ScreensHost.UnitPlanPnv);
        var tampered = new Uri(link[..^6] + (link[^6] == 'A' ? "B" : "A") + link[^5..]).PathAndQuery;
        using var client = host.NewClient();
        foreach (var bad in new[] { tampered, "/portal/tasks/" + ScreensHost.UnitPlanPnv + "?k=garbage", new Uri(host.SignedLink("PNV", "s.task-unit-plan-2021.VPHU")).PathAndQuery,
                     "/portal/tasks/s.task-unit-plan-2021.VP?k=" + System.Web.HttpUtility.ParseQueryString(new Uri(link).Query)["k"] })
        {
            using var response = await client.GetAsync(bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("data-status=\"link.invalid\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var request = await ScreensHost.PostFormAsync(client, "/portal/link", "/portal/link", [new("email", "PNV@tuangiao.example")]);
        Assert.Equal(HttpStatusCode.OK, request.StatusCode);
        using var unknown = await ScreensHost.PostFormAsync(client, "/portal/link", "/portal/link", [new("email", "nobody@example.test")]);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode); // same answer: nothing is revealed
        var sent = (await host.OutboxToAsync("pnv@tuangiao.example")).Single(m => m.Subject.Contains("Liên kết mới", StringComparison.Ordinal));
        var href = System.Text.RegularExpressions.Regex.Match(sent.HtmlBody, "href=\"([^\"]+/portal\\?k=[^\"]+)\"").Groups[1].Value;
        using var home = await client.GetAsync(new Uri(href).PathAndQuery);
        Assert.Contains("content=\"0;url=/portal\"", await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(ScreensHost.UnitPlanPnv, await client.GetStringAsync("/portal"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinkRequests_ManyFromOneAddress_429()
    {
        await using var host = await ScreensHost.StartAsync();
        using var client = host.NewClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 21; i++)
        {
            using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "pnv@tuangiao.example" });
            using var response = await client.PostAsync("/portal/link", content);
            statuses.Add(response.StatusCode);
        }
        Assert.All(statuses.Take(20), s => Assert.Equal(HttpStatusCode.BadRequest, s)); // no anti-forgery token
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[20]);
    }

    [Fact]
    public async Task UnitPlan_SubmitWithPdf_ReceiptOnScreenAndByEmail_TaskWaitsForReview()
    {
        await using var host = await ScreensHost.StartAsync();
        using var client = await host.UnitClientAsync("PNV", ScreensHost.UnitPlanPnv);
        var path = "/portal/tasks/" + ScreensHost.UnitPlanPnv;
        using var response = await ScreensHost.PostMultipartAsync(client, path, path, [new("documentNumber", "12/KH-PNV"), new("signedOn", "2021-09-20"), new("action", "submit")],
            ("../../etc/ke hoach<1>.pdf", ScreensHost.Pdf()));
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, html);
        Assert.Contains("id=\"receipt\"", html, StringComparison.Ordinal);
        Assert.Contains("20/09/2021", html, StringComparison.Ordinal);

        var task = await host.DbAsync(db => db.Tasks.AsNoTracking().SingleAsync(t => t.Id == ScreensHost.UnitPlanPnv));
        Assert.Equal(UnitTaskStatus.Submitted, task.Status);
        var submission = await host.DbAsync(db => db.Submissions.AsNoTracking().SingleAsync(s => s.TaskId == ScreensHost.UnitPlanPnv));
        var content = System.Text.Json.Nodes.JsonNode.Parse(submission.ContentJson)!;
        Assert.Equal("12/KH-PNV", (string?)content["documentNumber"]);
        Assert.Equal("2021-09-20", (string?)content["signedOn"]);
        Assert.Equal("ke hoach1.pdf", (string?)content["attachment"]!["fileName"]);
        Assert.Equal("application/pdf", (string?)content["attachment"]!["contentType"]);

        // Stored outside the web root, under a generated name; downloadable by its unit.
        var id = (string)content["attachment"]!["id"]!;
        Assert.True(File.Exists(Path.Combine(host.Factory.DataDirectory, "uploads", id)));
        Assert.Empty(Directory.GetFiles(host.Factory.DataDirectory, "*.pdf", SearchOption.AllDirectories));
        using var download = await client.GetAsync("/files/" + id);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType!.MediaType);

        Assert.Contains(await host.OutboxToAsync("pnv@tuangiao.example"), m => m.Subject.StartsWith("[Đã nhận]", StringComparison.Ordinal) && m.TaskId == ScreensHost.UnitPlanPnv);
        Assert.Contains("id=\"waiting\"", await client.GetStringAsync(path), StringComparison.Ordinal);

        // Another unit cannot download it.
        using var vp = await host.UnitClientAsync("VPHU", "s.task-unit-plan-2021.VPHU");
        Assert.Equal(HttpStatusCode.NotFound, (await vp.GetAsync("/files/" + id)).StatusCode);
    }

    [Theory]
    [InlineData("plan.pdf", "hello, I am not a PDF", "Chỉ nhận tệp PDF")]
    [InlineData("plan.docx", "PK\u0003\u0004 not really a zip", "Chỉ nhận tệp PDF")]
    [InlineData("plan.exe", "%PDF-1.4 but named .exe", "Chỉ nhận tệp PDF")]
    [InlineData("plan.doc", "%PDF-1.4 but named .doc", "Chỉ nhận tệp PDF")]
    public async Task Upload_WrongMagicBytesOrExtension_400NamingTheFile(string name, string text, string message)
    {
        await using var host = await ScreensHost.StartAsync();
        using var client = await host.UnitClientAsync("PNV", ScreensHost.UnitPlanPnv);
        var path = "/portal/tasks/" + ScreensHost.UnitPlanPnv;
        using var response = await ScreensHost.PostMultipartAsync(client, path, path, [new("documentNumber", "12/KH-PNV"), new("signedOn", "20/09/2021")],
            (name, System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(host.Factory.DataDirectory, "uploads")) && Directory.GetFiles(Path.Combine(host.Factory.DataDirectory, "uploads")).Length > 0);
        Assert.Equal(UnitTaskStatus.Open, (await host.DbAsync(db => db.Tasks.AsNoTracking().SingleAsync(t => t.Id == ScreensHost.UnitPlanPnv))).Status);
    }

    [Fact]
    public async Task Upload_TooBig_400AndNothingStored()
    {
        await using var host = await ScreensHost.StartAsync(("Portal:MaxUploadMegabytes", "1"));
        using var client = await host.UnitClientAsync("PNV", ScreensHost.UnitPlanPnv);
        var path = "/portal/tasks/" + ScreensHost.UnitPlanPnv;
        using var response = await ScreensHost.PostMultipartAsync(client, path, path, [new("documentNumber", "12/KH-PNV"), new("signedOn", "2021-09-20")],
            ("plan.pdf", ScreensHost.Pdf((1024 * 1024) + 10)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Tệp quá lớn (tối đa 1 MB)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await host.DbAsync(db => db.UploadedFiles.CountAsync()));
    }

    [Fact]
    public async Task UnitPlan_MissingFields_400NamingEachField()
    {
        await using var host = await ScreensHost.StartAsync();
        using var client = await host.UnitClientAsync("PNV", ScreensHost.UnitPlanPnv);
        var path = "/portal/tasks/" + ScreensHost.UnitPlanPnv;
        using var response = await ScreensHost.PostMultipartAsync(client, path, path, [new("documentNumber", ""), new("signedOn", "31/02/2021")]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Bắt buộc nhập.", html, StringComparison.Ordinal);
        Assert.Contains("Ngày không hợp lệ", html, StringComparison.Ordinal);
        Assert.Contains("Cần đính kèm tệp kế hoạch.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_WithoutAntiforgeryToken_400()
    {
        await using var host = await ScreensHost.StartAsync();
        using var client = await host.UnitClientAsync("PNV", ScreensHost.UnitPlanPnv);
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["documentNumber"] = "1", ["signedOn"] = "2021-09-20" });
        using var response = await client.PostAsync("/portal/tasks/" + ScreensHost.UnitPlanPnv, content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task CalendarFeed_ListsTheUnitsDeadlinesAsICalendar()
    {
        await using var host = await ScreensHost.StartAsync();
        using var client = await host.UnitClientAsync("PNV", ScreensHost.UnitPlanPnv);
        var home = await client.GetStringAsync("/portal");
        var feed = System.Text.RegularExpressions.Regex.Match(home, "id=\"calendar-feed\" href=\"([^\"]+)\"").Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal);
        using var anonymous = host.NewClient(); // calendar apps carry no cookie
        using var response = await anonymous.GetAsync(feed);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        var ics = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", ics, StringComparison.Ordinal);
        Assert.EndsWith("END:VCALENDAR\r\n", ics, StringComparison.Ordinal);
        Assert.Contains("UID:" + ScreensHost.UnitPlanPnv + "@", ics, StringComparison.Ordinal);
        Assert.Contains("DTSTART;VALUE=DATE:20210930\r\n", ics, StringComparison.Ordinal);
        Assert.Contains("DTEND;VALUE=DATE:20211001\r\n", ics, StringComparison.Ordinal);
        Assert.DoesNotContain(".VPHU@", ics, StringComparison.Ordinal);
        foreach (var line in ics.Split("\r\n"))
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(line) <= 75, $"line longer than 75 octets: {line}");
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/portal/calendar.ics?k=forged")).StatusCode);
    }
}
