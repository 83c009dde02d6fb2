using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Activities;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// Starts instances and moves them forward: due timers, unit submissions, secretariat reviews and
/// named events. Each call runs whole steps (bursts) and commits each in one transaction; the same
/// code path serves the live server (system clock, Hangfire-driven sweeps) and the simulation (virtual
/// clock). Steps of one instance are serialized in-process; across nodes the store's concurrency
/// checks apply.
/// </summary>
public sealed partial class WorkflowRuntime(
    IWorkflowStore store,
    IWorkflowDefinitionSource definitions,
    TimeProvider time,
    RuntimeOptions? options = null,
    ActivityRegistry? registry = null)
{
    private readonly RuntimeOptions _options = options ?? new RuntimeOptions();
    private readonly WorkflowDefinitionReader _reader = new(registry ?? ActivityRegistry.Default);
    private readonly ConcurrentDictionary<(string, int), WorkflowBlueprint> _blueprints = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly MailComposer _mail = new((options ?? new RuntimeOptions()).BaseUrl, options?.TaskLink);

    /// <summary>Raised after each committed step with the journal entries it wrote (in order).</summary>
    public event Action<IReadOnlyList<JournalEntry>>? StepCommitted;

    /// <summary>The clock.</summary>
    public TimeProvider Time => time;

    /// <summary>The options this runtime runs with (working-day calendar, notification hour…).</summary>
    public RuntimeOptions Options => _options;

    /// <summary>Starts an instance and runs its first step (until every branch waits).</summary>
    /// <exception cref="KeyNotFoundException">The definition, version or directory does not exist.</exception>
    /// <exception cref="InvalidWorkflowDefinitionException">The stored definition is invalid.</exception>
    /// <exception cref="InvalidUnitScopeException">The unit groups or codes are not in the directory; the problems name them.</exception>
    public async Task<WorkflowInstance> StartAsync(StartWorkflowRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var blueprint = await GetBlueprintAsync(request.DefinitionId, request.Version, cancellationToken).ConfigureAwait(false);
        var directory = await definitions.FindDirectoryAsync(request.Directory, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Unit directory '{request.Directory}' does not exist.");
        var scope = new UnitScope(request.UnitGroups, request.UnitCodes);
        if (scope.Problems(directory) is { Count: > 0 } problems) throw new InvalidUnitScopeException(problems);
        var now = time.GetUtcNow();
        var variables = new JsonObject();
        foreach (var v in blueprint.Definition.Variables) variables[v.Name] = v.InitialValue?.DeepClone();
        var instance = new WorkflowInstance
        {
            Id = request.InstanceId ?? Guid.NewGuid().ToString("N")[..12],
            DefinitionId = blueprint.Definition.DefinitionId,
            DefinitionVersion = blueprint.Definition.Version,
            Directory = directory.Directory,
            DateShiftDays = request.DateShiftDays,
            UnitScope = scope.Format(),
            CreatedAt = now,
            UpdatedAt = now,
            VariablesJson = variables.ToJsonString(),
        };
        var gate = _locks.GetOrAdd(instance.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var session = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            session.Add(instance);
            var burst = new WorkflowBurst(session, instance, blueprint, directory, _options, _mail, now, cancellationToken);
            burst.StartRoot();
            await burst.RunAsync().ConfigureAwait(false);
            await burst.CommitAsync().ConfigureAwait(false);
            StepCommitted?.Invoke(burst.JournalEntries);
            return instance;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Resumes every timer bookmark due now or earlier (including those that fell due while the host
    /// was down), one step per instance; repeats until none is due. Returns the number resumed.
    /// </summary>
    /// <exception cref="AggregateException">Some instances' steps failed to commit; the others were committed and the failed ones stay due.</exception>
    public async Task<int> ResumeDueTimersAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        var failures = new List<Exception>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var now = time.GetUtcNow();
            var due = await store.FindDueTimersAsync(now, _options.MaxBookmarksPerStep, cancellationToken).ConfigureAwait(false);
            var instances = due.Select(b => b.InstanceId).Where(i => !failed.Contains(i)).Distinct(StringComparer.Ordinal).ToList();
            if (instances.Count == 0) break;
            var resumedThisPass = 0;
            async Task<int> Trigger(IWorkflowSession session, WorkflowBurst burst)
            {
                var instanceId = burst.Instance.Id;
                var bookmarks = await session.FindDueTimersAsync(instanceId, now, _options.MaxBookmarksPerStep, cancellationToken).ConfigureAwait(false);
                await PreloadAsync(session, instanceId, bookmarks, cancellationToken).ConfigureAwait(false);
                foreach (var bookmark in bookmarks) burst.Resume(bookmark, null);
                return bookmarks.Count;
            }
            foreach (var group in instances.Chunk(Math.Max(1, _options.MaxInstancesPerTransaction)))
            {
                if (group.Length > 1 && await TryRunGroupAsync(group, Trigger, now, cancellationToken,
                        session => session.PreloadDueTimersAsync(group, now, _options.MaxBookmarksPerStep, cancellationToken)).ConfigureAwait(false) is { } grouped)
                {
                    resumedThisPass += grouped;
                    continue;
                }
                foreach (var instanceId in group)
                {
                    try
                    {
                        resumedThisPass += await RunStepAsync(instanceId, Trigger, now, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        failed.Add(instanceId);
                        failures.Add(e);
                    }
                }
            }
            total += resumedThisPass;
            // Nothing resumable although timers look due (e.g. a bookmark of a deleted instance): stop
            // rather than spin; the next sweep looks again.
            if (resumedThisPass == 0) break;
        }
        return failures.Count > 0 ? throw new AggregateException("Some workflow steps failed; they stay due and are retried on the next sweep.", failures) : total;
    }

    /// <summary>The earliest due instant (UTC) of any timer bookmark, or null.</summary>
    public Task<DateTimeOffset?> FindNextTimerDueAsync(CancellationToken cancellationToken) => store.FindNextTimerDueAsync(cancellationToken);

    /// <summary>A unit submits for a task; the task waits for the secretariat's review.</summary>
    /// <param name="taskId">Task id.</param>
    /// <param name="content">What was submitted (JSON object).</param>
    /// <param name="actor">Who submitted, e.g. "unit:PNV".</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    /// <exception cref="TaskStateException">The task is not open or returned.</exception>
    public Task SubmitAsync(string taskId, JsonObject? content, string actor, CancellationToken cancellationToken) =>
        ResumeTaskAsync(taskId, new JsonObject { ["action"] = "submit", ["content"] = content?.DeepClone() ?? new JsonObject(), ["actor"] = actor }, cancellationToken);

    /// <summary>The secretariat accepts (completes) or returns (with a comment) the latest submission.</summary>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    /// <exception cref="TaskStateException">Nothing is waiting for review, or a return has no comment.</exception>
    public Task ReviewAsync(string taskId, bool accept, string? comment, string reviewer, CancellationToken cancellationToken)
    {
        if (!accept && string.IsNullOrWhiteSpace(comment)) throw new TaskStateException("Trả lại hồ sơ cần có ý kiến (a return needs a comment).");
        return ResumeTaskAsync(taskId, new JsonObject { ["action"] = accept ? "accept" : "return", ["comment"] = comment, ["actor"] = reviewer }, cancellationToken);
    }

    /// <summary>
    /// Resumes several event bookmarks, grouping those of one instance into one step (used by the
    /// simulation so that all submissions at one instant commit together). Returns how many resumed.
    /// </summary>
    public async Task<int> ResumeEventsAsync(IReadOnlyList<(string EventKey, JsonNode? Payload)> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var byInstance = new Dictionary<string, List<(string Key, JsonNode? Payload)>>(StringComparer.Ordinal);
        await using (var lookup = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false))
        {
            var instancesByKey = (await lookup.FindEventBookmarksAsync([.. events.Select(e => e.EventKey)], cancellationToken).ConfigureAwait(false))
                .ToLookup(b => b.EventKey!, b => b.InstanceId, StringComparer.Ordinal);
            foreach (var (key, payload) in events)
                // Once per instance, not per bookmark: the step resumes every bookmark of the key in the instance.
                foreach (var instanceId in instancesByKey[key].Distinct(StringComparer.Ordinal))
                {
                    if (!byInstance.TryGetValue(instanceId, out var list)) byInstance[instanceId] = list = [];
                    list.Add((key, payload));
                }
        }
        var total = 0;
        var now = time.GetUtcNow();
        async Task<int> Trigger(IWorkflowSession session, WorkflowBurst burst)
        {
            var instanceId = burst.Instance.Id;
            var list = byInstance[instanceId];
                // One query for every key of the step; bookmarks are then resumed in the order of the events.
                var byKey = (await session.FindEventBookmarksAsync([.. list.Select(e => e.Key)], cancellationToken).ConfigureAwait(false))
                    .Where(b => b.InstanceId == instanceId)
                    .OrderBy(b => b.Id, StringComparer.Ordinal)
                    .ToLookup(b => b.EventKey!, StringComparer.Ordinal);
                await PreloadAsync(session, instanceId, [.. byKey.SelectMany(g => g)], cancellationToken).ConfigureAwait(false);
                var n = 0;
                foreach (var (key, payload) in list)
                    foreach (var bookmark in byKey[key])
                    {
                        burst.Resume(bookmark, payload);
                        n++;
                    }
                return n;
        }
        foreach (var group in byInstance.Keys.Chunk(Math.Max(1, _options.MaxInstancesPerTransaction)))
        {
            if (group.Length > 1 && await TryRunGroupAsync(group, Trigger, now, cancellationToken).ConfigureAwait(false) is { } grouped)
            {
                total += grouped;
                continue;
            }
            foreach (var instanceId in group)
                total += await RunStepAsync(instanceId, Trigger, now, cancellationToken).ConfigureAwait(false);
        }
        return total;
    }

    /// <summary>Publishes a named event (resumes every <c>Elsa.Event</c> waiting on it). Returns how many resumed.</summary>
    public Task<int> PublishEventAsync(string eventName, JsonNode? payload, CancellationToken cancellationToken) =>
        ResumeEventsAsync([(Activities.Flow.EventActivity.EventKey(eventName), payload)], cancellationToken);

    /// <summary>Reads and validates a definition with this runtime's activities.</summary>
    public DefinitionReadResult Read(string json) => _reader.Read(json);

    /// <summary>The blueprint of a stored definition version (cached).</summary>
    /// <exception cref="KeyNotFoundException">No such definition or version.</exception>
    public async Task<WorkflowBlueprint> GetBlueprintAsync(string definitionId, int? version, CancellationToken cancellationToken)
    {
        if (version is { } v && _blueprints.TryGetValue((definitionId, v), out var cached)) return cached;
        var found = await definitions.FindDefinitionAsync(definitionId, version, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException(version is null ? $"No published version of workflow '{definitionId}'." : $"Workflow '{definitionId}' has no version {version}.");
        return _blueprints.GetOrAdd((definitionId, found.Version), _ => _reader.Read(found.Json).GetBlueprintOrThrow());
    }

    /// <summary>
    /// Forgets the cached blueprints of every version of <paramref name="definitionId"/>. Call it after a
    /// version's JSON changed in place (a draft saved again), or versions were published, retracted or deleted,
    /// so the next start or step reads the stored JSON again.
    /// </summary>
    public void ForgetBlueprints(string definitionId)
    {
        foreach (var key in _blueprints.Keys)
            if (key.Item1 == definitionId) _blueprints.TryRemove(key, out _);
    }

    private async Task ResumeTaskAsync(string taskId, JsonObject payload, CancellationToken cancellationToken)
    {
        await using (var lookup = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false))
        {
            var task = await lookup.FindTaskAsync(taskId, cancellationToken).ConfigureAwait(false) ?? throw new KeyNotFoundException($"Task '{taskId}' does not exist.");
            Activities.Domain.UnitTaskActivity.CheckTransition(task, (string)payload["action"]!);
        }
        var resumed = await ResumeEventsAsync([(Activities.Domain.UnitTaskActivity.EventKey(taskId), payload)], cancellationToken).ConfigureAwait(false);
        if (resumed == 0) throw new TaskStateException($"Nhiệm vụ '{taskId}' không còn chờ (the task is not waiting: its plan ended or the task was cancelled).");
    }

    /// <summary>
    /// Loads in a few queries what resuming <paramref name="bookmarks"/> will read: their scopes (with the
    /// scopes' bookmarks) and the tasks their data names (with the tasks' submissions).
    /// </summary>
    private static Task PreloadAsync(IWorkflowSession session, string instanceId, IReadOnlyList<Bookmark> bookmarks, CancellationToken cancellationToken) =>
        bookmarks.Count < 2 ? Task.CompletedTask : session.PreloadAsync(instanceId,
            [.. bookmarks.Select(b => b.ScopeId).Distinct(StringComparer.Ordinal)],
            [.. bookmarks.Where(b => b.Data is not null).Select(b => b.Data!).Distinct(StringComparer.Ordinal)], cancellationToken);

    /// <summary>
    /// Group commit: runs the steps of several instances (each its own burst, in order) in one session
    /// and commits them in one transaction, so that one fsync serves them all; <paramref name="preload"/>
    /// (optional) tells the session first what the whole group will read. Nothing is reported
    /// (<see cref="StepCommitted"/>) before that commit is durable. Returns null when anything failed:
    /// nothing of the group was written, and the caller runs its steps again one per transaction, so a
    /// failing instance fails alone, as it would without grouping.
    /// </summary>
    private async Task<int?> TryRunGroupAsync(string[] instanceIds, Func<IWorkflowSession, WorkflowBurst, Task<int>> trigger, DateTimeOffset now, CancellationToken cancellationToken,
        Func<IWorkflowSession, Task>? preload = null)
    {
        // Gates are taken in one global order, so two groups never wait on each other in a cycle.
        var gates = instanceIds.Order(StringComparer.Ordinal).Select(id => _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1))).ToList();
        var taken = 0;
        List<WorkflowBurst> committed;
        int result;
        try
        {
            foreach (var gate in gates)
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                taken++;
            }
            await using var session = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            if (preload is not null) await preload(session).ConfigureAwait(false);
            var bursts = new List<WorkflowBurst>(instanceIds.Length);
            var count = 0;
            foreach (var instanceId in instanceIds)
            {
                var instance = await session.FindInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false);
                if (instance is null) return null;
                var blueprint = await GetBlueprintAsync(instance.DefinitionId, instance.DefinitionVersion, cancellationToken).ConfigureAwait(false);
                var directory = await definitions.FindDirectoryAsync(instance.Directory, cancellationToken).ConfigureAwait(false);
                if (directory is null) return null;
                var burst = new WorkflowBurst(session, instance, blueprint, directory, _options, _mail, now, cancellationToken);
                var n = await trigger(session, burst).ConfigureAwait(false);
                if (n == 0) continue;
                await burst.RunAsync().ConfigureAwait(false);
                burst.Seal();
                bursts.Add(burst);
                count += n;
            }
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            committed = bursts;
            result = count;
        }
