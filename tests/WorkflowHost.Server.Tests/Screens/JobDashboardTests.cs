using System.Net;
using WorkflowHost.Server.Tests.Auth;

namespace WorkflowHost.Server.Tests.Screens;

/// <summary>
/// The Hangfire Dashboard at /hangfire (docs/decisions/0009): the secretariat sees the recurring jobs, read-only,
/// linked from the console; anonymous callers are sent to the sign-in page, units get 403 (the authorization
/// matrix checks leaders and units with test authentication).
/// </summary>
public sealed class JobDashboardTests
{
    private static Task<ScreensHost> StartAsync() => ScreensHost.StartAsync(
        ("Auth:BootstrapSecretariat:UserName", SignInHttp.SecretariatUser), ("Auth:BootstrapSecretariat:Password", SignInHttp.SecretariatPassword));

    [Fact]
    public async Task Secretariat_SeesTheRecurringJobsReadOnly_LinkedFromTheConsole()
    {
        await using var host = await StartAsync();
        using var client = host.NewClient();
        await SignInHttp.SignInAsync(client);

        using var response = await client.GetAsync("/hangfire/recurring");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var job in new[] { "due-timers", "outbox-dispatch", "delivery-failure-summary" }) Assert.Contains(job, html, StringComparison.Ordinal);
        Assert.Contains("*/15 * * * * *", html, StringComparison.Ordinal); // the loops' seconds cron
        Assert.DoesNotContain("js-jobs-list-command", html, StringComparison.Ordinal); // read-only: no "Trigger now" / "Delete" buttons
        Assert.True(response.Headers.Contains("Content-Security-Policy"));
        var console = await client.GetStringAsync("/console");
        Assert.Contains("href=\"/hangfire/recurring\"", console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn_UnitGets403()
    {
        await using var host = await StartAsync();
        using var anonymous = host.NewClient();

        using var redirect = await anonymous.GetAsync("/hangfire/recurring");

        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith("/signin?", redirect.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString("/hangfire/recurring"), redirect.Headers.Location!.Query, StringComparison.OrdinalIgnoreCase);

        using var unit = await host.UnitClientAsync("PNV", ScreensHost.UnitPlanPnv);
        using var forbidden = await unit.GetAsync("/hangfire/recurring");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var stats = await unit.PostAsync("/hangfire/stats", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Forbidden, stats.StatusCode);
    }
}
