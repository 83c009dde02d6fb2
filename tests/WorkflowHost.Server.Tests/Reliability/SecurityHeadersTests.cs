using System.Net;
using WorkflowHost.Server.Tests.Api;
using WorkflowHost.Server.Tests.Auth;

namespace WorkflowHost.Server.Tests.Reliability;

/// <summary>Security headers on every kind of response and the sign-in rate limit (issue 6).</summary>
public sealed class SecurityHeadersTests : IDisposable
{
    private readonly WorkflowHostFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("/signin")]
    [InlineData("/health")]
    [InlineData("/api/tasks")]
    [InlineData("/designer/")]
    [InlineData("/no-such-page")]
    public async Task EveryResponse_CarriesCspAndTheOtherHeaders(string path)
    {
        using var app = _factory.WithSecretariat();
        using var client = app.NewClient();
        var response = await client.GetAsync(path);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("'wasm-unsafe-eval'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-inline' 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task DesignerPage_InlineScripts_AreAllowedByTheirHashes()
    {
        using var app = _factory.WithSecretariat();
        using var client = app.NewClient();
        await SignInHttp.SignInAsync(client);
        var response = await client.GetAsync("/designer/");
        var html = await response.Content.ReadAsStringAsync();
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        var inline = System.Text.RegularExpressions.Regex.Matches(html, "<script>(.*?)</script>", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(inline.Count >= 2, html);
        foreach (System.Text.RegularExpressions.Match m in inline)
        {
            var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(m.Groups[1].Value)));
            Assert.Contains($"'sha256-{hash}'", csp, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SignIn_MoreThanTheLimitPerMinute_Gets429WithRetryAfter()
    {
        using var app = _factory.WithSecretariat(("Security:SignInPerMinute", "3"));
        using var client = app.NewClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await SignInHttp.PostSignInAsync(client, SignInHttp.SecretariatUser, "wrong-password-" + i)).StatusCode);
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(3));
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses.Skip(3));
        var limited = await SignInHttp.PostSignInAsync(client, SignInHttp.SecretariatUser, SignInHttp.SecretariatPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("60", limited.Headers.GetValues("Retry-After").Single());
    }
}
