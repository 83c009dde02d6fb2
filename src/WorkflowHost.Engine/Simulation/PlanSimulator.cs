using System.Text.Json.Nodes;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Simulation;

/// <summary>
/// Runs a plan from its start to its end on a virtual clock, on the same runtime and store as the
/// live server: it jumps the clock to the next due timer or scenario action, resumes due timers,
/// and plays the scenario's submissions and reviews through the same API calls the portal makes
/// (batched per instant into one step). Deterministic: same inputs, same journal. Submissions and
/// reviews fall on working days of the runtime's calendar unless <see cref="Scenario.WorkingDaysOnly"/> is false.
/// </summary>
public sealed class PlanSimulator(WorkflowRuntime runtime, VirtualTimeProvider clock, IWorkflowStore store)
{
    /// <summary>Submissions happen at 09:00 local, reviews at 10:00 local.</summary>
    public static readonly TimeOnly SubmitTime = new(9, 0), ReviewTime = new(10, 0);

    /// <summary>Simulates <paramref name="request"/> with <paramref name="scenario"/> until nothing is left to happen or <paramref name="until"/> (UTC).</summary>
    public Task<SimulationResult> RunAsync(StartWorkflowRequest request, Scenario scenario, DateTimeOffset until, CancellationToken cancellationToken) =>
        RunAsync(request, scenario, until, new SimulationOutput(), cancellationToken);

