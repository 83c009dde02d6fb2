using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Features.Pages;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Studio;

/// <summary>
/// The designer pages, for signed-in secretariat users only (policy <see cref="AuthPolicies.Secretariat"/>:
/// anonymous → redirect to <c>/signin</c>, other roles → 403):
/// <list type="bullet">
/// <item><c>/designer/</c> hosts <c>elsa-workflow-definition-list</c>; choosing a definition opens its editor page;</item>
/// <item><c>/designer/{definitionId}</c> hosts <c>elsa-workflow-definition-editor</c>.</item>
/// </list>
/// Both give the studio <c>remote-endpoint</c> = the absolute URL of <c>/elsa/api</c> on this same origin, so
/// the studio's requests carry the sign-in cookie and need no token.
/// </summary>
public static class DesignerPages
{
    /// <summary>Path of the Elsa REST API the studio calls, relative to the site root.</summary>
    public const string ApiPath = "/elsa/api";

    /// <summary>Registers the bundle locator and options.</summary>
    public static IServiceCollection AddStudio(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Studio").Get<StudioOptions>() ?? new StudioOptions();
        services.AddSingleton(StudioBundle.Locate(options));
        return services;
    }

    /// <summary>Maps <c>/designer/</c> (<c>/designer</c> redirects there) and <c>/designer/{definitionId}</c>.</summary>
    public static IEndpointRouteBuilder MapDesignerPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup(StudioBundle.BasePath.TrimEnd('/')).RequireAuthorization(AuthPolicies.Secretariat).ExcludeFromDescription();
        pages.MapGet("/", ListPage);
        pages.MapGet("/{definitionId}", EditorPageAsync);
        return app;
    }

    /// <summary>The absolute URL of the Elsa API for the current request (scheme, host and path base as the browser sees them).</summary>
    public static string RemoteEndpoint(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}{ApiPath}";
    }

    private static IResult ListPage(HttpContext context, StudioBundle bundle, IAntiforgery antiforgery)
    {
        // The page must lie under its <base href> (Blazor refuses to start otherwise): /designer → /designer/.
        if (!context.Request.Path.Value!.EndsWith('/')) return Results.Redirect(context.Request.PathBase + StudioBundle.BasePath + context.Request.QueryString);
        if (!bundle.IsInstalled) return BundleMissing();
        var body = $$"""
            {{TopBar(context, antiforgery, "Danh sách kế hoạch")}}
            <main class="studio">
            <p class="studio-loading" id="studio-loading">Đang tải trình thiết kế…</p>
            <elsa-workflow-definition-list id="definition-list" remote-endpoint="{{HtmlPage.Encode(RemoteEndpoint(context.Request))}}"></elsa-workflow-definition-list>
            </main>
            {{StudioScripts}}
            {{SecurityHeaders.InlineScript(ListScript)}}
            """;
        return HtmlPage.Render("Thiết kế kế hoạch", body, head: StudioHead(), bodyClass: "studio-page");
    }

    private static async Task<IResult> EditorPageAsync(string definitionId, HttpContext context, StudioBundle bundle, IAntiforgery antiforgery,
        WorkflowHostDbContext db, CancellationToken cancellationToken)
    {
        if (!bundle.IsInstalled) return BundleMissing();
        // The editor crashes on a definition the API does not know: say so here instead.
        var name = await db.Definitions.AsNoTracking().Where(d => d.DefinitionId == definitionId)
            .OrderByDescending(d => d.Version).Select(d => d.Name ?? d.DefinitionId).FirstOrDefaultAsync(cancellationToken);
        if (name is null)
            return HtmlPage.Message("Không tìm thấy kế hoạch", $"Không có quy trình nào mã \"{definitionId}\".", StatusCodes.Status404NotFound, StudioBundle.BasePath, "Danh sách kế hoạch");
        var body = $"""
            {TopBar(context, antiforgery, name, backLink: true)}
            <main class="studio">
            <p class="studio-loading" id="studio-loading">Đang tải trình thiết kế…</p>
            <elsa-workflow-definition-editor id="definition-editor" definition-id="{HtmlPage.Encode(definitionId)}" remote-endpoint="{HtmlPage.Encode(RemoteEndpoint(context.Request))}"></elsa-workflow-definition-editor>
            </main>
            {StudioScripts}
            """;
        return HtmlPage.Render(name, body, head: StudioHead(), bodyClass: "studio-page");
    }

    private static IResult BundleMissing() => HtmlPage.Message("Chưa cài trình thiết kế",
        "Gói Elsa Studio chưa được cài trên máy chủ. Hãy chạy dotnet build (lệnh này chạy npm ci trong src/WorkflowHost.Server/ClientApp) rồi khởi động lại.",
        StatusCodes.Status503ServiceUnavailable);

    private static string TopBar(HttpContext context, IAntiforgery antiforgery, string title, bool backLink = false)
    {
        var user = context.User.FindFirstValue(SignInEndpoints.DisplayNameClaim) ?? context.User.Identity?.Name ?? "";
        var back = backLink ? $"""<a href="{StudioBundle.BasePath}">← Danh sách</a>""" : "";
        return $"""
            <header class="topbar">
            <a class="brand" href="{StudioBundle.BasePath}">WorkflowHost · Thiết kế</a>
            {back}
            <span class="title" title="{HtmlPage.Encode(title)}">{HtmlPage.Encode(title)}</span>
            <span class="user">{HtmlPage.Encode(user)}</span>
            {SignInEndpoints.SignOutButton(context, antiforgery)}
            </header>
            """;
    }

    // Our own host page for the bundle: the base is the bundle's prefix (see StudioBundle); the styles and
    // scripts the custom elements need, without the Google Fonts links (external; the fallback fonts are fine).
    private static string StudioHead() => $$"""
        <base href="{{StudioBundle.BasePath}}">
        <link rel="icon" type="image/png" sizes="32x32" href="_content/Elsa.Studio.Shell/favicon-32x32.png">
        <link href="_content/MudBlazor/MudBlazor.min.css" rel="stylesheet">
        <link href="_content/CodeBeam.MudBlazor.Extensions/MudExtensions.min.css" rel="stylesheet">
        <link href="_content/Radzen.Blazor/css/material-base.css" rel="stylesheet">
        <link href="_content/Elsa.Studio.Shell/css/shell.css" rel="stylesheet">
        <link href="Elsa.Studio.Host.CustomElements.styles.css" rel="stylesheet">
        <style>
        body.studio-page { display: flex; flex-direction: column; height: 100vh; height: 100dvh; background: #fff; }
        .topbar .user { opacity: .9; }
        main.studio { position: relative; flex: 1; min-height: 0; overflow: auto; }
        main.studio > elsa-workflow-definition-editor, main.studio > elsa-workflow-definition-list { display: block; height: 100%; }
        .studio-loading { position: absolute; inset: 0; margin: 0; padding: 2rem 1rem; text-align: center; color: #5f6b7a; pointer-events: none; }
        #blazor-error-ui { display: none; position: fixed; bottom: 0; left: 0; right: 0; z-index: 10000; padding: .6rem 1rem; background: #fff3cd; box-shadow: 0 -1px 4px rgba(0,0,0,.2); }
        #blazor-error-ui .dismiss { float: right; cursor: pointer; }
        </style>
        """;

    // The list's EditWorkflowDefinition EventCallback, set as a JS property once the element is defined:
    // open our editor page instead of the studio's own (absent) router.
    private const string ListScript = """
        (function () {
          var list = document.getElementById('definition-list');
          customElements.whenDefined('elsa-workflow-definition-list').then(function () {
            list.editWorkflowDefinition = function (arg) {
              var id = typeof arg === 'string' ? arg : (arg && (arg.definitionId || arg.DefinitionId));
              if (id) location.href = '/designer/' + encodeURIComponent(id);
            };
          });
        })();
        """;

    // Hide "loading…" once the studio has drawn something inside its element.
    private const string LoadingScript = """
        (function () {
          var loading = document.getElementById('studio-loading');
          var host = loading && loading.nextElementSibling;
          if (!host) return;
          new MutationObserver(function (changes, observer) {
            if (host.childElementCount > 0) { loading.remove(); observer.disconnect(); }
          }).observe(host, { childList: true });
        })();
        """;

    private static readonly string LoadingScriptElement = SecurityHeaders.InlineScript(LoadingScript);

    private static readonly string StudioScripts = $"""
        <div id="blazor-error-ui">Trình thiết kế gặp lỗi. <a href="" class="reload">Tải lại trang</a> <a class="dismiss">✕</a></div>
        {LoadingScriptElement}
        <script src="_content/BlazorMonaco/jsInterop.js"></script>
        <script src="_content/BlazorMonaco/lib/monaco-editor/min/vs/loader.js"></script>
        <script src="_content/BlazorMonaco/lib/monaco-editor/min/vs/editor/editor.main.js"></script>
        <script src="_content/MudBlazor/MudBlazor.min.js"></script>
        <script src="_content/CodeBeam.MudBlazor.Extensions/MudExtensions.min.js"></script>
        <script src="_content/Radzen.Blazor/Radzen.Blazor.js"></script>
        <script src="_framework/blazor.webassembly.js"></script>
        """;
}
