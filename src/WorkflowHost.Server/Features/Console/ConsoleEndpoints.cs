using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Features.Localization;
using WorkflowHost.Server.Features.Pages;
using WorkflowHost.Server.Features.Portal;
using WorkflowHost.Server.Features.Tasks;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Console;

/// <summary>
/// The secretariat's console (every route secretariat-only, every form post anti-forgery checked):
/// <list type="bullet">
/// <item><c>/console</c>: the review inbox, oldest submission first; <c>/console/tasks/{id}</c>: one task, accept or return
/// with a comment, send a reminder now, extend the due date (one unit, or every unit of the milestone).</item>
/// <item><c>/console/plans</c>: start a plan (published workflow, unit directory, date shift), the running plans;
/// <c>/console/instances/{id}</c>: its tasks, its journal (time, actor, result) and its emails with their delivery state.</item>
/// <item><c>/console/emails?status=Failed</c>: the emails of every plan in one delivery state (default Failed: refused
/// or out of attempts), newest first, with the server's last answer; the daily delivery-failure summary links here.</item>
/// <item><c>/console/units</c>: the unit directory: list, add, edit, deactivate, groups, CSV import with a preview and row errors.</item>
/// </list>
/// </summary>
public static partial class ConsoleEndpoints
{
    /// <summary>Maps <c>/console</c>.</summary>
    public static IEndpointRouteBuilder MapConsoleEndpoints(this IEndpointRouteBuilder app)
    {
        var console = app.MapGroup("/console").RequireAuthorization(AuthPolicies.Secretariat).ExcludeFromDescription().DisableAntiforgery();
        console.MapGet("/", InboxAsync);
        console.MapGet("/tasks/{id}", TaskAsync);
        console.MapPost("/tasks/{id}/review", ReviewAsync);
        console.MapPost("/tasks/{id}/remind", RemindAsync);
        console.MapPost("/tasks/{id}/due-date", ExtendTaskAsync);
        console.MapPost("/instances/{id}/milestones/{milestone}/due-date", ExtendMilestoneAsync);
        console.MapGet("/plans", PlansAsync);
        console.MapPost("/plans", StartPlanAsync);
        console.MapGet("/instances/{id}", InstanceAsync);
        console.MapGet("/emails", EmailsAsync);
        console.MapGet("/units", UnitsAsync);
        console.MapPost("/units", SaveUnitAsync);
        console.MapPost("/units/{code}/active", ToggleUnitAsync);
        console.MapPost("/units/groups", AddGroupAsync);
        console.MapPost("/units/import", ImportAsync);
        return app;
    }

    private static string E(string? text) => HtmlPage.Encode(text);

    private static string Url(string text) => Uri.EscapeDataString(text);

    private static string Badge(UnitTaskRecord task, DateTimeOffset now, UiText t)
    {
        var colour = TaskColours.Of(task, now);
        return $"""<span class="badge status-{colour.ToString().ToLowerInvariant()}">{E(t[TaskColours.Key(colour)])}</span>""";
    }

