using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Features.Pages;

namespace WorkflowHost.Server.Features.Auth;

/// <summary>
/// <c>/signin</c> (a form with an anti-forgery token; the POST checks the password and signs in with a cookie
/// carrying the role claim) and <c>/signout</c>. Server-rendered, Vietnamese.
/// </summary>
public static class SignInEndpoints
{
    /// <summary>Where a signed-in user goes when no (local) return URL was given: "/" sends each role to its screen.</summary>
    public const string DefaultReturnUrl = "/";

    /// <summary>Claim type of the display name.</summary>
    public const string DisplayNameClaim = "display_name";

    /// <summary>Maps <c>/signin</c> and <c>/signout</c>.</summary>
    public static IEndpointRouteBuilder MapSignInEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signin", (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            SignInPage(context, antiforgery, LocalOrDefault(returnUrl), userName: "", error: null, StatusCodes.Status200OK))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/signin", SignInAsync).AllowAnonymous().ExcludeFromDescription().RequireRateLimiting(Hosting.SecurityHeaders.SignInPolicy);
        app.MapGet("/signout", SignOutPage).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/signout", SignOutAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>Whether <paramref name="url"/> is a path on this site (not <c>//host</c> or <c>/\host</c>).</summary>
    public static bool IsLocalUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);

    private static string LocalOrDefault(string? url) => IsLocalUrl(url) ? url! : DefaultReturnUrl;

    private static async Task<IResult> SignInAsync(HttpContext context, IAntiforgery antiforgery, AccountService accounts, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("WorkflowHost.SignIn");
        if (!context.Request.HasFormContentType) return HtmlPage.Message("Yêu cầu không hợp lệ", "Hãy đăng nhập từ trang đăng nhập.", StatusCodes.Status400BadRequest, "/signin", "Trang đăng nhập");
        try
        {
            await antiforgery.ValidateRequestAsync(context);
        }
        catch (AntiforgeryValidationException)
        {
            return HtmlPage.Message("Phiên biểu mẫu đã hết hạn", "Biểu mẫu đăng nhập đã cũ hoặc không hợp lệ. Hãy mở lại trang đăng nhập và thử lại.", StatusCodes.Status400BadRequest, "/signin", "Trang đăng nhập");
        }
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var userName = form["userName"].ToString().Trim();
        var password = form["password"].ToString();
        var returnUrl = LocalOrDefault(form["returnUrl"].ToString());
        if (userName.Length == 0 || password.Length == 0)
            return SignInPage(context, antiforgery, returnUrl, userName, "Hãy nhập tên đăng nhập và mật khẩu.", StatusCodes.Status200OK);

        var check = await accounts.CheckPasswordAsync(userName, password, cancellationToken);
        switch (check.Status)
        {
            case SignInStatus.LockedOut:
                logger.LogWarning("Sign-in refused for {User}: locked out until {Until:O}", userName, check.LockedUntil);
                return SignInPage(context, antiforgery, returnUrl, userName,
                    $"Tài khoản tạm khóa do nhập sai mật khẩu {AccountService.MaxFailedAttempts} lần. Hãy thử lại sau {PlanTime.Format(check.LockedUntil!.Value)}.", StatusCodes.Status200OK);
            case SignInStatus.Failed:
                logger.LogWarning("Sign-in failed for {User}", userName);
                return SignInPage(context, antiforgery, returnUrl, userName, "Tên đăng nhập hoặc mật khẩu không đúng.", StatusCodes.Status200OK);
        }

        var account = check.Account!;
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, account.Id.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, account.UserName),
                new Claim(ClaimTypes.Role, account.Role),
                new Claim(DisplayNameClaim, account.DisplayName),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        logger.LogInformation("{User} signed in (role {Role})", account.UserName, account.Role);
        return Results.Redirect(returnUrl);
    }

    private static IResult SignInPage(HttpContext context, IAntiforgery antiforgery, string returnUrl, string userName, string? error, int statusCode)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var errorHtml = error is null ? "" : $"""<p class="error" role="alert" id="signin-error">{HtmlPage.Encode(error)}</p>""";
        var signedIn = context.User.Identity?.IsAuthenticated == true
            ? $"""<p class="note">Đang đăng nhập với tên {HtmlPage.Encode(context.User.Identity.Name)}.</p>"""
            : "";
        return HtmlPage.Render("Đăng nhập", $"""
            <main class="card">
            <h1>Đăng nhập</h1>
            <p class="lead">Thường trực Hội đồng Thi đua – Khen thưởng</p>
            {errorHtml}{signedIn}
            <form method="post" action="/signin" autocomplete="on">
            <input type="hidden" name="{HtmlPage.Encode(tokens.FormFieldName)}" value="{HtmlPage.Encode(tokens.RequestToken)}">
            <input type="hidden" name="returnUrl" value="{HtmlPage.Encode(returnUrl)}">
            <label for="userName">Tên đăng nhập</label>
            <input type="text" id="userName" name="userName" value="{HtmlPage.Encode(userName)}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
            <label for="password">Mật khẩu</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required>
            <button type="submit" class="primary">Đăng nhập</button>
            </form>
            </main>
            """, statusCode);
    }

    private static IResult SignOutPage(HttpContext context, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return HtmlPage.Render("Đăng xuất", $"""
            <main class="card">
            <h1>Đăng xuất</h1>
            <p class="lead">Kết thúc phiên làm việc trên máy này?</p>
            <form method="post" action="/signout">
            <input type="hidden" name="{HtmlPage.Encode(tokens.FormFieldName)}" value="{HtmlPage.Encode(tokens.RequestToken)}">
            <button type="submit" class="primary">Đăng xuất</button>
            </form>
            </main>
            """);
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(context);
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Redirect("/signout");
        }
        // A unit has no password: after signing out it gets the page that sends a new link, not the sign-in form.
        var wasUnit = context.User.UnitCode() is not null;
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.Redirect(wasUnit ? "/portal/link" : "/signin");
    }

    /// <summary>An anti-forgery-protected sign-out button for page headers.</summary>
    internal static string SignOutButton(HttpContext context, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return $"""
            <form method="post" action="/signout">
            <input type="hidden" name="{HtmlPage.Encode(tokens.FormFieldName)}" value="{HtmlPage.Encode(tokens.RequestToken)}">
            <button type="submit">Đăng xuất</button>
            </form>
            """;
    }
}
