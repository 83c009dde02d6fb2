using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Tests.Api;

namespace WorkflowHost.Server.Tests.Auth;

public sealed class SignInEndpointTests : IDisposable
{
    private readonly WorkflowHostFactory _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Bootstrap_ConfiguredSecretariat_IsCreatedOnceAtStart()
    {
        using var factory = _host.WithSecretariat();
        using var scope = factory.Services.CreateScope();
        var accounts = await scope.ServiceProvider.GetRequiredService<AccountService>().ListAsync(CancellationToken.None);
        var account = Assert.Single(accounts);
        Assert.Equal((SignInHttp.SecretariatUser, AuthPolicies.SecretariatRole, "Thư ký Hội đồng"), (account.UserName, account.Role, account.DisplayName));
    }

    [Fact]
    public async Task Bootstrap_UserNameWithoutPassword_CreatesNothing()
    {
        using var factory = _host.WithSecretariat(("Auth:BootstrapSecretariat:Password", ""));
        using var scope = factory.Services.CreateScope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<AccountService>().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task SignInPage_Get_IsAVietnameseFormWithAntiforgeryToken()
    {
        using var factory = _host.WithSecretariat();
        using var client = factory.NewClient();
        using var response = await client.GetAsync(new Uri("/signin?ReturnUrl=%2Fdesigner%2Fx", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<html lang=\"vi\">", html, StringComparison.Ordinal);
        Assert.Contains("Đăng nhập", html, StringComparison.Ordinal);
        Assert.Contains("name=\"__RequestVerificationToken\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"returnUrl\" value=\"/designer/x\"", html, StringComparison.Ordinal);
        Assert.Contains("width=device-width", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WrongThenRightPassword_ErrorThenCookieAndRedirect()
    {
        using var factory = _host.WithSecretariat();
        using var client = factory.NewClient();

        using var wrong = await SignInHttp.PostSignInAsync(client, "thuky", "sai-mat-khau");
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("Tên đăng nhập hoặc mật khẩu không đúng", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(wrong.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("workflowhost.auth=", StringComparison.Ordinal)));

        using var right = await SignInHttp.PostSignInAsync(client, "THUKY", SignInHttp.SecretariatPassword, returnUrl: "/designer/tuan-giao-2021-2025");
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/designer/tuan-giao-2021-2025", right.Headers.Location!.OriginalString);
        var cookie = right.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("workflowhost.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task SignIn_NonLocalReturnUrl_GoesHomeInstead(string returnUrl)
    {
        using var factory = _host.WithSecretariat();
        using var client = factory.NewClient();
        using var response = await SignInHttp.PostSignInAsync(client, SignInHttp.SecretariatUser, SignInHttp.SecretariatPassword, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_Is400AndSignsNobodyIn()
    {
        using var factory = _host.WithSecretariat();
        using var client = factory.NewClient();
        using var response = await SignInHttp.PostSignInAsync(client, SignInHttp.SecretariatUser, SignInHttp.SecretariatPassword, withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var designer = await client.GetAsync(new Uri("/designer/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, designer.StatusCode);
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_LocksTheAccountAgainstTheRightOne()
    {
        using var factory = _host.WithSecretariat();
        using var client = factory.NewClient();
        for (var i = 0; i < 4; i++)
        {
            using var failed = await SignInHttp.PostSignInAsync(client, SignInHttp.SecretariatUser, "sai-" + i);
            Assert.Contains("không đúng", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using var fifth = await SignInHttp.PostSignInAsync(client, SignInHttp.SecretariatUser, "sai-5");
        Assert.Contains("tạm khóa", await fifth.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var right = await SignInHttp.PostSignInAsync(client, SignInHttp.SecretariatUser, SignInHttp.SecretariatPassword);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("tạm khóa", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/designer")]
    [InlineData("/designer/")]
    [InlineData("/designer/tuan-giao-2021-2025")]
    public async Task Designer_Anonymous_RedirectsToSignIn(string path)
    {
        using var factory = _host.WithSecretariat();
        using var client = factory.NewClient();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal("/signin", location.AbsolutePath);
        Assert.Contains("ReturnUrl=" + Uri.EscapeDataString(path), location.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Designer_SignedInLeader_Gets403Page()
    {
        using var factory = _host.WithSecretariat();
        using (var scope = factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<AccountService>()
                .CreateAsync("lanhdao", "Lãnh đạo", AuthPolicies.LeaderRole, "mat-khau-lanh-dao", CancellationToken.None);
        }
        using var client = factory.NewClient();
        await SignInHttp.SignInAsync(client, "lanhdao", "mat-khau-lanh-dao");

        using var response = await client.GetAsync(new Uri("/designer/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Không có quyền truy cập", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DesignerPages_Secretariat_HostTheCustomElementsWithTheAbsoluteApiUrl()
    {
        using var factory = _host.WithSecretariat();
        using var client = factory.NewClient();
        await SignInHttp.SignInAsync(client);

        using var bare = await client.GetAsync(new Uri("/designer", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
        Assert.Equal("/designer/", bare.Headers.Location!.OriginalString);

        var list = await client.GetStringAsync(new Uri("/designer/", UriKind.Relative));
        Assert.Contains("<base href=\"/designer/\">", list, StringComparison.Ordinal);
        Assert.Contains("<elsa-workflow-definition-list id=\"definition-list\" remote-endpoint=\"http://localhost/elsa/api\">", list, StringComparison.Ordinal);
        Assert.Contains("editWorkflowDefinition", list, StringComparison.Ordinal);
        Assert.Contains("_framework/blazor.webassembly.js", list, StringComparison.Ordinal);
        Assert.DoesNotContain("fonts.googleapis.com", list, StringComparison.Ordinal);
        Assert.Contains("Thư ký Hội đồng", list, StringComparison.Ordinal);

        var editor = await client.GetStringAsync(new Uri("/designer/tuan-giao-2021-2025", UriKind.Relative));
        Assert.Contains("<elsa-workflow-definition-editor id=\"definition-editor\" definition-id=\"tuan-giao-2021-2025\" remote-endpoint=\"http://localhost/elsa/api\">", editor, StringComparison.Ordinal);
        Assert.Contains("Tuần Giáo", editor, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editor_UnknownDefinition_Is404Page()
    {
        using var factory = _host.WithSecretariat();
        using var client = factory.NewClient();
        await SignInHttp.SignInAsync(client);
        using var response = await client.GetAsync(new Uri("/designer/khong-co", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Không tìm thấy kế hoạch", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_Post_EndsTheSession()
    {
        using var factory = _host.WithSecretariat();
        using var client = factory.NewClient();
        await SignInHttp.SignInAsync(client);
        var token = await SignInHttp.GetTokenAsync(client, "/signout");
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        using var response = await client.PostAsync(new Uri("/signout", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        using var designer = await client.GetAsync(new Uri("/designer/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, designer.StatusCode);
    }
}
