namespace WorkflowHost.Server.Features.Localization;

/// <summary>
/// The screens' language: Vietnamese by default; <c>?lang=en</c> (or <c>?lang=vi</c>) switches and is remembered in the
/// <c>wfh.lang</c> cookie for a year.
/// </summary>
public static class UiLanguage
{
    /// <summary>Cookie holding the chosen language ("vi" or "en").</summary>
    public const string CookieName = "wfh.lang";

    /// <summary>The language of this request: the query's <c>lang</c>, else the cookie, else "vi".</summary>
    public static UiText For(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var query = context.Request.Query["lang"].ToString();
        if (query is "vi" or "en") return UiText.Get(query);
        return UiText.Get(context.Request.Cookies[CookieName] == "en" ? "en" : "vi");
    }

    /// <summary>Stores a <c>?lang=</c> choice in the cookie (before the page is written).</summary>
    public static IApplicationBuilder UseUiLanguage(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var query = context.Request.Query["lang"].ToString();
        if (query is "vi" or "en")
            context.Response.Cookies.Append(CookieName, query, new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        await next(context);
    });
}
