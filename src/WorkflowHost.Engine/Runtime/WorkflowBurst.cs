using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Activities;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Expressions;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// One step of one instance: a trigger (start, due timers, events) and every activity it leads to,
/// run until every branch waits, then committed in one transaction. Flowchart semantics: an activity
/// runs when a connection from a completed activity's outcome port reaches it; a scope completes
/// when nothing in it is queued or waiting, and then notifies the container that started it.
/// </summary>
internal sealed class WorkflowBurst
{
    private readonly Queue<WorkItem> _queue = new();
    private readonly Dictionary<string, int> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoadedScope> _scopes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outboxKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _newScopes = new(StringComparer.Ordinal);
    private readonly Dictionary<(DateOnly Due, string Reminders, string Escalation), IReadOnlyList<LadderRung>> _ladders = [];
    private readonly Dictionary<(string Parent, string Owner), HashSet<string>> _storedChildren = [];
    private readonly List<JournalEntry> _journal = [];
    private JsonObject? _variables;
    private bool _variablesDirty;

    public WorkflowBurst(IWorkflowSession session, WorkflowInstance instance, WorkflowBlueprint blueprint, UnitDirectory directory,
        RuntimeOptions options, MailComposer mail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Session = session;
        Instance = instance;
        Blueprint = blueprint;
        Directory = directory;
        Options = options;
        Mail = mail;
        Now = now;
        CancellationToken = cancellationToken;
        Evaluator = new ExpressionEvaluator(GetVariable, instance.DateShiftDays, cachesConstants: true);
    }

    public IWorkflowSession Session { get; }
    public WorkflowInstance Instance { get; }
    public WorkflowBlueprint Blueprint { get; }
    public UnitDirectory Directory { get; }
    public RuntimeOptions Options { get; }
    public MailComposer Mail { get; }
    public DateTimeOffset Now { get; }
    public CancellationToken CancellationToken { get; }
    public ExpressionEvaluator Evaluator { get; }
    public List<DigestItem> Digest { get; } = [];
    public IReadOnlyList<JournalEntry> JournalEntries => _journal;

    public void StartRoot()
    {
        var root = new ExecutionScope { InstanceId = Instance.Id, Id = "root", BodyNodeId = Blueprint.Definition.Root.NodeId };
        Session.Add(root);
        _scopes[root.Id] = new LoadedScope(root, new ScopeState(), "");
        _newScopes.Add(root.Id);
        Journal(new JournalEntry { InstanceId = Instance.Id, Event = "WorkflowStarted", ActivityType = ActivityNode.FlowchartTypeName, Detail = $"{Blueprint.Definition.DefinitionId} v{Blueprint.Definition.Version}" });
        StartScope(root);
    }

    public void Resume(Bookmark bookmark, JsonNode? payload) => Enqueue(new WorkItem(WorkKind.Resume, bookmark.ScopeId, bookmark.ActivityId, null, bookmark, payload, null));

