using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace WorkflowHost.Server.Tests.Browser;

/// <summary>The Elsa Studio bundle, served by the host, boots in the browser and registers its custom elements.</summary>
[Collection(BrowserTestGroup.Name)]
[Trait("Category", "Browser")]
public sealed class StudioBootTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task DesignerPage_ColdLoad_BootsBlazorAndRegistersTheCustomElements()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var journal = new PageJournal(page);
        var encodings = new List<string>();
        page.Response += (_, r) =>
        {
            if (r.Url.EndsWith(".wasm", StringComparison.Ordinal)) lock (encodings) encodings.Add(r.Headers.GetValueOrDefault("content-encoding", "none"));
        };
        await SignInBrowserTests.SignInAsync(page, DesignerServer.SecretariatUser, fixture.Server.SecretariatPassword, "**/designer/");

        var clock = Stopwatch.StartNew();
        await page.GotoAsync("/designer/");
        await page.WaitForFunctionAsync("() => customElements.get('elsa-workflow-definition-list') !== undefined && customElements.get('elsa-workflow-definition-editor') !== undefined",
            null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        output.WriteLine($"custom elements registered after {clock.ElapsedMilliseconds} ms (cold cache)");
        output.WriteLine(journal.ToString());

        Assert.Equal("/designer/", await page.EvaluateAsync<string>("() => new URL(document.baseURI).pathname"));
        lock (encodings)
        {
            Assert.NotEmpty(encodings);
            Assert.All(encodings, e => Assert.Equal("br", e));
        }
        // Nothing of the bundle is missing (the API calls are another matter: /elsa/api).
        Assert.DoesNotContain(journal.HttpErrors, e => e.Contains("/designer/", StringComparison.Ordinal));
    }
}
