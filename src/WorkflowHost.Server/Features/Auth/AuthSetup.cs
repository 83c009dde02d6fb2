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
                o.Events.OnRedirectToAccessDenied = context => Deny(context, StatusCodes.Status403Forbidden);
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.Secretariat, p => p.RequireAuthenticatedUser().RequireRole(AuthPolicies.SecretariatRole));
        return services;
    }

    private static Task Deny(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/elsa"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
