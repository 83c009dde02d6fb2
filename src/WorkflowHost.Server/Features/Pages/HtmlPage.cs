using System.Text;

namespace WorkflowHost.Server.Features.Pages;

/// <summary>
/// The host's own server-rendered pages (sign-in, designer shells): one small Vietnamese layout that works on
/// a narrow phone screen, and HTML escaping that keeps Vietnamese text readable (only markup characters are
/// escaped; the page is UTF-8).
/// </summary>
internal static class HtmlPage
{
    // Scoped to the host's own elements (.topbar, .card): the designer pages also load MudBlazor's styles, which
    // must not be overridden by ours.
    private const string BaseStyle = """
        :root { color-scheme: light; --wfh-accent: #b71c1c; --wfh-ink: #1f2933; --wfh-muted: #5f6b7a; --wfh-line: #d9dee5; }
        html, body { margin: 0; height: 100%; }
        /* flow-root: the first card's top margin stays inside the body instead of collapsing through it, which added
           8vh to the 100% height and a scrollbar with nothing to scroll (issue 16). */
        body { display: flow-root; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: var(--wfh-ink); background: #f6f7f9; }
        .topbar, .topbar *, .card, .card * { box-sizing: border-box; }
        .topbar { display: flex; flex-wrap: nowrap; align-items: center; gap: .5rem 1rem; padding: .5rem 1rem; background: var(--wfh-accent); color: #fff; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; font-size: 15px; }
        .topbar a, .topbar button { color: #fff; }
        .topbar > * { flex: none; }
        .topbar .brand { font-weight: 600; text-decoration: none; }
        .topbar .title { flex: 1 1 auto; min-width: 0; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        @media (max-width: 600px) { .topbar { flex-wrap: wrap; } .topbar .title { order: 10; flex-basis: 100%; } }
        .topbar form { margin: 0; }
        .topbar button { background: transparent; border: 1px solid rgba(255,255,255,.7); border-radius: 4px; padding: .25rem .6rem; font: inherit; cursor: pointer; }
        .card { max-width: 24rem; margin: 8vh auto 2rem; padding: 1.5rem; background: #fff; border: 1px solid var(--wfh-line); border-radius: 8px; }
        .card a { color: var(--wfh-accent); }
        .card h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
        .card p.lead { color: var(--wfh-muted); margin: 0 0 1.25rem; }
        .card label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
        .card input[type=text], .card input[type=password] { width: 100%; padding: .6rem .7rem; font: inherit; border: 1px solid var(--wfh-line); border-radius: 6px; }
        .card button.primary { margin-top: 1.25rem; width: 100%; padding: .7rem; font: inherit; font-weight: 600; color: #fff; background: var(--wfh-accent); border: 0; border-radius: 6px; cursor: pointer; }
        .card .error { margin: 0 0 1rem; padding: .6rem .75rem; color: #7f1d1d; background: #fdecec; border: 1px solid #f5c2c2; border-radius: 6px; }
        .card .note { color: var(--wfh-muted); font-size: .9rem; }
        @media (max-width: 480px) { .card { margin: 0; border-radius: 0; border-left: 0; border-right: 0; min-height: 100%; } }
        """;

    /// <summary>Escapes the markup characters of <paramref name="text"/> for HTML text and quoted attributes.</summary>
    public static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }
        return builder.ToString();
    }

    /// <summary>A complete page: <paramref name="head"/> and <paramref name="body"/> are trusted HTML (escape what you put in).</summary>
    public static IResult Render(string title, string body, int statusCode = StatusCodes.Status200OK, string head = "", string bodyClass = "", string lang = "vi")
    {
        var html = $"""
            <!DOCTYPE html>
            <html lang="{Encode(lang)}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="same-origin">
            <title>{Encode(title)} – WorkflowHost</title>
            <link rel="icon" href="data:,">
            <style>{BaseStyle}</style>
            {head}
            </head>
            <body class="{Encode(bodyClass)}">
            {body}
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, statusCode);
    }

    /// <summary>A short message page (errors, 403).</summary>
    public static IResult Message(string title, string message, int statusCode, string? linkHref = null, string? linkText = null)
    {
        var link = linkHref is null ? "" : $"""<p><a href="{Encode(linkHref)}">{Encode(linkText ?? linkHref)}</a></p>""";
        return Render(title, $"""
            <main class="card">
            <h1>{Encode(title)}</h1>
            <p class="lead">{Encode(message)}</p>
            {link}
            </main>
            """, statusCode);
    }
}
