using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WorkflowHost.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WorkflowHost.Server.Tests.Browser;

/// <summary>
/// The demo as a new user meets it (issue 16): the server started as <c>./run.sh</c> starts it (<c>--demo</c>) prints a
/// demo secretariat and a demo leader with generated passwords; a browser signs in with exactly what was printed and
/// opens every screen; the sign-in page has no scrollbar at 1280×900; the virtual clock starts where the README says.
/// </summary>
[Collection(BrowserTestGroup.Name)]
[Trait("Category", "Browser")]
public sealed partial class DemoBrowserTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan BannerWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Demo_PrintedAccounts_SignInAndOpenEveryScreen()
    {
        await using var server = new DesignerServer(demo: true);
        var journal = new List<PageJournal>();
        try
        {
            await server.StartAsync();
            Match secretariat = Match.Empty, leader = Match.Empty;
            await Poll.UntilAsync(() =>
            {
                var log = server.ReadLog();
                secretariat = BannerLine("secretariat").Match(log);
                leader = BannerLine("leader").Match(log);
                return secretariat.Success && leader.Success;
            }, BannerWait, "the demo banner with both accounts", server.ReadLog);
            var log = server.ReadLog();
            // Log and banner agree with the README: the demo plan starts at 20/09/2021 08:00.
            Assert.Contains("started as instance demo at virtual 20/09/2021 08:00", log, StringComparison.Ordinal);
            var file = await File.ReadAllTextAsync(Path.Combine(server.DemoDataDirectory, "demo-accounts.txt"));
            Assert.Contains($"secretariat {secretariat.Groups[1].Value} {secretariat.Groups[2].Value}", file, StringComparison.Ordinal);
            Assert.Contains($"leader {leader.Groups[1].Value} {leader.Groups[2].Value}", file, StringComparison.Ordinal);

            // The sign-in page at 1280×900: nothing to scroll, so no scrollbar.
            await using var staff = await NewContextAsync(server, 1280, 900);
            var page = await staff.NewPageAsync();
            journal.Add(new PageJournal(page));
            await page.GotoAsync("/signin");
            var (scrollHeight, viewHeight) = await HeightsAsync(page);
            Assert.True(scrollHeight <= viewHeight, $"the sign-in page scrolls: {scrollHeight} px of content in a {viewHeight} px window");
            await Screens.ShotAsync(page, "demo-signin");

            // The secretariat, with the printed account: every screen of the console, the dashboard, the designer's list.
            await SignInAsync(page, secretariat.Groups[1].Value, secretariat.Groups[2].Value, "**/console");
            foreach (var path in new[] { "/console", "/console/plans", "/console/units", "/console/emails", "/dashboard", "/designer/" })
            {
                var response = await page.GotoAsync(path);
                Assert.True(response is { Status: 200 }, $"{path} answered {response?.Status}");
                Assert.Equal(path, new Uri(page.Url).AbsolutePath);
            }
            var clock = await staff.APIRequest.GetAsync("/api/clock");
            Assert.Equal(200, clock.Status);
            Assert.Contains("/2021", await clock.TextAsync(), StringComparison.Ordinal);

            // The leader, with the printed account: the dashboard, and no console.
            await using var leaders = await NewContextAsync(server, 1280, 900);
            var leaderPage = await leaders.NewPageAsync();
            journal.Add(new PageJournal(leaderPage));
            await SignInAsync(leaderPage, leader.Groups[1].Value, leader.Groups[2].Value, "**/dashboard");
            await Assertions.Expect(leaderPage.Locator("#by-milestone")).ToBeAttachedAsync();
            var forbidden = await leaderPage.GotoAsync("/console");
            Assert.Equal(403, forbidden?.Status);

            // A unit: the link of the first demo email opens its portal.
            var mail = Path.Combine(server.DemoDataDirectory, "mail");
            string? first = null;
            await Poll.UntilAsync(() => (first = Directory.Exists(mail) ? Directory.EnumerateFiles(mail, "*.eml").Order(StringComparer.Ordinal).FirstOrDefault() : null) is not null,
                BannerWait, "a demo email in " + mail);
            var body = ReceivedMail.Load(first!).Part("text/plain")!.Body;
            var link = PortalLink().Match(body);
            Assert.True(link.Success, body);
            await using var unit = await NewContextAsync(server, 390, 844);
            var unitPage = await unit.NewPageAsync();
            journal.Add(new PageJournal(unitPage));
            await unitPage.GotoAsync(new Uri(link.Value).PathAndQuery);
            Assert.StartsWith("/portal/tasks/demo.", new Uri(unitPage.Url).AbsolutePath, StringComparison.Ordinal);
            Assert.DoesNotContain(journal, j => j.ToString().Contains("Content Security Policy", StringComparison.Ordinal));
        }
        catch
        {
            output.WriteLine(string.Join("\n", journal.Select(j => j.ToString())));
            output.WriteLine(server.ReadLog());
            throw;
        }
    }

    private Task<IBrowserContext> NewContextAsync(DesignerServer server, int width, int height) => fixture.NewContextAsync(server.BaseAddress, width, height);

    private static Task SignInAsync(IPage page, string user, string password, string expectedUrl) =>
        ScreensLoopBrowserTests.SignInAsync(page, user, password, expectedUrl);

    private static async Task<(int Content, int Window)> HeightsAsync(IPage page)
    {
        var heights = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollHeight, window.innerHeight]");
        return (heights[0], heights[1]);
    }

    // "  secretariat  user demo-thuky      password Ab3…" in the banner the server prints once it listens.
    private static Regex BannerLine(string role) => new($@"^\s+{role}\s+user (\S+)\s+password (\S+)\s*$", RegexOptions.Multiline);

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/portal/tasks/\S+\?k=[A-Za-z0-9_\-]+")]
    private static partial Regex PortalLink();
}
