using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Features.Console;
using WorkflowHost.Server.Features.Localization;
using WorkflowHost.Server.Features.Pages;
using WorkflowHost.Server.Features.Portal;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Dashboard;

/// <summary>
/// The leaders' dashboard (secretariat and leaders; read-only): overdue tasks first (unit, group, milestone, due date,
/// days late), compliance per milestone and per unit group (on time / late / missing / open, numbers and a bar),
/// quota progress per movement and lead unit, and every task of the view with its status colour. Filter and sort by
/// the query (<see cref="DashboardFilter"/>); <c>/dashboard/export.csv</c> and <c>/dashboard/export.xlsx</c> give the
/// same view as a file; the page prints cleanly.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>
    /// Most rows of each task table on the page, the overdue list and "all tasks" (the exports have all): a page
    /// of 50,000 overdue rows was 18 MB of HTML.
    /// </summary>
    public const int PageRows = 500;

    /// <summary>Maps <c>/dashboard</c>.</summary>
    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dashboard").RequireAuthorization(AuthPolicies.Staff).ExcludeFromDescription();
        group.MapGet("/", PageAsync);
        group.MapGet("/export.csv", async (HttpContext context, DashboardData data, ApplicationClock clock, CancellationToken ct) =>
        {
            var (_, view) = await data.LoadAsync(DashboardFilter.From(context.Request.Query), clock.GetUtcNow(), ct);
            return Results.File(DashboardExport.Csv(view, UiLanguage.For(context)), "text/csv; charset=utf-8", "tong-hop-nhiem-vu.csv");
        });
        group.MapGet("/export.xlsx", async (HttpContext context, DashboardData data, ApplicationClock clock, CancellationToken ct) =>
        {
            var (_, view) = await data.LoadAsync(DashboardFilter.From(context.Request.Query), clock.GetUtcNow(), ct);
            return Results.File(DashboardExport.Xlsx(view, UiLanguage.For(context)), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "tong-hop-nhiem-vu.xlsx");
        });
        return app;
    }

    private static string E(string? text) => HtmlPage.Encode(text);

    private static string Badge(TaskColour colour, UiText t) => $"""<span class="badge status-{colour.ToString().ToLowerInvariant()}">{E(t[TaskColours.Key(colour)])}</span>""";

    private static async Task<IResult> PageAsync(HttpContext context, DashboardData data, WorkflowHostDbContext db, ApplicationClock clock, UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var t = UiLanguage.For(context);
        var now = clock.GetUtcNow();
        var filter = DashboardFilter.From(context.Request.Query);
        var (all, view) = await data.LoadAsync(filter, now, cancellationToken);
        var request = context.Request;
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""<p class="muted">{E(t.Format("dash.now", PlanTime.Format(now)))}</p>""");

        // Filters (GET) and exports.
        string Select(string name, string label, IEnumerable<(string Value, string Text)> options, string? current) =>
            $"""<label>{E(label)}<br><select name="{name}" id="filter-{name}"><option value="">{E(t["dash.any"])}</option>{string.Concat(options.Select(o => $"""<option value="{E(o.Value)}"{(o.Value == current ? " selected" : "")}>{E(o.Text)}</option>"""))}</select></label>""";
        var instances = all.Select(r => r.Task.InstanceId).Distinct().Order(StringComparer.Ordinal).Select(i => (i, i));
        var groups = all.Where(r => r.GroupCode.Length > 0).Select(r => (r.GroupCode, r.GroupName)).Distinct().OrderBy(g => g.GroupName, StringComparer.Ordinal);
        var milestones = all.OrderBy(r => r.Task.DueAt).Select(r => r.Task.Milestone).Distinct().Select(m => (m, m));
        var movements = all.SelectMany(r => r.Movements).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).Select(m => (m, m));
        var statuses = Enum.GetValues<TaskColour>().Select(c => (c.ToString().ToLowerInvariant(), t[TaskColours.Key(c)]));
        var query = request.QueryString.HasValue ? request.QueryString.Value : "";
        html.Append(CultureInfo.InvariantCulture, $"""
            <form method="get" action="/dashboard" class="filters noprint" id="filters">
            {Select("instance", t["col.instance"], instances, filter.Instance)}{Select("group", t["col.group"], groups, filter.Group)}
            {Select("milestone", t["col.milestone"], milestones, filter.Milestone)}{Select("movement", t["col.movement"], movements, filter.Movement)}
            {Select("status", t["col.status"], statuses, filter.Status)}
            <input type="hidden" name="sort" value="{E(filter.Sort)}"><input type="hidden" name="dir" value="{(filter.Descending ? "desc" : "asc")}">
            <button type="submit">{E(t["dash.filter"])}</button>
            </form>
            <p class="noprint"><a class="button secondary" id="export-csv" href="/dashboard/export.csv{E(query)}">{E(t["dash.csv"])}</a>
            <a class="button secondary" id="export-xlsx" href="/dashboard/export.xlsx{E(query)}">{E(t["dash.xlsx"])}</a>
            <button type="button" class="secondary" data-print>{E(t["dash.print"])}</button></p>
            """);

        // Overdue first.
        var overdue = view.Where(r => r.Colour == TaskColour.Red).ToList();
        if (request.Query["sort"].Count == 0) overdue = [.. overdue.OrderByDescending(r => r.DaysLate).ThenBy(r => r.UnitName, StringComparer.Ordinal)];
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{E(t["dash.overdue"])} ({overdue.Count})</h2>""");
        html.Append(overdue.Count == 0 ? $"""<p id="no-overdue">{E(t["dash.noOverdue"])}</p>""" : TaskTable("overdue", overdue.Take(PageRows).ToList(), t, request, filter));
        if (overdue.Count > PageRows) html.Append(CultureInfo.InvariantCulture, $"""<p class="muted" id="overdue-more">… {overdue.Count - PageRows} — {E(t["dash.csv"])} / {E(t["dash.xlsx"])}</p>""");

        // Compliance.
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{E(t["dash.byMilestone"])}</h2>""");
        html.Append(Compliance("by-milestone", view.GroupBy(r => r.Task.Milestone).OrderBy(g => g.Min(r => r.Task.DueAt)).Select(g => (g.Key, g.ToList())), t["col.milestone"], t));
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{E(t["dash.byGroup"])}</h2>""");
        html.Append(Compliance("by-group", view.GroupBy(r => r.GroupName).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key.Length == 0 ? "—" : g.Key, g.ToList())), t["col.group"], t));

        // Submissions short of their task's minimum (issue 15.1), per period (milestone) and unit: accepted ones stay "short".
        var shortRows = view.Where(r => r.Task.IsShort).OrderBy(r => r.Task.DueAt).ThenBy(r => r.UnitName, StringComparer.Ordinal).ToList();
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{E(t["dash.short"])} (<span id="short-count">{shortRows.Count}</span>)</h2>""");
        if (shortRows.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<div class="scroll"><table id="short"><thead><tr><th>{E(t["col.unit"])}</th><th>{E(t["col.milestone"])}</th><th>{E(t["col.due"])}</th><th>{E(t["col.minimum"])}</th><th>{E(t["col.declared"])}</th><th>{E(t["col.shortfall"])}</th><th>{E(t["col.status"])}</th></tr></thead><tbody>""");
            foreach (var r in shortRows.Take(PageRows))
            {
                var cells = DashboardExport.MinimumCells(r, t);
                html.Append(CultureInfo.InvariantCulture, $"""<tr data-task="{E(r.Task.Id)}"><td>{E(r.UnitName)}</td><td>{E(r.Task.Milestone)}</td><td>{PlanTime.Format(r.Task.DueDate)}</td><td>{E(cells[0])}</td><td>{E(cells[1])}</td><td>{E(cells[2])}</td><td>{E(t["task." + r.Task.Status])}</td></tr>""");
            }
            html.Append("</tbody></table></div>");
        }

        // Quotas (filled by the ThiDua.Quota activity; empty until it runs).
        var quotaQuery = db.Quotas.AsNoTracking();
        if (filter.Instance is not null) quotaQuery = quotaQuery.Where(q => q.InstanceId == filter.Instance);
        if (filter.Movement is not null) quotaQuery = quotaQuery.Where(q => q.Movement == filter.Movement);
        var quotas = await quotaQuery.OrderBy(q => q.Movement).ThenBy(q => q.UnitCode).ThenBy(q => q.Period).ToListAsync(cancellationToken);
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{E(t["dash.quotas"])}</h2>""");
        if (quotas.Count == 0) html.Append(CultureInfo.InvariantCulture, $"""<p id="no-quotas">{E(t["dash.noQuotas"])}</p>""");
        else
        {
            var unitNames = all.GroupBy(r => r.Task.UnitCode).ToDictionary(g => g.Key, g => g.First().UnitName);
            html.Append(CultureInfo.InvariantCulture, $"""<div class="scroll"><table id="quotas"><thead><tr><th>{E(t["col.movement"])}</th><th>{E(t["col.unit"])}</th><th>{E(t["col.period"])}</th><th>{E(t["col.minimum"])}</th><th>{E(t["col.counted"])}</th><th></th><th>{E(t["col.status"])}</th></tr></thead><tbody>""");
            foreach (var q in quotas)
            {
                var minimum = SafeCounts(q.Minimum);
                var counted = SafeCounts(q.Counted);
                var percent = minimum.Total == 0 ? 100 : Math.Min(100, (int)Math.Round(100.0 * (minimum.Total - counted.ShortfallAgainst(minimum).Total) / minimum.Total));
                var css = q.Status switch { QuotaStatus.Met => "on-time", QuotaStatus.Shortfall => "missing", _ => "open" };
                html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{E(q.Movement)}</td><td>{E(unitNames.GetValueOrDefault(q.UnitCode, q.UnitCode))}</td><td>{E(q.Period)}</td><td>{E(SubmissionForm.CountsText(minimum, t))}</td><td>{E(SubmissionForm.CountsText(counted, t))}</td><td><div class="bar" title="{percent}%"><span class="{css}" style="width:{percent}%"></span></div></td><td>{E(q.Status.ToString())}</td></tr>""");
            }
            html.Append("</tbody></table></div>");
        }

        // Every task of the view.
        html.Append(CultureInfo.InvariantCulture, $"""<h2>{E(t["dash.all"])} ({view.Count})</h2>""");
        html.Append(TaskTable("all-tasks", view.Take(PageRows).ToList(), t, request, filter));
        if (view.Count > PageRows) html.Append(CultureInfo.InvariantCulture, $"""<p class="muted">… {view.Count - PageRows} — {E(t["dash.csv"])} / {E(t["dash.xlsx"])}</p>""");
        return ScreenLayout.Render(context, t["dash.title"], html.ToString(), "nav.dashboard");
    }

    private static ExemplarCounts SafeCounts(string text)
    {
        try
        {
            return ExemplarCounts.Parse(text);
        }
        catch (FormatException)
        {
            return ExemplarCounts.None;
        }
    }

    private static string TaskTable(string id, IReadOnlyList<DashboardRow> rows, UiText t, HttpRequest request, DashboardFilter filter)
    {
        string Head(string key, string label, bool number = false)
        {
            var desc = filter.Sort == key && !filter.Descending;
            var href = "/dashboard" + ScreenLayout.QueryWith(request, ("sort", key), ("dir", desc ? "desc" : "asc"));
            var arrow = filter.Sort == key ? (filter.Descending ? " ▼" : " ▲") : "";
            return $"""<th{(number ? " class=\"num\"" : "")}><a href="{E(href)}">{E(label)}{arrow}</a></th>""";
        }
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""<div class="scroll"><table id="{id}"><thead><tr>{Head("unit", t["col.unit"])}{Head("group", t["col.group"])}{Head("milestone", t["col.milestone"])}{Head("due", t["col.due"])}{Head("late", t["col.daysLate"], true)}{Head("status", t["col.status"])}</tr></thead><tbody>""");
        foreach (var r in rows)
        {
            var css = "status-" + r.Colour.ToString().ToLowerInvariant();
            var late = r.Colour == TaskColour.Red || r.Task.Status == Engine.Tasks.UnitTaskStatus.DoneLate ? Math.Max(r.DaysLate, 0).ToString(CultureInfo.InvariantCulture) : "";
            if (r.Task.Status == Engine.Tasks.UnitTaskStatus.DoneLate && r.Task.CompletedAt is { } done)
                late = Math.Max(0, PlanTime.LocalDate(r.Task.SubmittedAt ?? done).DayNumber - r.Task.DueDate.DayNumber).ToString(CultureInfo.InvariantCulture);
            html.Append(CultureInfo.InvariantCulture, $"""<tr class="{css}" data-task="{E(r.Task.Id)}" data-colour="{r.Colour.ToString().ToLowerInvariant()}"{(r.Task.IsShort ? " data-short=\"true\"" : "")}><td>{E(r.UnitName)}</td><td>{E(r.GroupName)}</td><td>{E(r.Task.Milestone)}<br><span class="muted">{E(r.Task.Title)}</span></td><td>{PlanTime.Format(r.Task.DueDate)}</td><td class="num">{late}</td><td>{Badge(r.Colour, t)}{(r.Task.IsShort ? $"""<br><span class="muted">{E(DashboardExport.MinimumCells(r, t)[2])}</span>""" : "")}</td></tr>""");
        }
        return html.Append("</tbody></table></div>").ToString();
    }

    private static string Compliance(string id, IEnumerable<(string Key, List<DashboardRow> Rows)> groups, string label, UiText t)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""<div class="scroll"><table id="{id}"><thead><tr><th>{E(label)}</th><th class="num">{E(t["col.onTime"])}</th><th class="num">{E(t["col.late"])}</th><th class="num">{E(t["col.missing"])}</th><th class="num">{E(t["status.blue"])} / {E(t["status.grey"])}</th><th class="num">{E(t["col.total"])}</th><th></th></tr></thead><tbody>""");
        foreach (var (key, rows) in groups)
        {
            int Count(TaskColour c) => rows.Count(r => r.Colour == c);
            var (onTime, late, missing) = (Count(TaskColour.Green), Count(TaskColour.Orange), Count(TaskColour.Red));
            var open = rows.Count - onTime - late - missing;
            string Part(int n, string css) => n == 0 ? "" : $"""<span class="{css}" style="width:{(100.0 * n / rows.Count).ToString("0.##", CultureInfo.InvariantCulture)}%"></span>""";
            html.Append(CultureInfo.InvariantCulture, $"""<tr data-key="{E(key)}"><td>{E(key)}</td><td class="num">{onTime}</td><td class="num">{late}</td><td class="num">{missing}</td><td class="num">{open}</td><td class="num">{rows.Count}</td><td><div class="bar">{Part(onTime, "on-time")}{Part(late, "late")}{Part(missing, "missing")}{Part(open, "open")}</div></td></tr>""");
        }
        return html.Append("</tbody></table></div>").ToString();
    }
}
