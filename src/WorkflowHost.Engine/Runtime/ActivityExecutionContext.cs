using System.Text.Json.Nodes;
using WorkflowHost.Engine.Activities;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// What an activity sees while it runs: the clock, its instance and scope, input evaluation,
/// variables, the unit directory, and the step's unit of work (tasks, bookmarks, outbox, journal).
/// Everything written through it is committed together at the end of the step, or not at all.
/// </summary>
public sealed class ActivityExecutionContext
{
    private readonly WorkflowBurst _burst;

    internal ActivityExecutionContext(WorkflowBurst burst, ExecutionScope scope, ScopeState state, Activity activity, string? incomingFrom)
    {
        _burst = burst;
        Scope = scope;
        State = state;
        Activity = activity;
        IncomingFrom = incomingFrom;
    }

    /// <summary>Now (UTC), from the runtime's TimeProvider (virtual in simulation).</summary>
    public DateTimeOffset Now => _burst.Now;

    /// <summary>The instance.</summary>
    public WorkflowInstance Instance => _burst.Instance;

    /// <summary>The scope the activity runs in.</summary>
    public ExecutionScope Scope { get; }

    /// <summary>The scope's state.</summary>
    public ScopeState State { get; }

    /// <summary>The running activity.</summary>
    public Activity Activity { get; }

    /// <summary>For a join: the activity whose connection reached it.</summary>
    public string? IncomingFrom { get; }

    /// <summary>The flowchart (or body) the scope runs.</summary>
    public FlowchartView Flowchart => _burst.Blueprint.GetView(Scope.BodyNodeId);

    /// <summary>The instance's unit directory.</summary>
    public UnitDirectory Directory => _burst.Directory;

    /// <summary>The unit of this branch (set by ForEachUnit), if any.</summary>
    public string? UnitCode => Scope.UnitCode;

    /// <summary>Engine options.</summary>
    public RuntimeOptions Options => _burst.Options;

    /// <summary>Email renderer.</summary>
    public MailComposer Mail => _burst.Mail;

    /// <summary>Cancellation of the step.</summary>
    public CancellationToken CancellationToken => _burst.CancellationToken;

    /// <summary>Evaluates an input; default when unbound.</summary>
    /// <exception cref="Expressions.ExpressionEvaluationException">The value does not evaluate.</exception>
    public T? Get<T>(Input<T>? input) => input?.Expression is { } e ? _burst.Evaluator.Evaluate<T>(e) : default;

    /// <summary>Evaluates a start date input: a deadline phrase gives the FIRST day of the period it names
    /// (<see cref="Expressions.ExpressionEvaluator.EvaluateStart"/>); default when the input is unbound.</summary>
    public DateOnly GetStart(Input<DateOnly>? input) => input?.Expression is { } e ? _burst.Evaluator.EvaluateStart(e) : default;

    /// <summary>This activity's own state object in this scope (created on first use).</summary>
    public JsonObject Data
    {
        get
        {
            if (!State.Data.TryGetValue(Activity.Id, out var data)) State.Data[Activity.Id] = data = [];
            return data;
        }
    }

    /// <summary>Forgets this activity's state in this scope.</summary>
    public void ClearData() => State.Data.Remove(Activity.Id);

    /// <summary>How many times this activity has started in this scope (1 on the first run).</summary>
    public int RunCount => State.Runs.GetValueOrDefault(Activity.Id);

    /// <summary>Reads a workflow variable.</summary>
    public JsonNode? GetVariable(string name) => _burst.GetVariable(name);

    /// <summary>Writes a workflow variable.</summary>
    public void SetVariable(string name, JsonNode? value) => _burst.SetVariable(name, value);

    /// <summary>Finds a task (tracked: changes are saved with the step).</summary>
    public Task<UnitTaskRecord?> FindTaskAsync(string taskId) => _burst.Session.FindTaskAsync(taskId, CancellationToken);

    /// <summary>A task's submissions, oldest first (tracked).</summary>
    public Task<IReadOnlyList<Submission>> FindSubmissionsAsync(string taskId) => _burst.Session.FindSubmissionsAsync(taskId, CancellationToken);

    /// <summary>This instance's quota records (tracked), of one unit when <paramref name="unitCode"/> is given.</summary>
    public Task<IReadOnlyList<Quotas.QuotaRecord>> FindQuotasAsync(string? unitCode) => _burst.Session.FindQuotasAsync(Instance.Id, unitCode, CancellationToken);

