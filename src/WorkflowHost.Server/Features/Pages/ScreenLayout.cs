using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Features.Localization;

namespace WorkflowHost.Server.Features.Pages;

/// <summary>
/// The layout of the three screens (units' portal, secretariat's console, leaders' dashboard): a top bar with the
/// caller's menu, the language switch and sign-out, and one small stylesheet that works from 390 px wide up and prints.
/// Pages are plain server-rendered HTML (no script framework); every value is escaped with <see cref="HtmlPage.Encode"/>.
/// </summary>
internal static class ScreenLayout
{
    private const string Style = """
        .screen, .screen * { box-sizing: border-box; }
        .screen { max-width: 72rem; margin: 0 auto; padding: .75rem 1rem 3rem; }
        .screen h1 { font-size: 1.35rem; margin: .5rem 0 .75rem; }
        .screen h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
        .screen a { color: #0b57d0; }
        .screen .muted { color: var(--wfh-muted); font-size: .9rem; }
        .screen .notice { padding: .6rem .75rem; background: #eef6ee; border: 1px solid #b7dfb9; border-radius: 6px; }
        .screen .error { padding: .6rem .75rem; color: #7f1d1d; background: #fdecec; border: 1px solid #f5c2c2; border-radius: 6px; }
        .screen .warn { padding: .6rem .75rem; background: #fff4e5; border: 1px solid #ffd599; border-radius: 6px; }
        .screen .scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
        .screen table { border-collapse: collapse; width: 100%; background: #fff; font-size: .92rem; }
        .screen th, .screen td { border-bottom: 1px solid var(--wfh-line); padding: .4rem .5rem; text-align: left; vertical-align: top; }
        .screen th { background: #eef1f5; white-space: nowrap; }
        .screen th a { color: inherit; }
        .screen td.num, .screen th.num { text-align: right; }
        .screen form.inline { display: inline; }
        .screen fieldset { border: 1px solid var(--wfh-line); border-radius: 8px; margin: 1rem 0; padding: .75rem; background: #fff; }
        .screen legend { font-weight: 600; }
        .screen label { display: block; font-weight: 600; margin: .6rem 0 .2rem; }
        .screen input[type=text], .screen input[type=email], .screen input[type=date], .screen input[type=file], .screen select, .screen textarea {
          width: 100%; max-width: 40rem; padding: .5rem .6rem; font: inherit; border: 1px solid #b8c1cc; border-radius: 6px; background: #fff; }
        .screen textarea { min-height: 6rem; }
        .screen button, .screen .button { display: inline-block; margin: .6rem .4rem 0 0; padding: .55rem .9rem; font: inherit; font-weight: 600;
          border: 1px solid #0b57d0; border-radius: 6px; background: #0b57d0; color: #fff; cursor: pointer; text-decoration: none; }
        .screen button.secondary, .screen .button.secondary { background: #fff; color: #0b57d0; }
        .screen button.danger { background: #b71c1c; border-color: #b71c1c; }
        .screen .filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
        .screen .filters label { margin: 0; font-weight: 400; font-size: .9rem; }
        .screen .filters select { width: auto; min-width: 9rem; }
        .badge { display: inline-block; padding: .1rem .5rem; border-radius: 999px; font-size: .82rem; font-weight: 600; color: #fff; white-space: nowrap; }
        .badge.status-green { background: #1e7d32; } .badge.status-blue { background: #1565c0; } .badge.status-orange { background: #e67e00; }
        .badge.status-red { background: #c62828; } .badge.status-grey { background: #78838f; }
        tr.status-red td:first-child, li.status-red { border-left: 4px solid #c62828; }
        tr.status-orange td:first-child, li.status-orange { border-left: 4px solid #e67e00; }
        tr.status-green td:first-child, li.status-green { border-left: 4px solid #1e7d32; }
        tr.status-blue td:first-child, li.status-blue { border-left: 4px solid #1565c0; }
        tr.status-grey td:first-child, li.status-grey { border-left: 4px solid #78838f; }
        .cards { list-style: none; padding: 0; margin: 0; display: grid; gap: .6rem; }
        .cards li { background: #fff; border: 1px solid var(--wfh-line); border-radius: 8px; padding: .7rem .8rem; }
        .cards li .title { font-weight: 600; }
        .cards li .meta { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: center; margin-top: .3rem; font-size: .92rem; }
        .cards li .comment { margin-top: .4rem; padding: .4rem .6rem; background: #fff4e5; border-radius: 6px; }
        .bar { display: flex; height: .9rem; min-width: 8rem; border-radius: 4px; overflow: hidden; background: #e5e8ec; }
        .bar span { display: block; height: 100%; }
        .bar .on-time { background: #1e7d32; } .bar .late { background: #e67e00; } .bar .missing { background: #c62828; } .bar .open { background: #78838f; }
        .rows .row { border: 1px solid var(--wfh-line); border-radius: 8px; padding: .5rem .75rem; margin: .5rem 0; background: #fafbfc; }
        .rows .row .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0 1rem; }
        .topbar nav { display: flex; flex-wrap: wrap; gap: .25rem .9rem; }
        .topbar nav a { text-decoration: none; opacity: .9; } .topbar nav a.active { text-decoration: underline; opacity: 1; font-weight: 600; }
        @media (max-width: 600px) { .screen { padding: .5rem .6rem 2rem; } .screen table { font-size: .85rem; } .topbar nav { order: 11; flex-basis: 100%; } }
        @media print { .topbar, .noprint, form, .filters { display: none !important; } body { background: #fff; } .screen { max-width: none; padding: 0; }
          .badge { color: #000; border: 1px solid #000; } }
        """;

