using Microsoft.Playwright;
using Xunit.Abstractions;

namespace WorkflowHost.Server.Tests.Browser;

/// <summary>The Hangfire Dashboard in a real browser, under the site's Content-Security-Policy (docs/decisions/0009).</summary>
[Collection(BrowserTestGroup.Name)]
[Trait("Category", "Browser")]
public sealed class JobDashboardBrowserTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Secretariat_OpensTheDashboardFromTheConsole_RecurringJobsShown_NoCspViolation()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var journal = new PageJournal(page);
        var violations = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) lock (violations) violations.Add(m.Text);
        };

        await page.GotoAsync("/signin?returnUrl=%2Fconsole");
        await page.FillAsync("#userName", DesignerServer.SecretariatUser);
        await page.FillAsync("#password", fixture.Server.SecretariatPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/console", new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await page.ClickAsync("a[href='/hangfire/recurring']");
        await page.WaitForURLAsync("**/hangfire/recurring");

        await Assertions.Expect(page.Locator("table")).ToContainTextAsync("due-timers");
        await Assertions.Expect(page.Locator("table")).ToContainTextAsync("outbox-dispatch");
        // The dashboard's script (from /hangfire/js…) ran: it turns the times into relative ones and polls /hangfire/stats.
        var stats = page.WaitForResponseAsync(r => r.Url.Contains("/hangfire/stats", StringComparison.Ordinal), new PageWaitForResponseOptions { Timeout = 15_000 });
        Assert.Equal(200, (await stats).Status);
        output.WriteLine(journal.ToString());
        Assert.Empty(violations);
        Assert.Empty(journal.HttpErrors);
    }
}
