using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Tests.Infrastructure;
using WorkflowHost.Server.Tests.Restart;
using Xunit.Abstractions;

namespace WorkflowHost.Server.Tests.Browser;

/// <summary>
/// The three screens in a real browser (Debian's Chromium) against the real server process, with mail going to a real
/// SMTP server (aiosmtpd): a deadline email arrives → its signed link opens the unit's portal on a phone-sized screen →
/// the unit registers exemplars → the secretariat returns it with a comment → the unit gets the comment by email and
/// resubmits → the secretariat accepts → the leaders' dashboard shows the task orange (done late) and its overdue list
/// no longer has it. Screenshots of each screen (desktop and 390 px) go to artifacts/screenshots/, and to docs/images/
/// when <c>WFH_UPDATE_SCREENSHOTS=1</c>.
/// </summary>
[Collection(BrowserTestGroup.Name)]
[Trait("Category", "Browser")]
public sealed partial class ScreensLoopBrowserTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Movement = "Phong trào thi đua \"Dân vận khéo\"";
    private static readonly TimeSpan MailWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WholeLoop_DeadlineEmailToAcceptedTask_DashboardOrangeAndNotOverdue()
    {
        using var folder = new TempDirectory("workflowhost-screens");
        var due = PlanTime.LocalDate(TimeProvider.System.GetUtcNow()).AddDays(-2);
        WritePlan(folder, due);
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var server = ServerProcess.WithSmtp(folder.Path, smtp.Port);
        var journal = new List<PageJournal>();
        try
        {
            await server.StartAsync();
            await BrowserFixture.AddLeaderThroughCliAsync(folder.Path, fixture.LeaderPassword);
            await server.StartInstanceAsync("loop-plan", "loop", "loop");
            const string taskId = "loop.task-registration.U001";

            // 1. The deadline email (the overdue notice: the due date was two days ago) arrives with a signed link.
            var notice = await WaitForMailAsync(smtp, "u001@example.test", "[Quá hạn]");
            var link = LinkIn(notice);
            Assert.Contains("/portal/tasks/" + taskId + "?k=", link, StringComparison.Ordinal);

            // The leader sees it overdue first.
            await using var leader = await NewContextAsync(server, 1280, 900);
            var leaderPage = await leader.NewPageAsync();
            journal.Add(new PageJournal(leaderPage));
            await SignInAsync(leaderPage, BrowserFixture.LeaderUser, fixture.LeaderPassword, "**/dashboard");
            await Assertions.Expect(leaderPage.Locator($"#overdue tr[data-task='{taskId}']")).ToHaveAttributeAsync("data-colour", "red");

            // 2. The link opens the unit's portal, on a phone.
            await using var unit = await NewContextAsync(server, 390, 844);
            var unitPage = await unit.NewPageAsync();
            journal.Add(new PageJournal(unitPage));
            await unitPage.GotoAsync(link);
            Assert.Equal("/portal/tasks/" + taskId, new Uri(unitPage.Url).AbsolutePath);
            await Assertions.Expect(unitPage.Locator("#exemplar-count")).ToContainTextAsync("tối thiểu 1 tập thể, 1 cá nhân");

            // 3. The unit registers two exemplars.
            await FillRowAsync(unitPage, 1, "collective", "Tổ dân vận bản Chiềng Sinh", "Bản Chiềng Sinh", "Dân vận");
            await FillRowAsync(unitPage, 2, "individual", "Lò Văn Thành", "Trưởng bản", "Dân vận");
            await unitPage.ClickAsync("#submit");
            await Assertions.Expect(unitPage.Locator("#receipt")).ToBeVisibleAsync();
            await WaitForMailAsync(smtp, "u001@example.test", "[Đã nhận]");
            Assert.True(await FitsAsync(unitPage), "the receipt page scrolls sideways at 390 px");

            // 4. The secretariat returns it with a comment.
            await using var secretariat = await NewContextAsync(server, 1280, 900);
            var console = await secretariat.NewPageAsync();
            journal.Add(new PageJournal(console));
            await SignInAsync(console, ServerProcess.SecretariatUser, ServerProcess.SecretariatPassword, "**/console");
            await console.ClickAsync($"#inbox tr[data-task='{taskId}'] a");
            await Assertions.Expect(console.Locator("table.exemplars")).ToContainTextAsync("Lò Văn Thành");
            await Screens.ShotAsync(console, "console-desktop");
            await console.FillAsync("#comment", "Đề nghị bổ sung thành tích cụ thể của tập thể.");
            await console.ClickAsync("#return");
            await console.WaitForURLAsync("**/console?done=*");
            await Assertions.Expect(console.Locator("#done")).ToBeVisibleAsync();

            // 5. The unit gets the comment by email, opens its link and resubmits.
            var returned = await WaitForMailAsync(smtp, "u001@example.test", "[Trả lại]");
            Assert.Contains("Đề nghị bổ sung thành tích cụ thể của tập thể.", returned.Part("text/plain")!.Body, StringComparison.Ordinal);
            await unit.Pages[0].SetViewportSizeAsync(1280, 900);
            await unitPage.GotoAsync("/portal");
            await Assertions.Expect(unitPage.Locator($"li[data-task='{taskId}'] .comment")).ToContainTextAsync("Đề nghị bổ sung thành tích");
            await Screens.ShotAsync(unitPage, "portal-desktop");
            await unitPage.SetViewportSizeAsync(390, 844);
            await unitPage.GotoAsync(LinkIn(returned));
            await Assertions.Expect(unitPage.Locator("#return-comment")).ToContainTextAsync("Đề nghị bổ sung thành tích");
            await Assertions.Expect(unitPage.Locator("#name-1")).ToHaveValueAsync("Tổ dân vận bản Chiềng Sinh");
            await unitPage.FillAsync("#achievements-1", "Vận động 120 hộ hiến 3.000 m² đất làm đường nội bản (2021)");
            await Screens.ShotAsync(unitPage, "portal-phone");
            Assert.True(await FitsAsync(unitPage), "the portal's form scrolls sideways at 390 px");
            await unitPage.ClickAsync("#submit");
            await Assertions.Expect(unitPage.Locator("#receipt")).ToBeVisibleAsync();

            // 6. The secretariat accepts.
            await console.GotoAsync("/console");
            await console.ClickAsync($"#inbox tr[data-task='{taskId}'] a");
            await console.ClickAsync("#accept");
            await console.WaitForURLAsync("**/console?done=*");
            await WaitForMailAsync(smtp, "u001@example.test", "[Đã chấp thuận]");

            // 7. The leaders' dashboard: orange (done late), and not in the overdue list.
            await leaderPage.ReloadAsync();
            await Assertions.Expect(leaderPage.Locator($"#all-tasks tr[data-task='{taskId}']")).ToHaveAttributeAsync("data-colour", "orange");
            await Assertions.Expect(leaderPage.Locator($"#overdue tr[data-task='{taskId}']")).ToHaveCountAsync(0);
            await Assertions.Expect(leaderPage.Locator("#by-milestone tr[data-key='registration-test'] td").Nth(2)).ToHaveTextAsync("1");
            await Screens.ShotAsync(leaderPage, "dashboard-desktop");

            // The unit's list after the loop, and the phone-sized console and dashboard.
            await unitPage.GotoAsync("/portal");
            await Assertions.Expect(unitPage.Locator($"li[data-task='{taskId}'] .badge")).ToHaveTextAsync("Hoàn thành trễ hạn");
            await console.SetViewportSizeAsync(390, 844);
            await console.GotoAsync("/console/tasks/" + taskId);
            Assert.True(await FitsAsync(console), "the console scrolls sideways at 390 px");
            await Screens.ShotAsync(console, "console-phone");
            await leaderPage.SetViewportSizeAsync(390, 844);
            await leaderPage.ReloadAsync();
            Assert.True(await FitsAsync(leaderPage), "the dashboard scrolls sideways at 390 px");
            await Screens.ShotAsync(leaderPage, "dashboard-phone");

            // The English switch.
            await leaderPage.ClickAsync("#lang-switch");
            await Assertions.Expect(leaderPage.Locator("h1")).ToHaveTextAsync("Progress");
            Assert.DoesNotContain(journal, j => j.ToString().Contains("Content Security Policy", StringComparison.Ordinal));
        }
        catch
        {
            output.WriteLine(string.Join("\n", journal.Select(j => j.ToString())));
            output.WriteLine(server.ReadLogs());
            throw;
        }
    }

    private Task<IBrowserContext> NewContextAsync(ServerProcess server, int width, int height) => fixture.NewContextAsync(server.BaseAddress, width, height);

    /// <summary>As a new user signs in: the plain sign-in page, then "/" sends each role to its screen (<paramref name="expectedUrl"/>).</summary>
    internal static async Task SignInAsync(IPage page, string user, string password, string expectedUrl)
    {
        await page.GotoAsync("/signin");
        await page.FillAsync("#userName", user);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(expectedUrl);
    }

    private static async Task FillRowAsync(IPage page, int row, string kind, string name, string position, string field)
    {
        await page.SelectOptionAsync($"#kind-{row}", kind);
        await page.FillAsync($"#name-{row}", name);
        await page.FillAsync($"#position-{row}", position);
        await page.SelectOptionAsync($"#movement-{row}", Movement);
        await page.FillAsync($"#field-{row}", field);
        await page.FillAsync($"#achievements-{row}", "Tiêu biểu năm 2021");
    }

    private static Task<bool> FitsAsync(IPage page) => page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1");

    private static async Task<ReceivedMail> WaitForMailAsync(SmtpTestServer smtp, string to, string subjectStart)
    {
        ReceivedMail? found = null;
        await Poll.UntilAsync(() => (found = smtp.Messages.LastOrDefault(m => m.To?.Contains(to, StringComparison.Ordinal) == true && m.Subject?.StartsWith(subjectStart, StringComparison.Ordinal) == true)) is not null,
            MailWait, $"an email \"{subjectStart}…\" to {to}", () => string.Join("\n", smtp.Messages.Select(m => $"{m.To}: {m.Subject}")));
        return found!;
    }

    // The link's path and query: the emails use App:BaseUrl (its default port), the server under test a free port.
    private static string LinkIn(ReceivedMail mail)
    {
        var match = LinkPattern().Match(mail.Part("text/plain")!.Body);
        Assert.True(match.Success, mail.Part("text/plain")!.Body);
        return new Uri(match.Value).PathAndQuery;
    }

    // A three-unit directory (U001 leads the movement) and one registration task per unit, due two days ago.
    private static void WritePlan(TempDirectory folder, DateOnly due)
    {
        var units = TestPlans.UnitDirectory("loop", 3);
        units["units"]![0]!["leadOf"] = new JsonArray(new JsonObject { ["movement"] = Movement, ["minimum"] = new JsonObject { ["collective"] = 1, ["individual"] = 1 } });
        units["units"]![0]!["name"] = "Phòng Nội vụ (thử)";
        TestPlans.Write(folder.Combine("units", "loop.json"), units);
        static JsonObject Input(string type, string syntax, string value) => new() { ["typeName"] = type, ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = value } };
        var task = new JsonObject
        {
            ["id"] = "task-registration",
            ["name"] = "task-registration",
            ["type"] = "ThiDua.UnitTask",
            ["version"] = 1,
            ["customProperties"] = new JsonObject(),
            ["metadata"] = new JsonObject(),
            ["kind"] = Input("String", "Literal", "Registration"),
            ["milestone"] = Input("String", "Literal", "registration-test"),
            ["title"] = Input("String", "Literal", "Đăng ký mô hình, gương điển hình tiên tiến"),
            ["dueDate"] = Input("DateOnly", "Literal", due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ["reminderDays"] = Input("Int32[]", "Object", "[7,1]"),
            ["escalation"] = Input("String[]", "Object", "[\"0:unit\",\"30:head\"]"),
            ["minimum"] = Input("String", "Literal", "01 tập thể, 01 cá nhân"),
        };
        TestPlans.Write(folder.Combine("workflows", "loop-plan.json"), TestPlans.ForEveryUnit("loop-plan", "each", TestPlans.Sequence("body", task)));
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/portal/tasks/\S+\?k=[A-Za-z0-9_\-]+")]
    private static partial Regex LinkPattern();
}

/// <summary>Screenshots of the three screens.</summary>
internal static class Screens
{
    /// <summary>Writes <c>{name}.png</c> to artifacts/screenshots/, and to docs/images/ when WFH_UPDATE_SCREENSHOTS=1.</summary>
    public static async Task ShotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(BrowserFixture.ScreenshotDirectory);
        var path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = false });
        if (Environment.GetEnvironmentVariable("WFH_UPDATE_SCREENSHOTS") == "1")
        {
            var images = RepoPaths.Of(Path.Combine("docs", "images"));
            Directory.CreateDirectory(images);
            File.Copy(path, Path.Combine(images, name + ".png"), overwrite: true);
        }
    }
}
