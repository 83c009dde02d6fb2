using System.Globalization;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Activities.Domain;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Expressions;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// Amending a running plan (issue 5, point 5): changing due dates, sending a reminder now, adding a
/// unit, and moving an instance to a newer version of its workflow. Every change is a step of its
/// own, committed in one transaction, and never re-runs a completed step or re-sends an email.
/// </summary>
public sealed partial class WorkflowRuntime
{
    /// <summary>
    /// Moves the due date of open tasks to <paramref name="dueDate"/> (one unit's task, or every task of
    /// a milestone or a group: the caller selects the ids). Reminders and escalations re-plan from the
    /// new date: rungs whose new time has passed are skipped, later rungs fire under new email keys, and
    /// the unit gets one email about the change. Closed tasks are left alone. Returns how many changed.
    /// </summary>
    /// <param name="taskIds">Task ids.</param>
    /// <param name="dueDate">New local due date (Asia/Ho_Chi_Minh), today or later.</param>
    /// <param name="reason">Why, shown in the email and journal; optional.</param>
    /// <param name="actor">Who, e.g. "secretariat:thuky".</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="TaskStateException">The date is in the past.</exception>
    public async Task<int> AmendDueDateAsync(IReadOnlyCollection<string> taskIds, DateOnly dueDate, string? reason, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        if (dueDate < PlanTime.LocalDate(time.GetUtcNow()))
            throw new TaskStateException($"Hạn mới {PlanTime.Format(dueDate)} đã qua (the new due date is in the past).");
        var payload = new JsonObject
        {
            ["action"] = "amend",
            ["dueDate"] = dueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["reason"] = reason,
            ["actor"] = actor,
        };
        var open = await OpenTaskIdsAsync(taskIds, t => t.DueDate != dueDate, cancellationToken).ConfigureAwait(false);
        return await ResumeEventsAsync([.. open.Select(id => (UnitTaskActivity.EventKey(id), (JsonNode?)payload.DeepClone()))], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the unit a reminder now (an overdue notice when the due date has passed).</summary>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    /// <exception cref="TaskStateException">The task is closed.</exception>
    public Task RemindAsync(string taskId, string actor, CancellationToken cancellationToken) =>
        ResumeTaskAsync(taskId, new JsonObject { ["action"] = "remind", ["actor"] = actor }, cancellationToken);

    /// <summary>
    /// A unit was added to the directory of a running plan: every running ForEachUnit of the instance
    /// whose selection includes it starts its branch (once); an instance started for some groups or units
    /// now also addresses it. ForEachUnits not reached yet pick it up when they run. Returns how many
    /// ForEachUnits were told.
    /// </summary>
    public async Task<int> AddUnitAsync(string instanceId, string unitCode, string actor, CancellationToken cancellationToken)
    {
        var told = 0;
        await RunStepAsync(instanceId, async (session, burst) =>
        {
            // An instance started for some groups or units now also addresses this unit.
            var scope = UnitScope.Parse(burst.Instance.UnitScope);
            var widened = !scope.IsAll && !scope.Codes.Contains(unitCode, StringComparer.OrdinalIgnoreCase);
            if (widened) burst.Instance.UnitScope = (scope with { Codes = [.. scope.Codes, unitCode] }).Format();
            var bookmarks = await session.FindEventBookmarksAsync(ForEachUnitActivity.UnitsEventKey(instanceId), cancellationToken).ConfigureAwait(false);
            foreach (var bookmark in bookmarks) burst.Resume(bookmark, new JsonObject { ["unitCode"] = unitCode, ["actor"] = actor });
            told = bookmarks.Count;
            return told + (widened ? 1 : 0); // 0: nothing to commit
        }, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return told;
    }

    /// <summary>
    /// What moving <paramref name="instanceId"/> to version <paramref name="toVersion"/> would change
    /// (a dry run; nothing is written): open tasks whose due date differs in the new version, and
    /// blockers (a running flowchart or a waiting activity that the new version no longer has).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such instance or version.</exception>
    public async Task<MigrationPlan> PlanMigrationAsync(string instanceId, int toVersion, CancellationToken cancellationToken)
    {
        await using var session = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        return await PlanMigrationAsync(session, instanceId, toVersion, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves an instance to another version of its workflow in one step: the instance runs the new
    /// version from now on (activities not reached yet run as the new version has them), open tasks
    /// take the new version's due dates (as <see cref="AmendDueDateAsync"/>), and completed tasks and
    /// steps are not touched. Refused when the plan has blockers.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such instance or version.</exception>
    /// <exception cref="TaskStateException">The plan has blockers; the message lists them.</exception>
    public async Task<MigrationPlan> MigrateAsync(string instanceId, int toVersion, string actor, CancellationToken cancellationToken)
    {
        MigrationPlan? plan = null;
        await RunStepAsync(instanceId, async (session, burst) =>
        {
            plan = await PlanMigrationAsync(session, instanceId, toVersion, cancellationToken).ConfigureAwait(false);
            if (plan.Blockers.Count > 0)
                throw new TaskStateException("Không thể chuyển phiên bản (cannot migrate): " + string.Join("; ", plan.Blockers));
            var instance = burst.Instance;
            burst.Journal(new Journal.JournalEntry
            {
                InstanceId = instance.Id,
                Event = "VersionChanged",
                ActivityType = ActivityNode.FlowchartTypeName,
                Actor = actor,
                Detail = $"v{instance.DefinitionVersion} → v{toVersion}: {plan.Changes.Count} hạn thay đổi",
            });
            instance.DefinitionVersion = toVersion;
            foreach (var change in plan.Changes)
                foreach (var bookmark in await session.FindEventBookmarksAsync(UnitTaskActivity.EventKey(change.TaskId), cancellationToken).ConfigureAwait(false))
                    burst.Resume(bookmark, new JsonObject
                    {
                        ["action"] = "amend",
                        ["dueDate"] = change.NewDueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        ["reason"] = $"phiên bản {toVersion} của kế hoạch",
                        ["actor"] = actor,
                    });
            // A step with no resumed bookmark still commits: the version change itself is the step.
            return 1;
        }, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return plan!;
    }

    private async Task<MigrationPlan> PlanMigrationAsync(IWorkflowSession session, string instanceId, int toVersion, CancellationToken cancellationToken)
    {
        var instance = await session.FindInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Instance '{instanceId}' does not exist.");
        var target = await GetBlueprintAsync(instance.DefinitionId, toVersion, cancellationToken).ConfigureAwait(false);
        var blockers = new List<string>();
        foreach (var scope in await session.FindRunningScopesAsync(instanceId, cancellationToken).ConfigureAwait(false))
        {
            if (!target.Views.TryGetValue(scope.BodyNodeId, out var view))
            {
                blockers.Add($"nhánh \"{scope.Id}\" chạy \"{scope.BodyNodeId}\", phiên bản {toVersion} không còn (flowchart removed)");
                continue;
            }
            var state = System.Text.Json.JsonSerializer.Deserialize(scope.StateJson, ScopeStateJsonContext.Default.ScopeState) ?? new ScopeState();
            foreach (var waiting in state.Waiting.Where(a => !view.Activities.ContainsKey(a)).Order(StringComparer.Ordinal))
                blockers.Add($"hoạt động \"{waiting}\" đang chờ trong \"{scope.Id}\", phiên bản {toVersion} không còn (waiting activity removed)");
        }
        var today = PlanTime.LocalDate(time.GetUtcNow());
        var evaluator = new ExpressionEvaluator(name => (System.Text.Json.Nodes.JsonNode.Parse(instance.VariablesJson) as JsonObject)?[name], instance.DateShiftDays);
        var changes = new List<DueDateChange>();
        var skipped = new List<string>();
        foreach (var task in await session.FindOpenTasksAsync(instanceId, cancellationToken).ConfigureAwait(false))
        {
            var scope = await session.FindScopeAsync(instanceId, task.ScopeId, cancellationToken).ConfigureAwait(false);
            if (scope is null || !target.Views.TryGetValue(scope.BodyNodeId, out var view) || !view.Activities.TryGetValue(task.ActivityId, out var activity)) continue;
            DateOnly? due = activity switch
            {
                UnitTaskActivity unitTask when unitTask.DueDate.Expression is { } e => evaluator.Evaluate<DateOnly>(e),
                RecurringUnitTaskActivity recurring => RecurringDueDate(recurring, evaluator, task),
                _ => null,
            };
            if (due is not { } newDue || newDue == task.DueDate) continue;
            if (newDue < today)
            {
                skipped.Add($"{task.Id}: hạn mới {PlanTime.Format(newDue)} đã qua, giữ {PlanTime.Format(task.DueDate)}");
                continue;
            }
            changes.Add(new DueDateChange(task.Id, task.UnitCode, task.Milestone, task.DueDate, newDue));
        }
        return new MigrationPlan(instanceId, instance.DefinitionVersion, toVersion, changes, blockers, skipped);
    }

    private static DateOnly? RecurringDueDate(RecurringUnitTaskActivity activity, ExpressionEvaluator evaluator, UnitTaskRecord task)
    {
        if (activity.Recurrence.Expression is null || activity.From.Expression is null || activity.To.Expression is null) return null;
        var periods = activity.PeriodsFor(evaluator);
        var period = periods.FirstOrDefault(p => task.Id.EndsWith("." + p.Key, StringComparison.Ordinal));
        var offset = activity.DueOffsetDays.Expression is { } o ? evaluator.Evaluate<int>(o) : 0;
        return period?.End.AddDays(offset);
    }

    private async Task<IReadOnlyList<string>> OpenTaskIdsAsync(IReadOnlyCollection<string> taskIds, Func<UnitTaskRecord, bool> filter, CancellationToken cancellationToken)
    {
        await using var session = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<string>();
        foreach (var id in taskIds.Distinct(StringComparer.Ordinal))
            if (await session.FindTaskAsync(id, cancellationToken).ConfigureAwait(false) is { IsClosed: false } task && filter(task)) result.Add(id);
        return result;
    }
}

/// <summary>What moving an instance to another version changes.</summary>
/// <param name="InstanceId">Instance.</param>
/// <param name="FromVersion">Current version.</param>
/// <param name="ToVersion">Target version.</param>
/// <param name="Changes">Open tasks whose due date changes.</param>
/// <param name="Blockers">Why the move is refused (empty = allowed).</param>
/// <param name="Skipped">Changes not applied (new date already past), with the reason.</param>
public sealed record MigrationPlan(string InstanceId, int FromVersion, int ToVersion, IReadOnlyList<DueDateChange> Changes, IReadOnlyList<string> Blockers, IReadOnlyList<string> Skipped);

/// <summary>One open task's due date change (local dates).</summary>
public sealed record DueDateChange(string TaskId, string UnitCode, string Milestone, DateOnly OldDueDate, DateOnly NewDueDate);
