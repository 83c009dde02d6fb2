using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Console;
using WorkflowHost.Server.Features.Pages;

namespace WorkflowHost.Server.Features.Dashboard;

/// <summary>Loads the tasks of the dashboard's view with their unit, group, colour and days late, filtered and sorted.</summary>
public sealed class DashboardData(WorkflowHostDbContext db, UnitDirectoryStore directories)
{
    /// <summary>Every row (before the filter) and the filtered, sorted view.</summary>
    public async Task<(IReadOnlyList<DashboardRow> All, IReadOnlyList<DashboardRow> View)> LoadAsync(DashboardFilter filter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var today = PlanTime.LocalDate(now);
        var instances = await db.Instances.AsNoTracking().Select(i => new { i.Id, i.Directory }).ToListAsync(cancellationToken);
        var query = db.Tasks.AsNoTracking();
        if (filter.Instance is not null) query = query.Where(t => t.InstanceId == filter.Instance);
        // Only the columns the page and the exports show (not the description, ladder or comment of each task):
        // the view can hold every task of every plan.
        var tasks = await query.Select(t => new UnitTaskRecord
        {
            Id = t.Id, InstanceId = t.InstanceId, ScopeId = "", ActivityId = "", Milestone = t.Milestone, Kind = t.Kind, Title = t.Title,
            UnitCode = t.UnitCode, DueDate = t.DueDate, DueAt = t.DueAt, Status = t.Status, SubmittedAt = t.SubmittedAt, CompletedAt = t.CompletedAt,
            Minimum = t.Minimum, Counted = t.Counted, Shortfall = t.Shortfall,
        }).ToListAsync(cancellationToken);
        var directoryOf = instances.ToDictionary(i => i.Id, i => i.Directory);
        var rows = new List<DashboardRow>(tasks.Count);
        foreach (var group in tasks.GroupBy(t => directoryOf.GetValueOrDefault(t.InstanceId, "")))
        {
            var directory = group.Key.Length == 0 ? null : await directories.FindAsync(group.Key, cancellationToken);
            var groupNames = directory?.Groups.ToDictionary(g => g.Code, g => g.Name) ?? [];
            foreach (var task in group)
            {
                var unit = directory?.Find(task.UnitCode);
                var code = unit?.Group ?? "";
                rows.Add(new DashboardRow(task, unit?.Name ?? task.UnitCode, code, groupNames.GetValueOrDefault(code, code), TaskColours.Of(task, now),
                    MailComposer.DaysBetween(task.DueDate, today), unit?.LeadOf.Select(l => l.Movement).ToList() ?? []));
            }
        }
        IEnumerable<DashboardRow> view = rows;
        if (filter.Group is not null) view = view.Where(r => r.GroupCode == filter.Group);
        if (filter.Milestone is not null) view = view.Where(r => r.Task.Milestone == filter.Milestone);
        if (filter.Movement is not null) view = view.Where(r => r.Movements.Contains(filter.Movement, StringComparer.OrdinalIgnoreCase));
        if (filter.Status is not null) view = view.Where(r => r.Colour.ToString().Equals(filter.Status, StringComparison.OrdinalIgnoreCase));
        Func<DashboardRow, object> key = filter.Sort switch
        {
            "late" => r => r.DaysLate,
            "unit" => r => r.UnitName,
            "group" => r => r.GroupName,
            "milestone" => r => r.Task.Milestone,
            "status" => r => r.Colour,
            _ => r => r.Task.DueAt,
        };
        var sorted = filter.Descending ? view.OrderByDescending(key) : view.OrderBy(key);
        return (rows, [.. sorted.ThenBy(r => r.Task.DueAt).ThenBy(r => r.UnitName, StringComparer.Ordinal).ThenBy(r => r.Task.Id, StringComparer.Ordinal)]);
    }
}
