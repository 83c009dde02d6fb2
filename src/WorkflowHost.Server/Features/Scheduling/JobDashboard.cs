using Hangfire;
using Hangfire.Dashboard;
using WorkflowHost.Server.Features.Auth;

namespace WorkflowHost.Server.Features.Scheduling;

/// <summary>
/// The Hangfire Dashboard at <see cref="Path"/> (docs/decisions/0009): recurring jobs, last runs, failures,
/// servers. Signed-in secretariat users only — the endpoint requires policy <see cref="AuthPolicies.Secretariat"/>,
/// so anonymous callers are sent to <c>/signin?ReturnUrl=…</c> by the cookie scheme and leaders and units get the
/// 403 page — and Hangfire's own filter checks the role again. Read-only for everyone
/// (<see cref="DashboardOptions.IsReadOnlyFunc"/>): nobody triggers, deletes or requeues jobs from it; the jobs are
/// the product's own and run on their schedule.
/// </summary>
public static class JobDashboard
{
    /// <summary>The dashboard's path.</summary>
    public const string Path = "/hangfire";

    /// <summary>Maps the dashboard under <see cref="Path"/>.</summary>
    public static IEndpointConventionBuilder MapJobDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapHangfireDashboard(Path, new DashboardOptions
        {
            Authorization = [new SecretariatOnly()],
            IsReadOnlyFunc = _ => true,
            AppPath = "/console",
            DashboardTitle = "WorkflowHost · Hangfire",
            DisplayStorageConnectionString = false,
        }).RequireAuthorization(AuthPolicies.Secretariat);
    }

    /// <summary>Hangfire's check, behind the endpoint's policy: the caller is signed in with the secretariat role.</summary>
    private sealed class SecretariatOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var user = context.GetHttpContext().User;
            return user.Identity?.IsAuthenticated == true && user.IsInRole(AuthPolicies.SecretariatRole);
        }
    }
}