    // The screens' only script, allowed by the CSP by its hash: buttons marked data-print print the page,
    // selects marked data-autosubmit submit their form (no inline event handlers, which the CSP forbids).
    private static readonly string BehaviourScript = Hosting.SecurityHeaders.InlineScript("""
        document.addEventListener('click', function (e) { if (e.target.closest('[data-print]')) window.print(); });
        document.addEventListener('change', function (e) { var s = e.target.closest('[data-autosubmit]'); if (s && s.form) s.form.submit(); });
        """);

    /// <summary>A whole page for the signed-in caller; <paramref name="body"/> is trusted HTML.</summary>
    public static IResult Render(HttpContext context, string title, string body, string active = "", int statusCode = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(context);
        var t = UiLanguage.For(context);
        var user = context.User;
        var nav = new StringBuilder();
        void Link(string href, string key)
        {
            var css = key == active ? " class=\"active\"" : "";
            nav.Append(CultureInfo.InvariantCulture, $"<a href=\"{href}\"{css}>{HtmlPage.Encode(t[key])}</a>");
        }
        if (user.UnitCode() is not null) Link("/portal", "nav.portal");
        if (user.IsInRole(AuthPolicies.SecretariatRole))
        {
            Link("/console", "nav.console");
            Link("/console/plans", "nav.plans");
            Link("/console/units", "nav.units");
            Link("/console/emails", "nav.emails");
            Link("/hangfire/recurring", "nav.jobs"); // the Hangfire Dashboard (Features/Scheduling/JobDashboard), read-only
            Link("/designer/", "nav.designer");
        }
        if (user.IsStaff()) Link("/dashboard", "nav.dashboard");
        var other = t.Code == "en" ? "vi" : "en";
        var query = QueryWith(context.Request, "lang", other);
        var signOut = user.Identity?.IsAuthenticated == true
            ? $"""<form method="post" action="/signout">{Antiforgery(context)}<button type="submit">{HtmlPage.Encode(t["nav.signout"])}</button></form>"""
            : "";
        var who = user.UnitCode() ?? user.Identity?.Name ?? "";
        var html = $"""
            <header class="topbar">
            <a class="brand" href="/">{HtmlPage.Encode(t["app.name"])}</a>
            <span class="title">{HtmlPage.Encode(who)}</span>
            <nav>{nav}</nav>
            <a href="{HtmlPage.Encode(context.Request.Path + query)}" lang="{other}" id="lang-switch">{HtmlPage.Encode(t["lang.switch"])}</a>
            {signOut}
            </header>
            <main class="screen">
            <h1>{HtmlPage.Encode(title)}</h1>
            {body}
            </main>
            {BehaviourScript}
            """;
        return HtmlPage.Render(title, html, statusCode, head: $"<style>{Style}</style>", lang: t.Code);
    }

    /// <summary>A short message page in the layout (errors, receipts).</summary>
    public static IResult Message(HttpContext context, string title, string text, int statusCode = StatusCodes.Status200OK, string? linkHref = null, string? linkText = null)
    {
        var link = linkHref is null ? "" : $"""<p><a href="{HtmlPage.Encode(linkHref)}">{HtmlPage.Encode(linkText ?? linkHref)}</a></p>""";
        return Render(context, title, $"<p>{HtmlPage.Encode(text)}</p>{link}", statusCode: statusCode);
    }

    /// <summary>The hidden anti-forgery field for a form of this request.</summary>
    public static string Antiforgery(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"""<input type="hidden" name="{HtmlPage.Encode(tokens.FormFieldName)}" value="{HtmlPage.Encode(tokens.RequestToken)}">""";
    }

    /// <summary>Validates the anti-forgery token of a form post; false when it is missing or wrong.</summary>
    public static async Task<bool> IsValidFormAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.HasFormContentType) return false;
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    /// <summary>The 400 page for a form whose anti-forgery token failed.</summary>
    public static IResult BadForm(HttpContext context) =>
        Message(context, UiLanguage.For(context)["page.badForm"], UiLanguage.For(context)["page.badForm"], StatusCodes.Status400BadRequest);

    /// <summary>The request's query string with <paramref name="key"/> set to <paramref name="value"/> (e.g. "?lang=en&amp;group=KHOI1").</summary>
    public static string QueryWith(HttpRequest request, string key, string? value) => QueryWith(request, (key, value));

    /// <summary>The request's query string with each key set to its value (empty or null removes it).</summary>
    public static string QueryWith(HttpRequest request, params (string Key, string? Value)[] changes)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(changes);
        var pairs = request.Query.Where(q => changes.All(c => c.Key != q.Key)).SelectMany(q => q.Value.Select(v => (q.Key, Value: v ?? ""))).ToList();
        foreach (var (key, value) in changes)
            if (!string.IsNullOrEmpty(value)) pairs.Add((key, value));
        return pairs.Count == 0 ? "" : "?" + string.Join("&", pairs.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
    }
}
