using Microsoft.AspNetCore.Authentication.Cookies;

namespace WorkflowHost.Server.Features.Auth;

/// <summary>Cookie authentication (same origin) and the role policies.</summary>
public static class AuthSetup
{
    /// <summary>Registers the cookie scheme and the policies.</summary>
    public static IServiceCollection AddWorkflowAuth(this IServiceCollection services)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "workflowhost.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/signin";
                // APIs answer 401/403 instead of redirecting to the sign-in page.
                o.Events.OnRedirectToLogin = context => Deny(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => IsApi(context.Request) ? Deny(context, StatusCodes.Status403Forbidden) : ForbiddenPageAsync(context.HttpContext);
            });
        var secretariat = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(AuthPolicies.SecretariatRole).Build();
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.Secretariat, secretariat)
            .AddPolicy(AuthPolicies.Staff, p => p.RequireAuthenticatedUser().RequireRole(AuthPolicies.SecretariatRole, AuthPolicies.LeaderRole))
            .AddPolicy(AuthPolicies.Submitter, p => p.RequireAuthenticatedUser().RequireRole(AuthPolicies.SecretariatRole, AuthPolicies.UnitRole))
            .AddPolicy(AuthPolicies.SignedIn, p => p.RequireAuthenticatedUser().RequireRole(AuthPolicies.SecretariatRole, AuthPolicies.LeaderRole, AuthPolicies.UnitRole))
            .AddPolicy(AuthPolicies.Unit, p => p.RequireAuthenticatedUser().RequireRole(AuthPolicies.UnitRole).RequireClaim(AuthPolicies.UnitCodeClaim).RequireClaim(AuthPolicies.UnitDirectoryClaim))
            // Anything mapped without its own policy (a new endpoint) is the secretariat's until someone decides otherwise.
            .SetFallbackPolicy(secretariat);
        return services;
    }

    private static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/elsa") || request.Path.StartsWithSegments("/openapi");

    // A signed-in user without the role gets a 403 page, not a redirect.
    private static Task ForbiddenPageAsync(HttpContext context) =>
        Pages.HtmlPage.Message("Không có quyền truy cập", "Tài khoản của bạn không có quyền mở trang này. Hãy đăng nhập bằng tài khoản khác.",
            StatusCodes.Status403Forbidden, "/signout", "Đăng xuất").ExecuteAsync(context);

    private static Task Deny(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (IsApi(context.Request))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        if (context.Request.Path.StartsWithSegments("/portal"))
        {
            context.Response.Redirect("/portal/link");
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
