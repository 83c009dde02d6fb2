using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace WorkflowHost.Server.Hosting;

/// <summary>
/// Security headers on every response (issue 6) and rate limits on sign-in and link requests.
/// <list type="bullet">
/// <item>Content-Security-Policy: only our own origin; scripts from files, or inline scripts registered
/// through <see cref="InlineScript"/> (allowed by their SHA-256 hash); <c>'wasm-unsafe-eval'</c> for the
/// designer's WebAssembly; inline styles (MudBlazor and Monaco set them); workers from <c>blob:</c>
/// (Monaco); no framing, no plugins, forms post to us only.</item>
/// <item>X-Content-Type-Options nosniff, Referrer-Policy no-referrer (a signed link in the address bar
/// never leaks to another site), X-Frame-Options DENY, Cross-Origin-Opener-Policy same-origin.</item>
/// <item>Rate limits per client address: <see cref="SignInPolicy"/> and <see cref="LinkRequestPolicy"/>,
/// <c>Security:SignInPerMinute</c> / <c>Security:LinkRequestsPerMinute</c> requests a minute (default 10 / 5);
/// more get 429 with Retry-After.</item>
/// </list>
/// </summary>
public static class SecurityHeaders
{
    /// <summary>Rate-limit policy of the sign-in form post.</summary>
    public const string SignInPolicy = "sign-in";

    /// <summary>Rate-limit policy of "send me a new link" requests.</summary>
    public const string LinkRequestPolicy = "link-request";

    /// <summary>
    /// Inline scripts of the pinned Elsa Studio bundle (3.8.2) itself, allowed by hash: the workflow
    /// editor renders one that defines <c>window.editorHotkeys</c> (Elsa.Studio.Workflows). A new bundle
    /// version with other inline scripts shows up as a CSP violation in the browser tests.
    /// </summary>
    private static readonly string[] BundleScriptHashes = ["'sha256-snlP1jz0gjwc5cTz9ErZcliXuCK63+Mmf68RRCeptgc='"];

    private static readonly ConcurrentDictionary<string, byte> ScriptHashes = new(BundleScriptHashes.Select(h => KeyValuePair.Create(h, (byte)0)), StringComparer.Ordinal);

    /// <summary>
    /// An inline <c>&lt;script&gt;</c> element whose exact text the policy allows by hash. Use it for every
    /// inline script of our pages (the text must be a constant, not per-request data).
    /// </summary>
    public static string InlineScript(string javaScript)
    {
        ArgumentNullException.ThrowIfNull(javaScript);
        ScriptHashes.TryAdd("'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(javaScript))) + "'", 0);
        return "<script>" + javaScript + "</script>";
    }

    /// <summary>The Content-Security-Policy value for the scripts registered so far.</summary>
    public static string ContentSecurityPolicy() =>
        "default-src 'self'; " +
        $"script-src 'self' 'wasm-unsafe-eval' {string.Join(' ', ScriptHashes.Keys.Order(StringComparer.Ordinal))}; " +
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    /// <summary>Registers the rate limiter and its two policies.</summary>
    public static IServiceCollection AddSecurityPolicies(this IServiceCollection services, IConfiguration configuration)
    {
        var signIn = configuration.GetValue("Security:SignInPerMinute", 10);
        var links = configuration.GetValue("Security:LinkRequestsPerMinute", 5);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return ValueTask.CompletedTask;
            };
            o.AddPolicy(SignInPolicy, context => PerClient(context, signIn));
            o.AddPolicy(LinkRequestPolicy, context => PerClient(context, links));
        });
        return services;
    }

    private static RateLimitPartition<string> PerClient(HttpContext context, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, perMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });

    /// <summary>Adds the headers to every response.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy();
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
