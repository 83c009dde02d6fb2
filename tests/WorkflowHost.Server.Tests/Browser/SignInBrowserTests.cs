using Microsoft.Playwright;
using Xunit.Abstractions;

namespace WorkflowHost.Server.Tests.Browser;

/// <summary>The sign-in page and the designer's access rules, in a real browser.</summary>
[Collection(BrowserTestGroup.Name)]
[Trait("Category", "Browser")]
public sealed class SignInBrowserTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task SignIn_WrongPasswordThenRightOne_ShowsErrorThenOpensDesigner()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var journal = new PageJournal(page);

        // Without a return URL, "/" would send the secretariat to the console; this test is about the designer.
        await page.GotoAsync("/signin?returnUrl=%2Fdesigner%2F");
        await page.FillAsync("#userName", DesignerServer.SecretariatUser);
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("#signin-error")).ToContainTextAsync("không đúng");
        Assert.EndsWith("/signin", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "workflowhost.auth");

        await page.FillAsync("#password", fixture.Server.SecretariatPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/designer/", new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        Assert.Contains(await context.CookiesAsync(), c => c.Name == "workflowhost.auth" && c.HttpOnly);
        await Assertions.Expect(page.Locator("header.topbar")).ToContainTextAsync("Thư ký Hội đồng");
        output.WriteLine(journal.ToString());
    }

    [Fact]
    public async Task Designer_Anonymous_RedirectsToSignInAndBackAfterSignIn()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync("/designer/tuan-giao-2021-2025");
        var url = new Uri(page.Url);
        Assert.Equal("/signin", url.AbsolutePath);
        Assert.Contains("ReturnUrl=%2Fdesigner%2Ftuan-giao-2021-2025", url.Query, StringComparison.Ordinal);

        await page.FillAsync("#userName", DesignerServer.SecretariatUser);
        await page.FillAsync("#password", fixture.Server.SecretariatPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/designer/tuan-giao-2021-2025", new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
    }

    [Fact]
    public async Task Designer_SignedInLeader_Gets403()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, BrowserFixture.LeaderUser, fixture.LeaderPassword, "**/designer/");

        // The sign-in redirected to /designer/, which a leader may not open.
        var response = await page.GotoAsync("/designer/");
        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Không có quyền truy cập");
    }

    [Fact]
    public async Task SignOut_FromDesigner_EndsTheSession()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, DesignerServer.SecretariatUser, fixture.Server.SecretariatPassword, "**/designer/");

        await page.ClickAsync("header.topbar form[action='/signout'] button");
        await page.WaitForURLAsync("**/signin");
        await page.GotoAsync("/designer/");
        Assert.Equal("/signin", new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task Pages_PhoneWidth_FitWithoutSideways()
    {
        await using var context = await fixture.NewContextAsync(width: 390, height: 844);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin?returnUrl=%2Fdesigner%2F");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the sign-in page scrolls sideways at 390 px");
        Directory.CreateDirectory(BrowserFixture.ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "signin-phone.png") });

        await page.FillAsync("#userName", DesignerServer.SecretariatUser);
        await page.FillAsync("#password", fixture.Server.SecretariatPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/designer/", new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        var topBar = await page.Locator("header.topbar").BoundingBoxAsync();
        Assert.True(topBar!.Width <= 390, $"the designer's top bar is {topBar.Width} px wide on a 390 px screen");
        await Assertions.Expect(page.Locator("header.topbar form[action='/signout'] button")).ToBeInViewportAsync();
    }

    // "/" would send the secretariat to the console and leaders to the dashboard; these tests are about the designer.
    internal static async Task SignInAsync(IPage page, string user, string password, string expectedUrl)
    {
        await page.GotoAsync("/signin?returnUrl=%2Fdesigner%2F");
        await page.FillAsync("#userName", user);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        // Commit: the URL is what is checked; the designer page's scripts need not finish loading.
        await page.WaitForURLAsync(expectedUrl, new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
    }
}