#pragma warning disable CA1031 // Any failure of the group is handled the same way: its steps run again one by one, where it surfaces.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return null;
        }
        finally
        {
            for (var i = 0; i < taken; i++) gates[i].Release();
        }
        // Outside the try: a listener's exception must not make a committed group run again.
        foreach (var burst in committed) StepCommitted?.Invoke(burst.JournalEntries);
        return result;
    }

    private async Task<int> RunStepAsync(string instanceId, Func<IWorkflowSession, WorkflowBurst, Task<int>> trigger, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(instanceId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var session = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            var instance = await session.FindInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"Instance '{instanceId}' does not exist.");
            var blueprint = await GetBlueprintAsync(instance.DefinitionId, instance.DefinitionVersion, cancellationToken).ConfigureAwait(false);
            var directory = await definitions.FindDirectoryAsync(instance.Directory, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"Unit directory '{instance.Directory}' does not exist.");
            var burst = new WorkflowBurst(session, instance, blueprint, directory, _options, _mail, now, cancellationToken);
            var count = await trigger(session, burst).ConfigureAwait(false);
            if (count == 0) return 0;
            await burst.RunAsync().ConfigureAwait(false);
            await burst.CommitAsync().ConfigureAwait(false);
            StepCommitted?.Invoke(burst.JournalEntries);
            return count;
        }
        finally
        {
            gate.Release();
        }
    }
}
