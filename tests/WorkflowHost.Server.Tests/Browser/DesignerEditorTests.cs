using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace WorkflowHost.Server.Tests.Browser;

/// <summary>
/// The real Elsa Studio against our <c>/elsa/api</c>: the list shows the seeded Tuần Giáo plan and opening it
/// draws its activities. Each test starts from a cold browser cache.
/// </summary>
[Collection(BrowserTestGroup.Name)]
[Trait("Category", "Browser")]
public sealed class DesignerEditorTests(BrowserFixture fixture, ITestOutputHelper output)
{
    /// <summary>The seeded plan (workflows/tuan-giao-2021-2025.json): 37 activities in its root flowchart.</summary>
    public const string TuanGiao = "tuan-giao-2021-2025";

    private const int TuanGiaoRootActivities = 37;

    /// <summary>Nodes drawn on the canvas (the X6 designer, or the React Flow one).</summary>
    public const string NodeSelector = ".x6-node, .react-flow__node";

    // Runs before the page's own scripts: records when the first node appears, in ms since navigation start.
    private const string FirstNodeProbe = """
        (() => {
          const selector = '.x6-node, .react-flow__node';
          const observer = new MutationObserver(() => {
            if (window.__firstNodeAt === undefined && document.querySelector(selector)) {
              window.__firstNodeAt = performance.now();
              observer.disconnect();
            }
          });
          document.addEventListener('DOMContentLoaded', () => observer.observe(document.body, { childList: true, subtree: true }));
        })();
        """;

    [Fact]
    public async Task DefinitionList_ShowsTuanGiao_AndChoosingItOpensOurEditorPage()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var journal = new PageJournal(page);
        await SignInBrowserTests.SignInAsync(page, DesignerServer.SecretariatUser, fixture.Server.SecretariatPassword, "**/designer/");

        try
        {
            var row = page.Locator("elsa-workflow-definition-list").GetByText("Tuần Giáo").First;
            await Assertions.Expect(row).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 60_000 });
            await row.ClickAsync();
            await page.WaitForURLAsync("**/designer/" + TuanGiao, new PageWaitForURLOptions { Timeout = 30_000 });
            await Assertions.Expect(page.Locator(NodeSelector).First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 60_000 });
        }
        finally
        {
            output.WriteLine(journal.ToString());
        }
    }

    [Fact]
    public async Task Editor_ColdLoad_DrawsTheTuanGiaoActivities()
    {
        await using var context = await fixture.NewContextAsync();
        await context.AddInitScriptAsync(FirstNodeProbe);
        var page = await context.NewPageAsync();
        var journal = new PageJournal(page);

        // Anonymous → sign-in → back to the editor: the editor page is the first studio page this context loads.
        await page.GotoAsync("/designer/" + TuanGiao);
        await page.FillAsync("#userName", DesignerServer.SecretariatUser);
        await page.FillAsync("#password", fixture.Server.SecretariatPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/designer/" + TuanGiao, new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });

        try
        {
            await page.WaitForFunctionAsync("() => window.__firstNodeAt !== undefined", null, new PageWaitForFunctionOptions { Timeout = 90_000, PollingInterval = 50 });
            var firstNodeMs = await page.EvaluateAsync<double>("() => window.__firstNodeAt");
            var firstApiMs = await page.EvaluateAsync<double>("() => (performance.getEntriesByType('resource').find(e => e.name.includes('/elsa/api/')) || { startTime: -1 }).startTime");
            var transferred = await page.EvaluateAsync<double>("() => performance.getEntriesByType('resource').reduce((s, e) => s + (e.transferSize || 0), 0)");
            var requests = await page.EvaluateAsync<int>("() => performance.getEntriesByType('resource').length");

            await page.WaitForFunctionAsync($"() => document.querySelectorAll('{NodeSelector}').length >= {TuanGiaoRootActivities}", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
            var nodes = await page.Locator(NodeSelector).CountAsync();
            var timing = string.Create(CultureInfo.InvariantCulture,
                $"Cold load of /designer/{TuanGiao} (headless Chromium, 127.0.0.1): first /elsa/api request at {firstApiMs:0} ms, first node drawn at {firstNodeMs:0} ms after navigation start; {nodes} nodes; {requests} requests, {transferred / 1048576:0.0} MiB transferred.");
            output.WriteLine(timing);

            Assert.Equal(0, await page.Locator("#blazor-error-ui:visible").CountAsync());
            Assert.DoesNotContain(journal.HttpErrors, e => e.Contains("/elsa/api/", StringComparison.Ordinal) || e.Contains("/designer/", StringComparison.Ordinal));

            Directory.CreateDirectory(BrowserFixture.ScreenshotDirectory);
            // Let the canvas settle (zoom to fit runs after the first paint).
            await page.WaitForTimeoutAsync(1500);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "designer-tuan-giao.png") });
            await File.WriteAllTextAsync(Path.Combine(BrowserFixture.ScreenshotDirectory, "designer-tuan-giao.timing.txt"), timing + Environment.NewLine);
        }
        finally
        {
            output.WriteLine(journal.ToString());
        }
    }
}