    /// <summary>
    /// Simulates <paramref name="request"/> with <paramref name="scenario"/> until nothing is left to happen or <paramref name="until"/> (UTC);
    /// <paramref name="output"/> says what the result keeps and where each committed step's journal entries go.
    /// </summary>
    public async Task<SimulationResult> RunAsync(StartWorkflowRequest request, Scenario scenario, DateTimeOffset until, SimulationOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(output);
        var calendar = scenario.WorkingDaysOnly ? runtime.Options.Calendar : null;
        var journal = new List<JournalEntry>();
        var actions = new PriorityQueue<PlannedAction, (DateTimeOffset, long)>();
        long sequence = 0;
        var steps = 0;
        long events = 0;
        var newTasks = new List<string>();
        var allTasks = new List<string>();
        void OnStep(IReadOnlyList<JournalEntry> entries)
        {
            steps++;
            events += entries.Count;
            // Streamed: a large plan's journal (half a million entries at 10,000 units) is not kept
            // unless asked for; the listener sees each step's entries once, in order, after its commit.
            if (output.KeepJournal) journal.AddRange(entries);
            output.OnStep?.Invoke(entries);
            foreach (var e in entries)
                if (e.Event == "TaskCreated")
                {
                    newTasks.Add(e.TaskId!);
                    allTasks.Add(e.TaskId!);
                }
        }
        runtime.StepCommitted += OnStep;
        try
        {
            var start = clock.GetUtcNow();
            var instance = await runtime.StartAsync(request, cancellationToken).ConfigureAwait(false);
            var last = start;
            while (true)
            {
                await PlanNewTasksAsync().ConfigureAwait(false);
                var nextTimer = await runtime.FindNextTimerDueAsync(cancellationToken).ConfigureAwait(false);
                DateTimeOffset? nextAction = actions.TryPeek(out _, out var key) ? key.Item1 : null;
                var next = Min(nextTimer, nextAction);
                if (next is null || next > until) break;
                if (next > clock.GetUtcNow()) clock.SetUtcNow(next.Value);
                last = clock.GetUtcNow();
                if (nextTimer <= last) await runtime.ResumeDueTimersAsync(cancellationToken).ConfigureAwait(false);
                var batch = new List<PlannedAction>();
                while (actions.TryPeek(out var action, out var at) && at.Item1 <= clock.GetUtcNow())
                {
                    actions.Dequeue();
                    batch.Add(action);
                }
                if (batch.Count > 0) await PlayAsync(batch).ConfigureAwait(false);
            }
            var tasks = output.ReadTasks ? await ReadTasksAsync(allTasks).ConfigureAwait(false) : [];
            return new SimulationResult(instance.Id, journal, tasks, start, last, steps) { Events = events, TaskCount = allTasks.Count };
        }
        finally
        {
            runtime.StepCommitted -= OnStep;
        }

        async Task PlanNewTasksAsync()
        {
            if (newTasks.Count == 0) return;
            var created = await ReadSummariesAsync(newTasks).ConfigureAwait(false);
            newTasks.Clear();
            foreach (var task in created)
            {
                var rule = scenario.RuleFor(task.Milestone, task.UnitCode);
                if (rule.Never) continue;
                var day = rule.DaysAfterDue is { } after ? task.DueDate.AddDays(after) : task.DueDate.AddDays(-(rule.DaysBeforeDue ?? 2));
                var at = PlanTime.AtLocal(SubmitDay(calendar, day, task.DueDate, PlanTime.LocalDate(task.CreatedAt)), SubmitTime);
                if (at <= task.CreatedAt) at = task.CreatedAt.AddHours(1);
                Schedule(new PlannedAction(task.Id, task.UnitCode, "submit", rule), at);
            }
        }

        void Schedule(PlannedAction action, DateTimeOffset at) => actions.Enqueue(action, (at, sequence++));

        async Task PlayAsync(List<PlannedAction> batch)
        {
            var events = new List<(string, JsonNode?)>();
            var today = PlanTime.LocalDate(clock.GetUtcNow());
            var current = (await store.ReadTaskSummariesAsync([.. batch.Select(a => a.TaskId)], cancellationToken).ConfigureAwait(false)).ToDictionary(t => t.Id, StringComparer.Ordinal);
            foreach (var action in batch)
            {
                // A task cancelled (its flowchart ended) or already closed takes no more actions.
                if (!current.TryGetValue(action.TaskId, out var task) || task.IsClosed) continue;
                JsonObject payload;
                if (action.Kind == "submit")
                {
                    payload = new JsonObject { ["action"] = "submit", ["content"] = scenario.ContentFor(task.Milestone, action.UnitCode), ["actor"] = "unit:" + action.UnitCode };
                    var reviewAt = PlanTime.AtLocal(calendar?.NextWorkingDayOnOrAfter(today.AddDays(scenario.ReviewAfterDays)) ?? today.AddDays(scenario.ReviewAfterDays), ReviewTime);
                    Schedule(action with { Kind = action.Rule.ReturnOnce && !action.Returned ? "return" : "accept" }, reviewAt);
                }
                else if (action.Kind == "return")
                {
                    payload = new JsonObject { ["action"] = "return", ["comment"] = action.Rule.Comment ?? "Đề nghị bổ sung hồ sơ.", ["actor"] = "secretariat" };
                    Schedule(action with { Kind = "submit", Returned = true }, PlanTime.AtLocal(SubmitDay(calendar, today.AddDays(scenario.ResubmitAfterDays), task.DueDate, today.AddDays(1)), SubmitTime));
                }
                else
                {
                    payload = new JsonObject { ["action"] = "accept", ["actor"] = "secretariat" };
                }
                events.Add((Activities.Domain.UnitTaskActivity.EventKey(action.TaskId), payload));
            }
            await runtime.ResumeEventsAsync(events, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Summaries of <paramref name="ids"/> in that order (those that exist).</summary>
    private async Task<IReadOnlyList<UnitTaskSummary>> ReadSummariesAsync(List<string> ids)
    {
        var byId = (await store.ReadTaskSummariesAsync(ids, CancellationToken.None).ConfigureAwait(false)).ToDictionary(t => t.Id, StringComparer.Ordinal);
        return [.. ids.Where(byId.ContainsKey).Select(id => byId[id])];
    }

    private async Task<IReadOnlyList<UnitTaskRecord>> ReadTasksAsync(IEnumerable<string> ids)
    {
        await using var session = await store.OpenSessionAsync(CancellationToken.None).ConfigureAwait(false);
        var list = ids.ToList();
        var byId = (await session.FindTasksAsync(list, CancellationToken.None).ConfigureAwait(false)).ToDictionary(t => t.Id, StringComparer.Ordinal);
        return [.. list.Where(byId.ContainsKey).Select(id => byId[id])];
    }

    /// <summary>
    /// The working day a unit submits on, for a planned local <paramref name="day"/>: the day itself when it
    /// works (or there is no calendar), else the next working day — unless the planned day is on time and
    /// the next working day is past <paramref name="dueDate"/>: then the last working day before, if not
    /// before <paramref name="earliest"/> (issue 15.3).
    /// </summary>
    private static DateOnly SubmitDay(WorkingDayCalendar? calendar, DateOnly day, DateOnly dueDate, DateOnly earliest)
    {
        if (calendar is null || calendar.IsWorkingDay(day)) return day;
        var next = calendar.NextWorkingDayOnOrAfter(day);
        if (day <= dueDate && next > dueDate && calendar.PreviousWorkingDayOnOrBefore(day) is var previous && previous >= earliest) return previous;
        return next;
    }

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private sealed record PlannedAction(string TaskId, string UnitCode, string Kind, ScenarioRule Rule, bool Returned = false);
}