    private static async Task<IResult> InboxAsync(HttpContext context, string? done, WorkflowHostDbContext db, ApplicationClock clock, UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var t = UiLanguage.For(context);
        var now = clock.GetUtcNow();
        var waiting = await db.Tasks.AsNoTracking().Where(x => x.Status == UnitTaskStatus.Submitted).ToListAsync(cancellationToken);
        waiting = [.. waiting.OrderBy(x => x.SubmittedAt).ThenBy(x => x.Id, StringComparer.Ordinal)];
        var names = await UnitNamesAsync(db, directories, waiting.Select(x => x.InstanceId), cancellationToken);
        var html = new StringBuilder();
        if (done is not null) html.Append(CultureInfo.InvariantCulture, $"""<p class="notice" id="done">{E(t.Format("review.done", done))}</p>""");
        if (waiting.Count == 0) html.Append(CultureInfo.InvariantCulture, $"""<p id="inbox-empty">{E(t["review.none"])}</p>""");
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"""<div class="scroll"><table id="inbox"><thead><tr><th>{E(t["col.submitted"])}</th><th>{E(t["col.unit"])}</th><th>{E(t["col.task"])}</th><th>{E(t["col.due"])}</th><th>{E(t["col.status"])}</th><th></th></tr></thead><tbody>""");
            foreach (var task in waiting)
            {
                html.Append(CultureInfo.InvariantCulture, $"""
                    <tr data-task="{E(task.Id)}"><td>{E(task.SubmittedAt is { } s ? PlanTime.Format(s) : "")}</td><td>{E(names.GetValueOrDefault((task.InstanceId, task.UnitCode), task.UnitCode))}</td>
                    <td>{E(task.Title)}</td><td>{PlanTime.Format(task.DueDate)}</td><td>{Badge(task, now, t)}{(task.IsShort ? $"""<br><span class="muted" data-short="true">{E(t["col.shortfall"])}</span>""" : "")}</td>
                    <td><a href="/console/tasks/{E(Url(task.Id))}">{E(t["review.open"])}</a></td></tr>
                    """);
            }
            html.Append("</tbody></table></div>");
        }
        return ScreenLayout.Render(context, t["review.inbox"], html.ToString(), "nav.console");
    }

    // (instance, unit code) → unit name, for the instances given.
    private static async Task<Dictionary<(string, string), string>> UnitNamesAsync(WorkflowHostDbContext db, UnitDirectoryStore directories, IEnumerable<string> instanceIds, CancellationToken cancellationToken)
    {
        var ids = instanceIds.Distinct().ToList();
        var instances = await db.Instances.AsNoTracking().Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.Directory }).ToListAsync(cancellationToken);
        var result = new Dictionary<(string, string), string>();
        foreach (var instance in instances)
        {
            var directory = await directories.FindAsync(instance.Directory, cancellationToken);
            foreach (var unit in directory?.Units ?? []) result[(instance.Id, unit.Code)] = unit.Name;
        }
        return result;
    }

    private static async Task<IResult> TaskAsync(HttpContext context, string id, string? message, WorkflowHostDbContext db, ApplicationClock clock, UnitDirectoryStore directories, CancellationToken cancellationToken) =>
        await RenderTaskAsync(context, id, message, null, StatusCodes.Status200OK, db, clock, directories, cancellationToken);

    private static async Task<IResult> RenderTaskAsync(HttpContext context, string id, string? message, string? error, int status, WorkflowHostDbContext db, ApplicationClock clock,
        UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var t = UiLanguage.For(context);
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (task is null) return ScreenLayout.Message(context, t["page.notFound"], id, StatusCodes.Status404NotFound, "/console", t["review.inbox"]);
        var now = clock.GetUtcNow();
        var instance = await db.Instances.AsNoTracking().FirstAsync(i => i.Id == task.InstanceId, cancellationToken);
        var directory = await directories.FindAsync(instance.Directory, cancellationToken);
        var unit = directory?.Find(task.UnitCode);
        var af = ScreenLayout.Antiforgery(context);
        var path = "/console/tasks/" + E(Url(task.Id));
        var html = new StringBuilder();
        if (message is not null) html.Append(CultureInfo.InvariantCulture, $"""<p class="notice" id="message">{E(message)}</p>""");
        if (error is not null) html.Append(CultureInfo.InvariantCulture, $"""<p class="error" role="alert" id="error">{E(error)}</p>""");
        html.Append(CultureInfo.InvariantCulture, $"""
            <p><strong>{E(unit?.Name ?? task.UnitCode)}</strong> ({E(task.UnitCode)}{(unit?.Group is { } g ? " · " + E(g) : "")}) · {E(t["col.milestone"])}: {E(task.Milestone)}</p>
            <p>{E(t["col.due"])}: <strong>{PlanTime.Format(task.DueDate)}</strong> · {Badge(task, now, t)} <span id="task-status">{E(t["task." + task.Status])}</span>
            · <a href="/console/instances/{E(Url(task.InstanceId))}">{E(t["task.journal"])}</a></p>
            """);
        // A submission short of the task's minimum (issue 15.1): it may be accepted, and then stays "short".
        if (task.IsShort) html.Append(CultureInfo.InvariantCulture, $"""<p class="warn" id="task-short">{E(SubmissionForm.ShortText(task.Minimum, task.Counted, t))}</p>""");
        var submissions = await db.Submissions.AsNoTracking().Where(s => s.TaskId == task.Id).ToListAsync(cancellationToken);
        foreach (var s in submissions.OrderByDescending(s => s.SubmittedAt)) html.Append(SubmissionView.Render(s, t));
        if (task.Status == UnitTaskStatus.Submitted)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <form method="post" action="{path}/review" id="review-form"><fieldset><legend>{E(t["review.inbox"])}</legend>{af}
                <label for="comment">{E(t["review.comment"])}</label><textarea id="comment" name="comment" maxlength="4000"></textarea>
                <button type="submit" name="decision" value="accept" id="accept">{E(t["review.accept"])}</button>
                <button type="submit" name="decision" value="return" class="danger" id="return">{E(t["review.return"])}</button>
                </fieldset></form>
                """);
        }
        if (!task.IsClosed)
        {
            var groups = string.Concat((directory?.Groups ?? []).Select(gr => $"""<option value="{E(gr.Code)}">{E(gr.Name)}</option>"""));
            html.Append(CultureInfo.InvariantCulture, $"""
                <form method="post" action="{path}/remind" class="noprint" id="remind-form">{af}<button type="submit" class="secondary" id="remind">{E(t["task.remind"])}</button></form>
                <form method="post" action="{path}/due-date" class="noprint" id="extend-form"><fieldset><legend>{E(t["task.extend"])}</legend>{af}
                <label for="dueDate">{E(t["task.newDue"])}</label><input type="date" id="dueDate" name="dueDate" required>
                <label for="reason">{E(t["task.reason"])}</label><input type="text" id="reason" name="reason" maxlength="500" required>
                <button type="submit" class="secondary">{E(t["task.extend"])}</button></fieldset></form>
                <form method="post" action="/console/instances/{E(Url(task.InstanceId))}/milestones/{E(Url(task.Milestone))}/due-date" class="noprint" id="extend-all-form">
                <fieldset><legend>{E(t["task.extendAll"])} ({E(task.Milestone)})</legend>{af}<input type="hidden" name="taskId" value="{E(task.Id)}">
                <label for="dueDateAll">{E(t["task.newDue"])}</label><input type="date" id="dueDateAll" name="dueDate" required>
                <label for="unitGroup">{E(t["task.unitGroup"])}</label><select id="unitGroup" name="unitGroup"><option value="">{E(t["dash.any"])}</option>{groups}</select>
                <label for="reasonAll">{E(t["task.reason"])}</label><input type="text" id="reasonAll" name="reason" maxlength="500" required>
                <button type="submit" class="secondary">{E(t["task.extendAll"])}</button></fieldset></form>
                """);
        }
        return ScreenLayout.Render(context, task.Title, html.ToString(), "nav.console", status);
    }

    private static async Task<IResult> ReviewAsync(HttpContext context, string id, WorkflowHostDbContext db, ApplicationClock clock, WorkflowRuntime runtime, UnitDirectoryStore directories,
        CancellationToken cancellationToken)
    {
        if (!await db.Tasks.AnyAsync(x => x.Id == id, cancellationToken)) return ScreenLayout.Message(context, "404", id, StatusCodes.Status404NotFound);
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var t = UiLanguage.For(context);
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var decision = form["decision"].ToString();
        var comment = form["comment"].ToString().Trim();
        if (decision is not ("accept" or "return"))
            return await RenderTaskAsync(context, id, null, "decision: accept | return", StatusCodes.Status400BadRequest, db, clock, directories, cancellationToken);
        if (decision == "return" && comment.Length == 0)
            return await RenderTaskAsync(context, id, null, t["review.commentRequired"], StatusCodes.Status400BadRequest, db, clock, directories, cancellationToken);
        if (comment.Length > 4000)
            return await RenderTaskAsync(context, id, null, t.Format("err.tooLong", 4000), StatusCodes.Status400BadRequest, db, clock, directories, cancellationToken);
        try
        {
            await runtime.ReviewAsync(id, decision == "accept", comment.Length == 0 ? null : comment, TaskEndpoints.ReviewerName(context.User), cancellationToken);
        }
        catch (TaskStateException e)
        {
            return await RenderTaskAsync(context, id, null, e.Message, StatusCodes.Status409Conflict, db, clock, directories, cancellationToken);
        }
        var title = await db.Tasks.AsNoTracking().Where(x => x.Id == id).Select(x => x.Title + " — " + x.UnitCode).FirstAsync(cancellationToken);
        return Results.Redirect("/console?done=" + Url((decision == "accept" ? t["review.accept"] : t["review.return"]) + ": " + title));
    }

    private static async Task<IResult> RemindAsync(HttpContext context, string id, WorkflowHostDbContext db, ApplicationClock clock, UnitDirectoryStore directories, ITaskAmendments amendments,
        CancellationToken cancellationToken)
    {
        if (!await db.Tasks.AnyAsync(x => x.Id == id, cancellationToken)) return ScreenLayout.Message(context, "404", id, StatusCodes.Status404NotFound);
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var t = UiLanguage.For(context);
        try
        {
            await amendments.RemindAsync(id, TaskEndpoints.ReviewerName(context.User), cancellationToken);
        }
        catch (TaskStateException e)
        {
            return await RenderTaskAsync(context, id, null, e.Message, StatusCodes.Status409Conflict, db, clock, directories, cancellationToken);
        }
        return Results.Redirect($"/console/tasks/{Url(id)}?message={Url(t["task.remind"])}");
    }

    private static async Task<IResult> ExtendTaskAsync(HttpContext context, string id, WorkflowHostDbContext db, ApplicationClock clock, UnitDirectoryStore directories, ITaskAmendments amendments,
        CancellationToken cancellationToken)
    {
        if (!await db.Tasks.AnyAsync(x => x.Id == id, cancellationToken)) return ScreenLayout.Message(context, "404", id, StatusCodes.Status404NotFound);
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var t = UiLanguage.For(context);
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var (due, reason, error) = ReadAmendment(form, t);
        if (error is not null) return await RenderTaskAsync(context, id, null, error, StatusCodes.Status400BadRequest, db, clock, directories, cancellationToken);
        try
        {
            await amendments.ExtendTaskAsync(id, due, reason, TaskEndpoints.ReviewerName(context.User), cancellationToken);
        }
        catch (TaskStateException e)
        {
            return await RenderTaskAsync(context, id, null, e.Message, StatusCodes.Status409Conflict, db, clock, directories, cancellationToken);
        }
        return Results.Redirect($"/console/tasks/{Url(id)}?message={Url(t["task.extend"] + ": " + PlanTime.Format(due))}");
    }

    private static async Task<IResult> ExtendMilestoneAsync(HttpContext context, string id, string milestone, WorkflowHostDbContext db, ApplicationClock clock, UnitDirectoryStore directories,
        ITaskAmendments amendments, CancellationToken cancellationToken)
    {
        if (!await db.Tasks.AnyAsync(x => x.InstanceId == id && x.Milestone == milestone, cancellationToken)) return ScreenLayout.Message(context, "404", milestone, StatusCodes.Status404NotFound);
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var t = UiLanguage.For(context);
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var back = form["taskId"].ToString();
        if (back.Length == 0 || !await db.Tasks.AnyAsync(x => x.Id == back, cancellationToken))
            back = await db.Tasks.Where(x => x.InstanceId == id && x.Milestone == milestone).OrderBy(x => x.Id).Select(x => x.Id).FirstAsync(cancellationToken);
        var (due, reason, error) = ReadAmendment(form, t);
        if (error is not null) return await RenderTaskAsync(context, back, null, error, StatusCodes.Status400BadRequest, db, clock, directories, cancellationToken);
        var group = form["unitGroup"].ToString().Trim();
        try
        {
            await amendments.ExtendMilestoneAsync(id, milestone, due, group.Length == 0 ? null : group, null, reason, TaskEndpoints.ReviewerName(context.User), cancellationToken);
        }
        catch (TaskStateException e)
        {
            return await RenderTaskAsync(context, back, null, e.Message, StatusCodes.Status409Conflict, db, clock, directories, cancellationToken);
        }
        return Results.Redirect($"/console/tasks/{Url(back)}?message={Url(t["task.extendAll"] + ": " + PlanTime.Format(due))}");
    }

    // The extension forms' fields: a new due date (yyyy-MM-dd or dd/MM/yyyy) and a reason; the error names the field.
    private static (DateOnly Due, string Reason, string? Error) ReadAmendment(IFormCollection form, UiText t)
    {
        var reason = form["reason"].ToString().Trim();
        if (SubmissionForm.ParseDate(form["dueDate"].ToString()) is not { } due) return (default, reason, "dueDate: " + t["err.date"]);
        if (reason.Length is 0 or > 500) return (due, reason, "reason: " + t["err.required"]);
        return (due, reason, null);
    }

    private static async Task<IResult> PlansAsync(HttpContext context, string? error, WorkflowHostDbContext db, ApplicationClock clock, UnitDirectoryStore directories, CancellationToken cancellationToken) =>
        await RenderPlansAsync(context, error, StatusCodes.Status200OK, db, clock, directories, cancellationToken);

    private static async Task<IResult> RenderPlansAsync(HttpContext context, string? error, int status, WorkflowHostDbContext db, ApplicationClock clock, UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var t = UiLanguage.For(context);
        var now = clock.GetUtcNow();
        var definitions = await db.Definitions.AsNoTracking().Where(d => d.IsPublished).OrderBy(d => d.DefinitionId).Select(d => new { d.DefinitionId, d.Name, d.Version }).ToListAsync(cancellationToken);
        var names = await directories.NamesAsync(cancellationToken);
        var html = new StringBuilder();
        if (error is not null) html.Append(CultureInfo.InvariantCulture, $"""<p class="error" role="alert" id="error">{E(error)}</p>""");
        var groupsNote = new StringBuilder();
        foreach (var name in names)
        {
            var directory = await directories.FindAsync(name, cancellationToken);
            groupsNote.Append(CultureInfo.InvariantCulture, $"<li><strong>{E(name)}</strong>: {E(string.Join(", ", (directory?.Groups ?? []).Select(g => $"{g.Name} ({g.Code})")))} ({directory?.Units.Count(u => u.Active) ?? 0} {E(t["col.unit"].ToLowerInvariant())})</li>");
        }
        html.Append(CultureInfo.InvariantCulture, $"""
            <form method="post" action="/console/plans" id="start-form"><fieldset><legend>{E(t["plans.start"])}</legend>{ScreenLayout.Antiforgery(context)}
            <label for="definitionId">{E(t["col.definition"])}</label><select id="definitionId" name="definitionId" required>
            {string.Concat(definitions.Select(d => $"""<option value="{E(d.DefinitionId)}">{E(d.Name ?? d.DefinitionId)} (v{d.Version})</option>"""))}</select>
            <label for="directory">{E(t["col.directory"])}</label><select id="directory" name="directory" required>{string.Concat(names.Select(n => $"""<option value="{E(n)}">{E(n)}</option>"""))}</select>
            <p class="muted">{E(t["plans.groups"])}: {E(t["plans.groupsNote"])}</p><ul class="muted">{groupsNote}</ul>
            <label for="unitGroups">{E(t["plans.unitGroups"])}</label><input type="text" id="unitGroups" name="unitGroups" placeholder="KHOI-QLNN, CUM-XA-TT">
            <label for="unitCodes">{E(t["plans.unitCodes"])}</label><input type="text" id="unitCodes" name="unitCodes" placeholder="PNV, XA-TA-MA">
            <label for="instanceId">{E(t["plans.instanceId"])}</label><input type="text" id="instanceId" name="instanceId" maxlength="64" pattern="[A-Za-z0-9_\-]+">
            <label for="dateShiftDays">{E(t["plans.startDate"])}</label><input type="text" id="dateShiftDays" name="dateShiftDays" inputmode="numeric" placeholder="0">
            <button type="submit" id="start">{E(t["plans.start"])}</button></fieldset></form>
            """);
        var instances = await db.Instances.AsNoTracking().OrderByDescending(i => i.CreatedAt).Take(200).ToListAsync(cancellationToken);
        var counts = await db.Tasks.AsNoTracking().GroupBy(x => x.InstanceId)
            .Select(g => new { g.Key, Total = g.Count(), Done = g.Count(x => x.Status == UnitTaskStatus.Done || x.Status == UnitTaskStatus.DoneLate), Overdue = g.Count(x => x.DueAt <= now && x.Status != UnitTaskStatus.Done && x.Status != UnitTaskStatus.DoneLate && x.Status != UnitTaskStatus.Cancelled) })
            .ToDictionaryAsync(x => x.Key, cancellationToken);
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{E(t["plans.title"])}</h2>""");
        if (instances.Count == 0) html.Append(CultureInfo.InvariantCulture, $"<p>{E(t["plans.none"])}</p>");
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"""<div class="scroll"><table id="instances"><thead><tr><th>{E(t["col.instance"])}</th><th>{E(t["col.definition"])}</th><th>{E(t["col.directory"])}</th><th>{E(t["col.created"])}</th><th class="num">{E(t["col.total"])}</th><th class="num">{E(t["status.green"])} / {E(t["status.orange"])}</th><th class="num">{E(t["status.red"])}</th></tr></thead><tbody>""");
            foreach (var i in instances)
            {
                var c = counts.GetValueOrDefault(i.Id);
                html.Append(CultureInfo.InvariantCulture, $"""<tr><td><a href="/console/instances/{E(Url(i.Id))}">{E(i.Id)}</a></td><td>{E(i.DefinitionId)} v{i.DefinitionVersion}</td><td>{E(i.Directory)}</td><td>{PlanTime.Format(i.CreatedAt)}</td><td class="num">{c?.Total ?? 0}</td><td class="num">{c?.Done ?? 0}</td><td class="num">{c?.Overdue ?? 0}</td></tr>""");
            }
            html.Append("</tbody></table></div>");
        }
        return ScreenLayout.Render(context, t["plans.title"], html.ToString(), "nav.plans", status);
    }

    private static async Task<IResult> StartPlanAsync(HttpContext context, WorkflowHostDbContext db, ApplicationClock clock, UnitDirectoryStore directories, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var definitionId = form["definitionId"].ToString().Trim();
        var directory = form["directory"].ToString().Trim();
        var instanceId = form["instanceId"].ToString().Trim();
        var shiftText = form["dateShiftDays"].ToString().Trim();
        string? error = null;
        var shift = 0;
        if (definitionId.Length == 0) error = "definitionId: required";
        else if (directory.Length == 0) error = "directory: required";
        else if (instanceId.Length > 0 && !IdPattern().IsMatch(instanceId)) error = "instanceId: A–Z, a–z, 0–9, '-', '_' (≤ 64)";
        else if (instanceId.Length > 0 && await db.Instances.AnyAsync(i => i.Id == instanceId, cancellationToken)) error = $"instanceId: '{instanceId}' exists";
        else if (shiftText.Length > 0 && (!int.TryParse(shiftText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out shift) || shift is < -36_500 or > 36_500)) error = "dateShiftDays: −36500…36500";
        if (error is not null) return await RenderPlansAsync(context, error, StatusCodes.Status400BadRequest, db, clock, directories, cancellationToken);
        try
        {
            static string[] List(string text) => text.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var instance = await runtime.StartAsync(new StartWorkflowRequest
            {
                DefinitionId = definitionId,
                Directory = directory,
                InstanceId = instanceId.Length == 0 ? null : instanceId,
                DateShiftDays = shift,
                UnitGroups = List(form["unitGroups"].ToString()),
                UnitCodes = List(form["unitCodes"].ToString()),
            }, cancellationToken);
            return Results.Redirect("/console/instances/" + Url(instance.Id));
        }
        catch (InvalidUnitScopeException e)
        {
            return await RenderPlansAsync(context, string.Join("; ", e.Problems), StatusCodes.Status400BadRequest, db, clock, directories, cancellationToken);
        }
        catch (KeyNotFoundException e)
        {
            return await RenderPlansAsync(context, e.Message, StatusCodes.Status400BadRequest, db, clock, directories, cancellationToken);
        }
    }

    private static async Task<IResult> InstanceAsync(HttpContext context, string id, WorkflowHostDbContext db, ApplicationClock clock, UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var t = UiLanguage.For(context);
        var instance = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (instance is null) return ScreenLayout.Message(context, t["page.notFound"], id, StatusCodes.Status404NotFound, "/console/plans", t["plans.title"]);
        var now = clock.GetUtcNow();
        var directory = await directories.FindAsync(instance.Directory, cancellationToken);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""<p>{E(instance.DefinitionId)} v{instance.DefinitionVersion} · {E(instance.Directory)} · {E(instance.Status.ToString())}{(instance.Incident is { } inc ? " · " + E(inc) : "")}</p>""");
        var tasks = await db.Tasks.AsNoTracking().Where(x => x.InstanceId == id).ToListAsync(cancellationToken);
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{E(t["plans.tasks"])} ({tasks.Count})</h2><div class="scroll"><table id="tasks"><thead><tr><th>{E(t["col.due"])}</th><th>{E(t["col.milestone"])}</th><th>{E(t["col.unit"])}</th><th>{E(t["col.status"])}</th></tr></thead><tbody>""");
        foreach (var task in tasks.OrderBy(x => x.DueAt).ThenBy(x => x.Milestone, StringComparer.Ordinal).ThenBy(x => x.UnitCode, StringComparer.Ordinal).Take(2000))
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{PlanTime.Format(task.DueDate)}</td><td>{E(task.Milestone)}</td><td><a href="/console/tasks/{E(Url(task.Id))}">{E(PortalEndpoints.UnitName(directory, task.UnitCode))}</a></td><td>{Badge(task, now, t)} {E(t["task." + task.Status])}</td></tr>""");
        html.Append("</tbody></table></div>");
        var journal = await db.Journal.AsNoTracking().Where(j => j.InstanceId == id).OrderByDescending(j => j.Sequence).Take(500).ToListAsync(cancellationToken);
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{E(t["task.journal"])}</h2><div class="scroll"><table id="journal"><thead><tr><th>#</th><th>{E(t["col.time"])}</th><th>{E(t["col.event"])}</th><th>{E(t["col.actor"])}</th><th>{E(t["col.unit"])}</th><th>{E(t["col.detail"])}</th></tr></thead><tbody>""");
        foreach (var j in journal)
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{j.Sequence}</td><td>{E(PlanTime.Format(j.At))}</td><td>{E(j.Event)}</td><td>{E(j.Actor)}</td><td>{E(j.UnitCode)}</td><td>{E(j.Milestone)} {E(j.Detail)}</td></tr>""");
        html.Append("</tbody></table></div>");
        var mails = await db.OutboxMessages.AsNoTracking().Where(m => m.InstanceId == id).OrderByDescending(m => m.Id).Take(500)
            .Select(m => new { m.Id, m.To, m.Subject, m.Kind, m.Status, m.Attempts, m.CreatedAt, m.SentAt, m.LastError }).ToListAsync(cancellationToken);
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{E(t["plans.emails"])}</h2><div class="scroll"><table id="emails"><thead><tr><th>{E(t["col.time"])}</th><th>{E(t["col.to"])}</th><th>{E(t["col.subject"])}</th><th>{E(t["col.status"])}</th><th class="num">{E(t["col.attempts"])}</th></tr></thead><tbody>""");
        foreach (var m in mails)
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{E(PlanTime.Format(m.CreatedAt))}</td><td>{E(m.To)}</td><td>{E(m.Subject)}</td><td>{E(m.Status.ToString())}{(m.LastError is { } le ? "<br><span class=\"muted\">" + E(le) + "</span>" : "")}</td><td class="num">{m.Attempts}</td></tr>""");
        html.Append("</tbody></table></div>");
        return ScreenLayout.Render(context, instance.Id, html.ToString(), "nav.plans");
    }

    /// <summary>Most emails one <c>/console/emails</c> page lists.</summary>
    private const int EmailsPageSize = 500;

    private static async Task<IResult> EmailsAsync(HttpContext context, string? status, WorkflowHostDbContext db, CancellationToken cancellationToken)
    {
        var t = UiLanguage.For(context);
        if (!Enum.TryParse<OutboxStatus>(status ?? nameof(OutboxStatus.Failed), ignoreCase: true, out var wanted) || int.TryParse(status, CultureInfo.InvariantCulture, out _))
            return ScreenLayout.Message(context, t["emails.title"], string.Format(CultureInfo.InvariantCulture, t["emails.badStatus"], status, string.Join(", ", Enum.GetNames<OutboxStatus>())),
                StatusCodes.Status400BadRequest, "/console/emails", t["emails.title"]);
        var total = await db.OutboxMessages.AsNoTracking().CountAsync(m => m.Status == wanted, cancellationToken);
        var mails = await db.OutboxMessages.AsNoTracking().Where(m => m.Status == wanted).OrderByDescending(m => m.Id).Take(EmailsPageSize)
            .Select(m => new { m.InstanceId, m.To, m.Subject, m.Kind, m.Attempts, m.CreatedAt, m.NextAttemptAt, m.SentAt, m.LastError }).ToListAsync(cancellationToken);
        var html = new StringBuilder();
        html.Append("<p>");
        foreach (var s in Enum.GetValues<OutboxStatus>())
            html.Append(CultureInfo.InvariantCulture, $"""<a href="/console/emails?status={s}"{(s == wanted ? " class=\"active\" aria-current=\"page\"" : "")}>{E(s.ToString())}</a> """);
        html.Append(CultureInfo.InvariantCulture, $"""</p><p id="emails-count">{E(string.Format(CultureInfo.InvariantCulture, t["emails.count"], total, wanted, Math.Min(total, EmailsPageSize)))}</p>""");
        html.Append(CultureInfo.InvariantCulture, $"""<div class="scroll"><table id="emails"><thead><tr><th>{E(t["col.time"])}</th><th>{E(t["col.instance"])}</th><th>{E(t["col.to"])}</th><th>{E(t["col.subject"])}</th><th class="num">{E(t["col.attempts"])}</th><th>{E(t["emails.lastAttempt"])}</th><th>{E(t["emails.lastError"])}</th></tr></thead><tbody>""");
        foreach (var m in mails)
        {
            var plan = m.InstanceId is { } id ? $"""<a href="/console/instances/{E(Url(id))}">{E(id)}</a>""" : "";
            // Sent: SentAt. Failed: NextAttemptAt holds the time of its last attempt. Queued/Retrying: NextAttemptAt is the next one.
            var when = wanted switch
            {
                OutboxStatus.Sent => m.SentAt is { } sentAt ? E(PlanTime.Format(sentAt)) : "",
                OutboxStatus.Failed => E(PlanTime.Format(m.NextAttemptAt)),
                _ => E(t["emails.next"]) + " " + E(PlanTime.Format(m.NextAttemptAt)),
            };
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{E(PlanTime.Format(m.CreatedAt))}</td><td>{plan}</td><td>{E(m.To)}</td><td>{E(m.Subject)}</td><td class="num">{m.Attempts}</td><td>{when}</td><td class="muted">{E(m.LastError)}</td></tr>""");
        }

        html.Append("</tbody></table></div>");
        return ScreenLayout.Render(context, t["emails.title"], html.ToString(), "nav.emails");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();
}
