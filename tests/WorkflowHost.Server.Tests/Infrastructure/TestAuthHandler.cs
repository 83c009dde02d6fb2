using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WorkflowHost.Server.Features.Auth;

namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>
/// A test authentication scheme: every request is a signed-in user with the secretariat role, or with
/// the role named in the <c>X-Test-Role</c> header (<c>anonymous</c> = not signed in). Role <c>unit</c> takes
/// its unit from <c>X-Test-Unit</c> and its directory from <c>X-Test-Directory</c> (default "tuan-giao").
/// Installed with <see cref="WithTestUser"/> or <see cref="Install"/>.
/// </summary>
internal sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";

    public const string RoleHeader = "X-Test-Role";

    public const string UnitHeader = "X-Test-Unit";

    public const string DirectoryHeader = "X-Test-Directory";

    public const string Anonymous = "anonymous";

    /// <summary>A factory like <paramref name="factory"/> whose requests are authenticated by this handler.</summary>
    public static WebApplicationFactory<Program> WithTestUser(WebApplicationFactory<Program> factory) =>
        factory.WithWebHostBuilder(b => b.ConfigureTestServices(services => Install(services)));

    /// <summary>
    /// Makes this handler the default scheme. With <paramref name="cookieChallenges"/>, challenges and forbids
    /// still go through the host's cookie scheme (pages redirect to /signin, APIs answer 401/403) as in production.
    /// </summary>
    public static void Install(IServiceCollection services, bool cookieChallenges = false) =>
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = SchemeName;
                o.DefaultAuthenticateScheme = SchemeName;
                o.DefaultChallengeScheme = cookieChallenges ? CookieAuthenticationDefaults.AuthenticationScheme : SchemeName;
                o.DefaultForbidScheme = cookieChallenges ? CookieAuthenticationDefaults.AuthenticationScheme : SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(SchemeName, _ => { });

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var role = Request.Headers[RoleHeader].FirstOrDefault() ?? AuthPolicies.SecretariatRole;
        if (role == Anonymous) return Task.FromResult(AuthenticateResult.NoResult());
        List<Claim> claims = [new Claim(ClaimTypes.Name, "test-" + role), new Claim(ClaimTypes.Role, role)];
        if (role == AuthPolicies.UnitRole)
        {
            claims.Add(new Claim(AuthPolicies.UnitCodeClaim, Request.Headers[UnitHeader].FirstOrDefault() ?? "PNV"));
            claims.Add(new Claim(AuthPolicies.UnitDirectoryClaim, Request.Headers[DirectoryHeader].FirstOrDefault() ?? "tuan-giao"));
        }
        var identity = new ClaimsIdentity(claims, SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
