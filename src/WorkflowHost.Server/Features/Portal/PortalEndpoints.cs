using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Features.Definitions;
using WorkflowHost.Server.Features.Localization;
using WorkflowHost.Server.Features.Pages;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>
/// The units' portal: a unit opens it from the signed link in its emails (no password), sees what it owes and sends
/// its plan, exemplars or report. Routes:
/// <list type="bullet">
/// <item><c>GET /portal</c>, <c>GET /portal/tasks/{id}</c>: with <c>?k=</c> a signed link signs the unit in and
/// goes on to the clean URL (a refresh page, so that the Strict cookie is sent); an expired link gets a page with a button that sends a new one to the unit's
/// registered email; an altered one a page asking for that email. Without a unit session: a redirect to
/// <c>/portal/link</c> (staff get a 403). Another unit's task: 404.</item>
/// <item><c>POST /portal/tasks/{id}</c>: the submission (multipart form, anti-forgery), then a receipt on screen and by email.
/// A registration or nomination with fewer exemplar rows than the task's minimum is not sent at once: the form comes
/// back (200) with its rows and a warning ("Cần ít nhất 03, đã khai 02") and is sent only when posted again with the
/// box <c>confirmShort</c> ticked. Server-rendered on purpose: no script (and no CSP hash) is needed, and it works on
/// any phone browser; the live count above the rows is also server-rendered, refreshed by "add rows".</item>
/// <item><c>GET/POST /portal/link</c>, <c>POST /portal/link/renew</c>: ask for a new link by email.</item>
/// <item><c>GET /portal/calendar.ics?k=</c>: the unit's deadlines as iCalendar (feed token, no cookie).</item>
/// <item><c>GET /files/{id}</c>: an attachment, for its unit and for staff.</item>
/// </list>
/// </summary>
public static class PortalEndpoints
{
    /// <summary>Maps the portal.</summary>
    public static IEndpointRouteBuilder MapPortalEndpoints(this IEndpointRouteBuilder app)
    {
        var portal = app.MapGroup("/portal").ExcludeFromDescription();
        // The two pages check the session themselves: a signed link must work without one.
        portal.MapGet("/", HomeAsync).AllowAnonymous();
        portal.MapGet("/tasks/{id}", TaskPageAsync).AllowAnonymous();
        portal.MapPost("/tasks/{id}", SubmitAsync).RequireAuthorization(AuthPolicies.Unit).DisableAntiforgery();
        portal.MapGet("/link", (HttpContext context) => LinkPage(context, "link.none", StatusCodes.Status200OK, null)).AllowAnonymous();
        portal.MapPost("/link", RequestLinkAsync).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(PortalSetup.LinkRequestsPolicy);
        portal.MapPost("/link/renew", RenewLinkAsync).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(PortalSetup.LinkRequestsPolicy);
        portal.MapGet("/calendar.ics", CalendarAsync).AllowAnonymous();
        app.MapGet("/files/{id}", FileAsync).RequireAuthorization(AuthPolicies.SignedIn).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> HomeAsync(HttpContext context, string? k, WorkflowHostDbContext db, ApplicationClock clock, UnitLinkSigner signer,
        DbDefinitionSource catalog, CancellationToken cancellationToken)
    {
        if (k is not null) return await RedeemAsync(context, k, null, db, signer, cancellationToken);
        if (Gate(context) is { } denied) return denied;
        var t = UiLanguage.For(context);
        var user = context.User;
        var now = clock.GetUtcNow();
        var today = PlanTime.LocalDate(now);
        var tasks = await db.Tasks.AsNoTracking().VisibleTo(user, db).OrderBy(x => x.DueAt).ThenBy(x => x.Id).ToListAsync(cancellationToken);
        var directory = await catalog.FindDirectoryAsync(user.UnitDirectory()!, cancellationToken);
        var unit = directory?.Find(user.UnitCode()!);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""<p class="muted">{HtmlPage.Encode(unit?.Name ?? user.UnitCode())} · {HtmlPage.Encode(t.Format("dash.now", PlanTime.Format(now)))}</p>""");
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{HtmlPage.Encode(t["portal.open"])}</h2>""");
        var open = tasks.Where(x => !x.IsClosed).ToList();
        html.Append(open.Count == 0 ? $"<p>{HtmlPage.Encode(t["portal.none"])}</p>" : Cards(open, t, now, today));
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{HtmlPage.Encode(t["portal.past"])}</h2>""");
        var past = tasks.Where(x => x.IsClosed).OrderByDescending(x => x.DueAt).ToList();
        html.Append(past.Count == 0 ? $"<p>{HtmlPage.Encode(t["portal.none"])}</p>" : Cards(past, t, now, today));
        var feed = "/portal/calendar.ics?k=" + Uri.EscapeDataString(signer.FeedToken(user.UnitDirectory()!, user.UnitCode()!));
        html.Append(CultureInfo.InvariantCulture, $"""<p class="noprint"><a id="calendar-feed" href="{HtmlPage.Encode(feed)}">{HtmlPage.Encode(t["portal.calendar"])}</a></p>""");
        return ScreenLayout.Render(context, t["portal.title"], html.ToString(), "nav.portal");
    }

    private static string Cards(IEnumerable<UnitTaskRecord> tasks, UiText t, DateTimeOffset now, DateOnly today)
    {
        var html = new StringBuilder("""<ul class="cards">""");
        foreach (var task in tasks)
        {
            var colour = TaskColours.Of(task, now);
            var css = "status-" + colour.ToString().ToLowerInvariant();
            var days = MailComposer.DaysBetween(task.DueDate, today);
            var when = task.IsClosed ? "" : days switch
            {
                < 0 => t.Format("portal.daysLeft", -days),
                0 => t["portal.dueToday"],
                _ => t.Format("portal.daysLate", days),
            };
            var comment = task.Status == UnitTaskStatus.Returned && task.LastComment is { } c
                ? $"""<div class="comment"><strong>{HtmlPage.Encode(t["portal.comment"])}:</strong> {HtmlPage.Encode(c)}</div>""" : "";
            html.Append(CultureInfo.InvariantCulture, $"""
                <li class="{css}" data-task="{HtmlPage.Encode(task.Id)}">
                <a class="title" href="/portal/tasks/{HtmlPage.Encode(Uri.EscapeDataString(task.Id))}">{HtmlPage.Encode(task.Title)}</a>
                <div class="meta"><span>{HtmlPage.Encode(t["col.due"])}: <strong>{PlanTime.Format(task.DueDate)}</strong></span>
                <span>{HtmlPage.Encode(when)}</span>
                <span class="badge {css}">{HtmlPage.Encode(t[TaskColours.Key(colour)])}</span>
                <span class="muted">{HtmlPage.Encode(t["task." + task.Status])}</span></div>
                {comment}
                </li>
                """);
        }
        return html.Append("</ul>").ToString();
    }

    private static async Task<IResult> TaskPageAsync(HttpContext context, string id, string? k, WorkflowHostDbContext db, ApplicationClock clock, UnitLinkSigner signer,
        DbDefinitionSource catalog, IOptions<PortalOptions> options, CancellationToken cancellationToken)
    {
        if (k is not null) return await RedeemAsync(context, k, id, db, signer, cancellationToken);
        if (Gate(context) is { } denied) return denied;
        var task = await db.Tasks.AsNoTracking().VisibleTo(context.User, db).FirstOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (task is null) return NotFound(context);
        // A returned submission comes back filled in, to be corrected rather than typed again.
        var form = new SubmissionForm();
        if (task.Status == UnitTaskStatus.Returned)
            form = SubmissionForm.FromContent(await db.Submissions.AsNoTracking().Where(s => s.TaskId == task.Id).OrderByDescending(s => s.SubmittedAt).Select(s => s.ContentJson).FirstOrDefaultAsync(cancellationToken));
        return await RenderTaskAsync(context, task, form, new Dictionary<string, string>(), form.Rows.Count > 0 ? 1 : 3, db, clock, catalog, options.Value, StatusCodes.Status200OK, cancellationToken);
    }

    private static async Task<IResult> RenderTaskAsync(HttpContext context, UnitTaskRecord task, SubmissionForm form, IReadOnlyDictionary<string, string> errors, int extraRows,
        WorkflowHostDbContext db, ApplicationClock clock, DbDefinitionSource catalog, PortalOptions options, int status, CancellationToken cancellationToken, bool shortWarning = false)
    {
        var t = UiLanguage.For(context);
        var now = clock.GetUtcNow();
        var colour = TaskColours.Of(task, now);
        var css = "status-" + colour.ToString().ToLowerInvariant();
        var days = MailComposer.DaysBetween(task.DueDate, PlanTime.LocalDate(now));
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <p><span class="badge {css}" id="task-colour">{HtmlPage.Encode(t[TaskColours.Key(colour)])}</span>
            <span id="task-status">{HtmlPage.Encode(t["task." + task.Status])}</span></p>
            <p>{HtmlPage.Encode(t["col.due"])}: <strong>{PlanTime.Format(task.DueDate)}</strong>
            {(task.IsClosed ? "" : HtmlPage.Encode(days < 0 ? t.Format("portal.daysLeft", -days) : days == 0 ? t["portal.dueToday"] : t.Format("portal.daysLate", days)))}</p>
            """);
        if (!string.IsNullOrWhiteSpace(task.Description)) html.Append(CultureInfo.InvariantCulture, $"""<p class="muted">{HtmlPage.Encode(task.Description)}</p>""");
        if (task.Status == UnitTaskStatus.Returned && task.LastComment is { } comment)
            html.Append(CultureInfo.InvariantCulture, $"""<div class="warn" id="return-comment"><strong>{HtmlPage.Encode(t["portal.comment"])}:</strong> {HtmlPage.Encode(comment)}</div>""");
        if (task.Status == UnitTaskStatus.Submitted) html.Append(CultureInfo.InvariantCulture, $"""<p class="notice" id="waiting">{HtmlPage.Encode(t["portal.waiting"])}</p>""");
        if (task.IsClosed) html.Append(CultureInfo.InvariantCulture, $"""<p class="notice">{HtmlPage.Encode(t["portal.closed"])}</p>""");
        if (task.Status is UnitTaskStatus.Open or UnitTaskStatus.Returned)
        {
            var instance = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == task.InstanceId, cancellationToken);
            var directory = instance is null ? null : await catalog.FindDirectoryAsync(instance.Directory, cancellationToken);
            var blueprint = instance is null ? null : await context.RequestServices.GetRequiredService<WorkflowRuntime>()
                .GetBlueprintAsync(instance.DefinitionId, instance.DefinitionVersion, cancellationToken);
            var summary = errors.Count == 0 ? "" : $"""<div class="error" role="alert" id="form-errors">{HtmlPage.Encode(t["form.errors"])}<ul>{string.Concat(errors.Values.Distinct().Select(e => $"<li>{HtmlPage.Encode(e)}</li>"))}</ul></div>""";
            // Fewer rows than the minimum (issue 14): said before sending; sent only with the box ticked.
            var warning = !shortWarning ? "" : $"""
                <div class="warn" role="alert" id="short-warning"><p>{HtmlPage.Encode(SubmissionForm.ShortText(task.Minimum, form.Counted().ToString(), t))}</p>
                <label for="confirm-short"><input type="checkbox" id="confirm-short" name="confirmShort" value="1"> {HtmlPage.Encode(t["form.shortConfirm"])}</label></div>
                """;
            html.Append(CultureInfo.InvariantCulture, $"""
                <form method="post" action="/portal/tasks/{HtmlPage.Encode(Uri.EscapeDataString(task.Id))}" enctype="multipart/form-data" id="submission-form">
                {ScreenLayout.Antiforgery(context)}
                <fieldset><legend>{HtmlPage.Encode(t["kind." + task.Kind])}</legend>
                {summary}
                {form.RenderFields(task.Kind, t, errors, PlanMovements.Of(blueprint, directory), task.Minimum, options.MaxUploadMegabytes, extraRows)}
                {warning}
                <button type="submit" name="action" value="submit" id="submit">{HtmlPage.Encode(t["portal.submit"])}</button>
                </fieldset>
                </form>
                """);
        }
        var submissions = await db.Submissions.AsNoTracking().Where(s => s.TaskId == task.Id).ToListAsync(cancellationToken);
        if (submissions.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<h2>{HtmlPage.Encode(t["portal.history"])}</h2>""");
            foreach (var s in submissions.OrderByDescending(s => s.SubmittedAt)) html.Append(SubmissionView.Render(s, t));
        }
        html.Append(CultureInfo.InvariantCulture, $"""<p class="noprint"><a href="/portal">← {HtmlPage.Encode(t["portal.back"])}</a></p>""");
        return ScreenLayout.Render(context, task.Title, html.ToString(), "nav.portal", status);
    }

    private static async Task<IResult> SubmitAsync(HttpContext context, string id, WorkflowHostDbContext db, ApplicationClock clock, WorkflowRuntime runtime,
        UploadStore uploads, PortalMail mail, UnitLinkSigner signer, DbDefinitionSource catalog, IOptions<PortalOptions> options, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().VisibleTo(context.User, db).FirstOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (task is null) return NotFound(context);
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var t = UiLanguage.For(context);
        if (task.Status is not (UnitTaskStatus.Open or UnitTaskStatus.Returned))
            return ScreenLayout.Message(context, task.Title, t["task." + task.Status], StatusCodes.Status409Conflict, "/portal/tasks/" + Uri.EscapeDataString(id), t["portal.back"]);
        var posted = await context.Request.ReadFormAsync(cancellationToken);
        var form = SubmissionForm.Read(posted);
        if (posted["action"] == "addRows")
            return await RenderTaskAsync(context, task, form, new Dictionary<string, string>(), 3, db, clock, catalog, options.Value, StatusCodes.Status200OK, cancellationToken);
        var errors = form.Validate(task.Kind, t);
        var file = posted.Files.GetFile("file");
        if (file is { Length: 0 }) file = null;
        if (task.Kind == UnitTaskKind.UnitPlan && file is null) errors["file"] = t["err.fileRequired"];
        UploadedFile? attachment = null;
        if (errors.Count == 0 && file is not null && !SubmissionForm.HasExemplars(task.Kind))
        {
            var (saved, refusal) = await uploads.SaveAsync(file, task.UnitCode, task.Id, cancellationToken);
            if (refusal == UploadStore.Refusal.TooBig) errors["file"] = t.Format("err.fileTooBig", options.Value.MaxUploadMegabytes);
            else if (refusal == UploadStore.Refusal.WrongType) errors["file"] = t["err.fileType"];
            attachment = saved;
        }
        if (errors.Count > 0)
            return await RenderTaskAsync(context, task, form, errors, 0, db, clock, catalog, options.Value, StatusCodes.Status400BadRequest, cancellationToken);
        if (SubmissionForm.HasExemplars(task.Kind) && posted["confirmShort"] != "1" && !string.IsNullOrEmpty(task.Minimum)
            && !form.Counted().ShortfallAgainst(ExemplarCounts.Parse(task.Minimum)).IsEmpty)
            return await RenderTaskAsync(context, task, form, errors, 0, db, clock, catalog, options.Value, StatusCodes.Status200OK, cancellationToken, shortWarning: true);
        await db.SaveChangesAsync(cancellationToken);
        await runtime.SubmitAsync(task.Id, form.ToContent(task.Kind, attachment), "unit:" + task.UnitCode, cancellationToken);

        // The receipt: on screen, and by email to the unit's registered address.
        var submission = await db.Submissions.AsNoTracking().Where(s => s.TaskId == task.Id).OrderByDescending(s => s.SubmittedAt).ThenByDescending(s => s.Id).FirstAsync(cancellationToken);
        var instance = await db.Instances.AsNoTracking().FirstAsync(i => i.Id == task.InstanceId, cancellationToken);
        var unit = (await catalog.FindDirectoryAsync(instance.Directory, cancellationToken))?.Find(task.UnitCode);
        if (unit is not null)
        {
            mail.QueueReceipt(unit.Email, unit.Name, unit.Code, task.InstanceId, task.Id, submission.Id, task.Title, signer.TaskLink(unit.Code, task.Id));
            await db.SaveChangesAsync(cancellationToken);
        }
        var body = $"""
            <p class="notice" id="receipt">{HtmlPage.Encode(t.Format("portal.receipt.text", task.Title, PlanTime.Format(submission.SubmittedAt)))}</p>
            {SubmissionView.Render(submission, t)}
            <p><a href="/portal/tasks/{HtmlPage.Encode(Uri.EscapeDataString(task.Id))}">{HtmlPage.Encode(task.Title)}</a> · <a href="/portal">{HtmlPage.Encode(t["portal.back"])}</a></p>
            """;
        return ScreenLayout.Render(context, t["portal.receipt.title"], body, "nav.portal");
    }

    // A signed link: sign the unit in and go to the clean URL; expired or invalid links get their page.
    private static async Task<IResult> RedeemAsync(HttpContext context, string token, string? pathTaskId, WorkflowHostDbContext db, UnitLinkSigner signer, CancellationToken cancellationToken)
    {
        var link = signer.Read(token);
        string? directory = null;
        if (link.Status != UnitLinkStatus.Invalid)
        {
            if (link.TaskId.Length > 0)
            {
                var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(x => x.Id == link.TaskId, cancellationToken);
                if (task is not null && task.UnitCode == link.UnitCode && (pathTaskId is null || pathTaskId == link.TaskId))
                    directory = await db.Instances.AsNoTracking().Where(i => i.Id == task.InstanceId).Select(i => i.Directory).FirstOrDefaultAsync(cancellationToken);
            }
            else if (pathTaskId is null)
            {
                directory = link.Directory.Length > 0 ? link.Directory : null;
            }
        }
        if (directory is null) return LinkPage(context, "link.invalid", StatusCodes.Status400BadRequest, null);
        if (link.Status == UnitLinkStatus.Expired) return LinkPage(context, "link.expired", StatusCodes.Status410Gone, token);

        var options = context.RequestServices.GetRequiredService<IOptions<PortalOptions>>().Value;
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, $"unit:{directory}:{link.UnitCode}"),
                new Claim(ClaimTypes.Name, "unit:" + link.UnitCode),
                new Claim(ClaimTypes.Role, AuthPolicies.UnitRole),
                new Claim(AuthPolicies.UnitCodeClaim, link.UnitCode),
                new Claim(AuthPolicies.UnitDirectoryClaim, directory),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { ExpiresUtc = TimeProvider.System.GetUtcNow().AddHours(options.UnitSessionHours), AllowRefresh = false });
        // Not a 302: a link clicked in a web mail is a cross-site navigation, and the browser would not send the SameSite=Strict
        // cookie on a redirect that is part of it. This page's own refresh is a same-site navigation, which does.
        var target = pathTaskId is null ? "/portal" : "/portal/tasks/" + Uri.EscapeDataString(pathTaskId);
        var t = UiLanguage.For(context);
        return HtmlPage.Render(t["portal.title"], $"""
            <main class="card"><h1>{HtmlPage.Encode(t["portal.title"])}</h1>
            <p class="lead"><a href="{HtmlPage.Encode(target)}" id="continue">{HtmlPage.Encode(t["portal.continue"])}</a></p></main>
            """, head: $"""<meta http-equiv="refresh" content="0;url={HtmlPage.Encode(target)}">""", lang: t.Code);
    }

    // Staff get a 403 (the portal is the units'); anyone else goes to the page that asks for a link.
    private static IResult? Gate(HttpContext context)
    {
        if (context.User.UnitCode() is not null && context.User.UnitDirectory() is not null) return null;
        if (context.User.Identity?.IsAuthenticated == true)
        {
            var t = UiLanguage.For(context);
            return ScreenLayout.Message(context, t["link.none.title"], t["link.none.text"], StatusCodes.Status403Forbidden);
        }
        return Results.Redirect("/portal/link");
    }

    private static IResult NotFound(HttpContext context)
    {
        var t = UiLanguage.For(context);
        return ScreenLayout.Message(context, t["page.notFound"], t["page.notFound"], StatusCodes.Status404NotFound, "/portal", t["portal.back"]);
    }

    private static IResult LinkPage(HttpContext context, string key, int status, string? expiredToken)
    {
        var t = UiLanguage.For(context);
        var form = expiredToken is not null
            ? $"""
              <form method="post" action="/portal/link/renew">{ScreenLayout.Antiforgery(context)}
              <input type="hidden" name="k" value="{HtmlPage.Encode(expiredToken)}">
              <button type="submit" id="renew">{HtmlPage.Encode(t["link.send"])}</button></form>
              """
            : $"""
              <form method="post" action="/portal/link">{ScreenLayout.Antiforgery(context)}
              <label for="email">{HtmlPage.Encode(t["link.email"])}</label>
              <input type="email" id="email" name="email" maxlength="200" required autocomplete="email">
              <button type="submit" id="request-link">{HtmlPage.Encode(t["link.send"])}</button></form>
              """;
        return ScreenLayout.Render(context, t[key + ".title"], $"""<p id="link-status" data-status="{HtmlPage.Encode(key)}">{HtmlPage.Encode(t[key + ".text"])}</p>{form}""", statusCode: status);
    }

    private static async Task<IResult> RequestLinkAsync(HttpContext context, WorkflowHostDbContext db, DbDefinitionSource catalog, UnitLinkSigner signer, PortalMail mail,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var t = UiLanguage.For(context);
        var email = (await context.Request.ReadFormAsync(cancellationToken))["email"].ToString().Trim();
        if (email.Length is 0 or > 200 || !email.Contains('@', StringComparison.Ordinal))
            return ScreenLayout.Message(context, t["link.invalid.title"], t["link.email"] + ": " + t["err.required"], StatusCodes.Status400BadRequest, "/portal/link", t["link.send"]);
        var names = await db.Directories.AsNoTracking().Select(d => d.Name).ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var name in names)
        {
            var directory = await catalog.FindDirectoryAsync(name, cancellationToken);
            foreach (var unit in directory?.Units.Where(u => u.Active && string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase)) ?? [])
            {
                // To the registered address only (the same one, compared case-insensitively): a stranger learns nothing.
                mail.QueueNewLink(unit.Email, unit.Name, unit.Code, null, null, signer.HomeLink(unit.Code, name));
                sent++;
            }
        }
        if (sent > 0) await db.SaveChangesAsync(cancellationToken);
        loggers.CreateLogger("WorkflowHost.Portal").LogInformation("New portal link requested; {Count} unit(s) matched", sent);
        return ScreenLayout.Message(context, t["link.sent.title"], t["link.sent.text"]);
    }

    private static async Task<IResult> RenewLinkAsync(HttpContext context, WorkflowHostDbContext db, DbDefinitionSource catalog, UnitLinkSigner signer, PortalMail mail, CancellationToken cancellationToken)
    {
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var t = UiLanguage.For(context);
        var link = signer.Read((await context.Request.ReadFormAsync(cancellationToken))["k"].ToString());
        if (link.Status == UnitLinkStatus.Invalid) return LinkPage(context, "link.invalid", StatusCodes.Status400BadRequest, null);
        string? directoryName = link.Directory.Length > 0 ? link.Directory : null;
        string? instanceId = null;
        if (link.TaskId.Length > 0)
        {
            var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(x => x.Id == link.TaskId, cancellationToken);
            instanceId = task?.InstanceId;
            directoryName = task is null ? null : await db.Instances.AsNoTracking().Where(i => i.Id == task.InstanceId).Select(i => i.Directory).FirstOrDefaultAsync(cancellationToken);
        }
        var unit = directoryName is null ? null : (await catalog.FindDirectoryAsync(directoryName, cancellationToken))?.Find(link.UnitCode);
        if (unit is not null)
        {
            var fresh = link.TaskId.Length > 0 ? signer.TaskLink(unit.Code, link.TaskId) : signer.HomeLink(unit.Code, directoryName!);
            mail.QueueNewLink(unit.Email, unit.Name, unit.Code, instanceId, link.TaskId.Length > 0 ? link.TaskId : null, fresh);
            await db.SaveChangesAsync(cancellationToken);
        }
        return ScreenLayout.Message(context, t["link.sent.title"], t["link.sent.text"]);
    }

    private static async Task<IResult> CalendarAsync(HttpContext context, string? k, WorkflowHostDbContext db, ApplicationClock clock, UnitLinkSigner signer,
        DbDefinitionSource catalog, IOptions<AppOptions> app, CancellationToken cancellationToken)
    {
        if (signer.ReadFeed(k) is not { } feed) return Results.NotFound();
        var tasks = await db.Tasks.AsNoTracking()
            .Where(x => x.UnitCode == feed.UnitCode && db.Instances.Any(i => i.Id == x.InstanceId && i.Directory == feed.Directory))
            .ToListAsync(cancellationToken);
        var unit = (await catalog.FindDirectoryAsync(feed.Directory, cancellationToken))?.Find(feed.UnitCode);
        var host = new Uri(app.Value.BaseUrl).Host;
        var text = UnitCalendar.Write(unit?.Name ?? feed.UnitCode, tasks, clock.GetUtcNow(), app.Value.BaseUrl, host);
        context.Response.Headers.ContentDisposition = "inline; filename=\"han-nop.ics\"";
        return Results.Text(text, "text/calendar; charset=utf-8", Encoding.UTF8);
    }

    private static async Task<IResult> FileAsync(HttpContext context, string id, WorkflowHostDbContext db, UploadStore uploads, CancellationToken cancellationToken)
    {
        var file = await db.UploadedFiles.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, cancellationToken);
        if (file is null || uploads.PathOf(file.Id) is not { } path || !File.Exists(path)) return Results.NotFound();
        if (!context.User.IsStaff() && !await db.Tasks.VisibleTo(context.User, db).AnyAsync(x => x.Id == file.TaskId, cancellationToken)) return Results.NotFound();
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.File(path, file.ContentType, file.FileName);
    }

    /// <summary>A unit's display name from its directory, or the code.</summary>
    internal static string UnitName(UnitDirectory? directory, string code) => directory?.Find(code)?.Name ?? code;

    /// <summary>Formats a size in bytes as KB with one decimal.</summary>
    internal static string Kilobytes(long bytes) => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB";
}