    /// <summary>True when this activity already started a child scope with <paramref name="key"/> in this scope.</summary>
    public Task<bool> HasChildScopeAsync(string key) => _burst.HasChildScopeAsync(Scope, Activity, key);

    /// <summary>Adds a new task or submission to the step.</summary>
    public void Add(object entity) => _burst.Session.Add(entity);

    /// <summary>Writes a journal entry for this activity.</summary>
    public void Journal(string @event, string? detail = null, UnitTaskRecord? task = null, string? actor = null) =>
        _burst.Journal(new JournalEntry
        {
            InstanceId = Instance.Id,
            Event = @event,
            ActivityId = Activity.Id,
            ActivityType = Activity.TypeName,
            UnitCode = task?.UnitCode ?? UnitCode,
            TaskId = task?.Id,
            Milestone = task?.Milestone,
            Actor = actor ?? "system",
            Detail = detail,
        });

    /// <summary>Queues an email in the outbox (same transaction). A key already queued in this step is ignored.</summary>
    public void Enqueue(string idempotencyKey, MailKind kind, string to, ComposedMail mail, UnitTaskRecord? task = null, string? unitCode = null) =>
        _burst.Enqueue(new OutboxMessage
        {
            IdempotencyKey = idempotencyKey,
            InstanceId = Instance.Id,
            TaskId = task?.Id,
            UnitCode = unitCode ?? task?.UnitCode ?? UnitCode,
            Kind = kind,
            To = to,
            Subject = mail.Subject,
            HtmlBody = mail.Html,
            TextBody = mail.Text,
        });

    /// <summary>
    /// The reminder and escalation ladder of a task (<see cref="TaskLadder.Build(DateOnly, IEnumerable{int}, IEnumerable{string}, Func{DateOnly, DateTimeOffset})"/>
    /// with the runtime's notification time and calendar) for its due date (local) and stored <c>ReminderDays</c> / <c>Escalation</c>;
    /// built once per step for all tasks that share them (the 10,000 tasks of one milestone, issue 13). The rungs are immutable.
    /// </summary>
    public IReadOnlyList<LadderRung> Ladder(DateOnly dueDate, string reminderDays, string escalation) => _burst.Ladder(dueDate, reminderDays, escalation);

    /// <summary>Adds a late task to this step's escalation digests.</summary>
    public void AddDigestItem(DigestItem item) => _burst.Digest.Add(item);

    /// <summary>Creates or moves this activity's timer bookmark <paramref name="bookmarkId"/> to <paramref name="dueAt"/> (UTC).</summary>
    public Task SetTimerAsync(string bookmarkId, DateTimeOffset dueAt, string? data = null) =>
        _burst.UpsertBookmarkAsync(Scope, Activity, bookmarkId, BookmarkKind.Timer, dueAt, null, data);

    /// <summary>Creates (or keeps) an event bookmark that <paramref name="eventKey"/> resumes.</summary>
    public Task CreateEventBookmarkAsync(string bookmarkId, string eventKey, string? data = null) =>
        _burst.UpsertBookmarkAsync(Scope, Activity, bookmarkId, BookmarkKind.Event, null, eventKey, data);

    /// <summary>Deletes a bookmark if it exists.</summary>
    public Task RemoveBookmarkAsync(string bookmarkId) => _burst.RemoveBookmarkAsync(bookmarkId);

    /// <summary>Starts a child scope running <paramref name="bodyNodeId"/>; this activity is called back when it completes.</summary>
    /// <param name="bodyNodeId">Node id of the flowchart or activity to run.</param>
    /// <param name="key">Distinguishes sibling scopes (a unit code, a counter).</param>
    /// <param name="unitCode">Unit of the new branch; null inherits this scope's.</param>
    public Task StartChildScopeAsync(string bodyNodeId, string key, string? unitCode) =>
        _burst.StartChildScopeAsync(Scope, Activity, bodyNodeId, key, unitCode ?? Scope.UnitCode);

    /// <summary>Resolves a unit by code in the instance's directory.</summary>
    /// <exception cref="InvalidOperationException">No such unit.</exception>
    public Unit GetUnit(string code) => Directory.Find(code) ?? throw new InvalidOperationException($"Unit '{code}' is not in directory '{Directory.Directory}'.");
}