    public async Task RunAsync()
    {
        while (_queue.TryDequeue(out var item))
        {
            CancellationToken.ThrowIfCancellationRequested();
            _pending[item.ScopeId]--;
            var loaded = await GetScopeAsync(item.ScopeId).ConfigureAwait(false);
            if (loaded is null || loaded.Scope.Status != WorkflowStatus.Running)
            {
                if (item.Bookmark is { } stale) Session.Remove(stale);
                continue;
            }
            var (scope, state) = (loaded.Scope, loaded.State);
            var view = Blueprint.GetView(scope.BodyNodeId);
            if (!view.Activities.TryGetValue(item.ActivityId, out var activity))
            {
                if (item.Bookmark is { } orphan) Session.Remove(orphan);
                Fault(scope, item.ActivityId, "?", $"activity '{item.ActivityId}' is not in {Blueprint.Definition.DefinitionId} v{Blueprint.Definition.Version}");
                continue;
            }
            var context = new ActivityExecutionContext(this, scope, state, activity, item.From);
            ActivityResult result;
            try
            {
                switch (item.Kind)
                {
                    case WorkKind.Execute:
                        state.Runs[activity.Id] = state.Runs.GetValueOrDefault(activity.Id) + 1;
                        result = await activity.ExecuteAsync(context).ConfigureAwait(false);
                        break;
                    case WorkKind.Resume:
                        result = await activity.ResumeAsync(context, item.Bookmark!, item.Payload).ConfigureAwait(false);
                        // A fired timer the activity did not move is consumed; it must not fire again.
                        if (item.Bookmark!.Kind == BookmarkKind.Timer && item.Bookmark.DueAt <= Now && result.Kind == ActivityResultKind.Suspended)
                            await RemoveBookmarkAsync(item.Bookmark.Id).ConfigureAwait(false);
                        break;
                    default:
                        var child = (await GetScopeAsync(item.ChildScopeId!).ConfigureAwait(false))!.Scope;
                        result = await activity.OnChildCompletedAsync(context, child).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception e) when (e is not TaskStateException and not OperationCanceledException)
            {
                foreach (var bookmark in await Session.FindActivityBookmarksAsync(Instance.Id, scope.Id, activity.Id, CancellationToken).ConfigureAwait(false))
                    Session.Remove(bookmark);
                // The faulted activity stays "waiting" without bookmarks: its flowchart does not complete as
                // if it had succeeded, and the flowchart's other branches go on.
                state.Waiting.Add(activity.Id);
                Fault(scope, activity.Id, activity.TypeName, e.Message);
                continue;
            }
            await ApplyAsync(scope, state, view, activity, result).ConfigureAwait(false);
            CompleteIfIdle(scope, state);
        }
    }

    private async Task ApplyAsync(ExecutionScope scope, ScopeState state, FlowchartView view, Activity activity, ActivityResult result)
    {
        switch (result.Kind)
        {
            case ActivityResultKind.Completed:
                if (state.Waiting.Remove(activity.Id) || activity is IWaitingActivity)
                    foreach (var bookmark in await Session.FindActivityBookmarksAsync(Instance.Id, scope.Id, activity.Id, CancellationToken).ConfigureAwait(false))
                        Session.Remove(bookmark);
                foreach (var outcome in result.Outcomes)
                    foreach (var connection in view.Outbound[activity.Id])
                        if (connection.SourcePort == outcome)
                            Enqueue(new WorkItem(WorkKind.Execute, scope.Id, connection.TargetActivity, activity.Id, null, null, null));
                break;
            case ActivityResultKind.Suspended:
                state.Waiting.Add(activity.Id);
                break;
            case ActivityResultKind.Pending:
                break;
            case ActivityResultKind.EndScope:
                await EndScopeAsync(scope, state).ConfigureAwait(false);
                break;
        }
    }

    private async Task EndScopeAsync(ExecutionScope scope, ScopeState state)
    {
        foreach (var waiting in state.Waiting.ToList())
            foreach (var bookmark in await Session.FindActivityBookmarksAsync(Instance.Id, scope.Id, waiting, CancellationToken).ConfigureAwait(false))
            {
                Session.Remove(bookmark);
                // CancelDescendantsAsync covers tasks of child scopes; a UnitTask of this flowchart itself
                // keeps its task id on its bookmarks and is cancelled here.
                if (bookmark.Data is { } taskId && await Session.FindTaskAsync(taskId, CancellationToken).ConfigureAwait(false) is { IsClosed: false } task && task.ScopeId == scope.Id)
                {
                    task.Status = UnitTaskStatus.Cancelled;
                    task.CompletedAt = Now;
                }
            }
        state.Waiting.Clear();
        await Session.CancelDescendantsAsync(Instance.Id, scope.Id, Now, CancellationToken).ConfigureAwait(false);
        foreach (var loaded in _scopes.Values.Where(s => s.Scope.Id.StartsWith(scope.Id + "/", StringComparison.Ordinal)))
            loaded.Scope.Status = WorkflowStatus.Cancelled;
        Complete(scope);
    }

    private void CompleteIfIdle(ExecutionScope scope, ScopeState state)
    {
        if (scope.Status == WorkflowStatus.Running && _pending.GetValueOrDefault(scope.Id) == 0 && state.Waiting.Count == 0)
            Complete(scope);
    }

    private void Complete(ExecutionScope scope)
    {
        scope.Status = WorkflowStatus.Finished;
        if (scope.ParentId is null)
        {
            Instance.Status = WorkflowStatus.Finished;
            Instance.FinishedAt = Now;
            Journal(new JournalEntry { InstanceId = Instance.Id, Event = "WorkflowFinished", ActivityType = ActivityNode.FlowchartTypeName });
            return;
        }
        Enqueue(new WorkItem(WorkKind.ChildCompleted, scope.ParentId, scope.OwnerActivityId!, null, null, null, scope.Id));
    }

    private void Fault(ExecutionScope scope, string activityId, string activityType, string message)
    {
        Instance.Incident = $"{activityId}: {message}";
        Journal(new JournalEntry { InstanceId = Instance.Id, Event = "Faulted", ActivityId = activityId, ActivityType = activityType, UnitCode = scope.UnitCode, Detail = message });
    }

    private void StartScope(ExecutionScope scope)
    {
        var view = Blueprint.GetView(scope.BodyNodeId);
        if (view.StartActivityId is null)
        {
            Complete(scope);
            return;
        }
        Enqueue(new WorkItem(WorkKind.Execute, scope.Id, view.StartActivityId, null, null, null, null));
    }

    public Task<bool> HasChildScopeAsync(ExecutionScope parent, Activity owner, string key) =>
        ChildScopeExistsAsync(parent, owner, $"{parent.Id}/{owner.Id}[{key}]");

    public async Task StartChildScopeAsync(ExecutionScope parent, Activity owner, string bodyNodeId, string key, string? unitCode)
    {
        var id = $"{parent.Id}/{owner.Id}[{key}]";
        if (await ChildScopeExistsAsync(parent, owner, id).ConfigureAwait(false)) id = $"{id}#{_scopes[parent.Id].State.Runs.GetValueOrDefault(owner.Id)}";
        var scope = new ExecutionScope
        {
            InstanceId = Instance.Id,
            Id = id,
            ParentId = parent.Id,
            OwnerActivityId = owner.Id,
            BodyNodeId = bodyNodeId,
            UnitCode = unitCode,
        };
        Session.Add(scope);
        _scopes[id] = new LoadedScope(scope, new ScopeState(), "");
        _newScopes.Add(id);
        StartScope(scope);
    }

    /// <summary>
    /// True when scope <paramref name="id"/>, a child of <paramref name="parent"/> started by <paramref name="owner"/>, exists.
    /// A scope created in this step has no stored children; for an older parent the ids of the owner's stored
    /// children are read once per step (a ForEachUnit over 10,000 units asked the store 10,000 times, issue 13).
    /// </summary>
    private async Task<bool> ChildScopeExistsAsync(ExecutionScope parent, Activity owner, string id)
    {
        if (_scopes.ContainsKey(id)) return true;
        if (_newScopes.Contains(parent.Id)) return false;
        if (!_storedChildren.TryGetValue((parent.Id, owner.Id), out var stored))
            _storedChildren[(parent.Id, owner.Id)] = stored = (await Session.FindChildScopeIdsAsync(Instance.Id, parent.Id, owner.Id, CancellationToken).ConfigureAwait(false))
                .ToHashSet(StringComparer.Ordinal);
        return stored.Contains(id);
    }

    private void Enqueue(WorkItem item)
    {
        _queue.Enqueue(item);
        _pending[item.ScopeId] = _pending.GetValueOrDefault(item.ScopeId) + 1;
    }

    private async Task<LoadedScope?> GetScopeAsync(string scopeId)
    {
        if (_scopes.TryGetValue(scopeId, out var loaded)) return loaded;
        var scope = await Session.FindScopeAsync(Instance.Id, scopeId, CancellationToken).ConfigureAwait(false);
        if (scope is null) return null;
        var state = JsonSerializer.Deserialize(scope.StateJson, ScopeStateJsonContext.Default.ScopeState) ?? new ScopeState();
        return _scopes[scopeId] = new LoadedScope(scope, state, scope.StateJson);
    }

    public async Task UpsertBookmarkAsync(ExecutionScope scope, Activity activity, string id, BookmarkKind kind, DateTimeOffset? dueAt, string? eventKey, string? data)
    {
        // A bookmark id belongs to the activity that made it, so it is looked up among that activity's
        // bookmarks in this scope: for a scope created or preloaded in this step that needs no query.
        var existing = (await Session.FindActivityBookmarksAsync(Instance.Id, scope.Id, activity.Id, CancellationToken).ConfigureAwait(false))
            .FirstOrDefault(b => b.Id == id);
        if (existing is not null)
        {
            existing.DueAt = dueAt;
            existing.EventKey = eventKey;
            existing.Data = data;
            return;
        }
        Session.Add(new Bookmark
        {
            Id = id,
            InstanceId = Instance.Id,
            ScopeId = scope.Id,
            ActivityId = activity.Id,
            Kind = kind,
            DueAt = dueAt,
            EventKey = eventKey,
            Data = data,
            CreatedAt = Now,
        });
    }

    public async Task RemoveBookmarkAsync(string id)
    {
        if (await Session.FindBookmarkAsync(id, CancellationToken).ConfigureAwait(false) is { } bookmark) Session.Remove(bookmark);
    }

    public IReadOnlyList<LadderRung> Ladder(DateOnly dueDate, string reminderDays, string escalation)
    {
        if (!_ladders.TryGetValue((dueDate, reminderDays, escalation), out var ladder))
            _ladders[(dueDate, reminderDays, escalation)] = ladder = TaskLadder.Build(dueDate, TaskLadder.SplitReminders(reminderDays), TaskLadder.SplitEscalation(escalation), Options.NotificationTime);
        return ladder;
    }

    public void Journal(JournalEntry entry)
    {
        entry.Sequence = ++Instance.JournalSequence;
        entry.At = Now;
        Session.Add(entry);
        _journal.Add(entry);
    }

    public void Enqueue(OutboxMessage message)
    {
        if (!_outboxKeys.Add(message.IdempotencyKey)) return;
        message.CreatedAt = Now;
        message.NextAttemptAt = Now;
        Session.Add(message);
    }

    public JsonNode? GetVariable(string name)
    {
        _variables ??= JsonNode.Parse(Instance.VariablesJson) as JsonObject ?? [];
        return _variables[name];
    }

    public void SetVariable(string name, JsonNode? value)
    {
        _variables ??= JsonNode.Parse(Instance.VariablesJson) as JsonObject ?? [];
        _variables[name] = value?.DeepClone();
        _variablesDirty = true;
    }

    /// <summary>Renders the digests, serializes changed scope states and commits the step.</summary>
    public async Task CommitAsync()
    {
        Seal();
        await Session.CommitAsync(CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the digests and writes the step's state into its tracked entities, ready for the session's commit.</summary>
    public void Seal()
    {
        ComposeDigests();
        foreach (var loaded in _scopes.Values)
        {
            var json = JsonSerializer.Serialize(loaded.State, ScopeStateJsonContext.Default.ScopeState);
            if (json == loaded.OriginalJson) continue;
            loaded.Scope.StateJson = json;
            loaded.Scope.Revision++;
        }
        if (_variablesDirty) Instance.VariablesJson = _variables!.ToJsonString();
        Instance.UpdatedAt = Now;
    }

    private void ComposeDigests()
    {
        var today = PlanTime.LocalDate(Now);
        foreach (var group in Digest.GroupBy(d => (d.RecipientEmail, d.Task.Milestone, d.RungIndex)).OrderBy(g => g.Key.Milestone, StringComparer.Ordinal).ThenBy(g => g.Key.RecipientEmail, StringComparer.Ordinal))
        {
            var items = group.OrderBy(i => i.Task.Id, StringComparer.Ordinal).ToList();
            var late = items.Select(i => (Directory.Find(i.Task.UnitCode) ?? new Unit { Code = i.Task.UnitCode, Name = i.UnitName, Email = "" }, i.Task)).ToList();
            var first = items[0];
            var mail = Mail.EscalationDigest(new Contact(first.RecipientName, first.RecipientEmail, first.RecipientName), first.Task.Title, today, late, Instance.Id);
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(",", items.Select(i => i.Task.Id)))))[..10];
            Enqueue(new OutboxMessage
            {
                IdempotencyKey = $"{Instance.Id}/digest/{group.Key.Milestone}/r{group.Key.RungIndex}/{today:yyyyMMdd}/{hash}/{group.Key.RecipientEmail}",
                InstanceId = Instance.Id,
                Kind = MailKind.EscalationDigest,
                To = group.Key.RecipientEmail,
                Subject = mail.Subject,
                HtmlBody = mail.Html,
                TextBody = mail.Text,
            });
            Journal(new JournalEntry
            {
                InstanceId = Instance.Id,
                Event = "EscalationDigestSent",
                ActivityId = first.Task.ActivityId,
                ActivityType = "ThiDua.UnitTask",
                Milestone = group.Key.Milestone,
                Detail = $"{group.Key.RecipientEmail}: {items.Count} đơn vị quá hạn ({string.Join(", ", items.Select(i => i.Task.UnitCode))})",
            });
        }
    }


    private sealed record LoadedScope(ExecutionScope Scope, ScopeState State, string OriginalJson);

    private enum WorkKind { Execute, Resume, ChildCompleted }

    private sealed record WorkItem(WorkKind Kind, string ScopeId, string ActivityId, string? From, Bookmark? Bookmark, JsonNode? Payload, string? ChildScopeId);
}
