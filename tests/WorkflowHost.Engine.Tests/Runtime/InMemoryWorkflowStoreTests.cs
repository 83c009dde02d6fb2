using System.Reflection;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Engine.Tests.Runtime;

/// <summary>
/// The indexed in-memory store (issue 13) answers as the scanning one did, in the cases its indexes could
/// get wrong: a timer moved to another instant, a cancel by id prefix beside a sibling whose id shares the
/// prefix text, a bookmark id removed and added again, copies that share nothing with the store.
/// </summary>
public sealed class InMemoryWorkflowStoreTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 4, 1, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly int[] ChildOrder = [3, 1, 2];

    private static Bookmark Timer(string id, string scope, DateTimeOffset due, string instance = "wf") => new()
    {
        Id = id, InstanceId = instance, ScopeId = scope, ActivityId = "wait", Kind = BookmarkKind.Timer, DueAt = due, CreatedAt = T0,
    };

    private static Bookmark Event(string id, string scope, string key) => new()
    {
        Id = id, InstanceId = "wf", ScopeId = scope, ActivityId = "task", Kind = BookmarkKind.Event, EventKey = key, CreatedAt = T0,
    };

    private static ExecutionScope Scope(string id, string? parent) => new()
    {
        InstanceId = "wf", Id = id, ParentId = parent, OwnerActivityId = parent is null ? null : "each", BodyNodeId = "body",
    };

    private static UnitTaskRecord Task(string id, string scope) => new()
    {
        Id = id, InstanceId = "wf", ScopeId = scope, ActivityId = "task", Milestone = "m1", Title = "Báo cáo", UnitCode = "U1",
        DueDate = new DateOnly(2024, 3, 15), DueAt = T0.AddDays(11), CreatedAt = T0,
    };

    private static async Task CommitAsync(InMemoryWorkflowStore store, Func<IWorkflowSession, Task> change)
    {
        await using var session = await store.OpenSessionAsync(None);
        await change(session);
        await session.CommitAsync(None);
    }

    private static async Task<T> ReadAsync<T>(InMemoryWorkflowStore store, Func<IWorkflowSession, Task<T>> read)
    {
        await using var session = await store.OpenSessionAsync(None);
        return await read(session);
    }

    [Fact]
    public async Task FindDueTimers_TimerMovedLaterThenEarlier_IsDueAtItsNewInstantOnly()
    {
        var store = new InMemoryWorkflowStore();
        await CommitAsync(store, s =>
        {
            s.Add(Timer("b", "root", T0.AddHours(2)));
            s.Add(Timer("a", "root", T0.AddHours(2)));
            s.Add(Timer("c", "root", T0.AddHours(1)));
            return System.Threading.Tasks.Task.CompletedTask;
        });
        Assert.Equal(["c", "a", "b"], (await store.FindDueTimersAsync(T0.AddHours(2), 10, None)).Select(b => b.Id));

        // "c" moves after the others: not due at its old instant any more, last at the new one.
        await CommitAsync(store, async s => (await s.FindBookmarkAsync("c", None))!.DueAt = T0.AddHours(5));
        Assert.Equal(["a", "b"], (await store.FindDueTimersAsync(T0.AddHours(2), 10, None)).Select(b => b.Id));
        Assert.Equal(["a", "b", "c"], (await store.FindDueTimersAsync(T0.AddHours(5), 10, None)).Select(b => b.Id));
        Assert.Equal(T0.AddHours(2), await store.FindNextTimerDueAsync(None));

        // "b" moves before everything; a session's own answer and the store's agree, ties by ordinal id, capped at max.
        await CommitAsync(store, async s => (await s.FindBookmarkAsync("b", None))!.DueAt = T0);
        Assert.Equal(T0, await store.FindNextTimerDueAsync(None));
        Assert.Equal(["b", "a"], (await store.FindDueTimersAsync(T0.AddHours(5), 2, None)).Select(b => b.Id));
        Assert.Equal(["b", "a"], (await ReadAsync(store, s => s.FindDueTimersAsync("wf", T0.AddHours(5), 2, None))).Select(b => b.Id));
        Assert.Empty(await ReadAsync(store, s => s.FindDueTimersAsync("other", T0.AddHours(5), 10, None)));

        // A timer turned into an event bookmark leaves the timer order and joins its event key.
        await CommitAsync(store, async s =>
        {
            var a = (await s.FindBookmarkAsync("a", None))!;
            a.Kind = BookmarkKind.Event;
            a.DueAt = null;
            a.EventKey = "task:1";
        });
        Assert.Equal(["b", "c"], (await store.FindDueTimersAsync(T0.AddHours(5), 10, None)).Select(b => b.Id));
        Assert.Equal(["a"], (await ReadAsync(store, s => s.FindEventBookmarksAsync("task:1", None))).Select(b => b.Id));
    }

    [Fact]
    public async Task CancelDescendants_SiblingSharesThePrefixText_OnlyTheSubtreeIsCancelled()
    {
        var store = new InMemoryWorkflowStore();
        await CommitAsync(store, s =>
        {
            foreach (var (id, parent) in new[] { ("root", null), ("root/a[1]", "root"), ("root/a[1]/x", "root/a[1]"), ("root/a[10]", "root"), ("root/a[10]/x", "root/a[10]"), ("root/a[1]0", "root") })
                s.Add(Scope(id, parent));
            s.Add(Timer("t1", "root/a[1]/x", T0.AddDays(1)));
            s.Add(Timer("t10", "root/a[10]/x", T0.AddDays(1)));
            s.Add(Event("e1", "root/a[1]/x", "task:1"));
            s.Add(Task("task1", "root/a[1]/x"));
            s.Add(Task("task10", "root/a[10]/x"));
            s.Add(Task("task1-own", "root/a[1]"));
            return System.Threading.Tasks.Task.CompletedTask;
        });

        await CommitAsync(store, s => s.CancelDescendantsAsync("wf", "root/a[1]", T0.AddHours(3), None));

        Assert.Equal(
            ["root/a[10]/x:Running", "root/a[10]:Running", "root/a[1]/x:Cancelled", "root/a[1]0:Running", "root/a[1]:Running", "root:Running"],
            store.Scopes.Select(s => $"{s.Id}:{s.Status}").OrderBy(s => s, StringComparer.Ordinal));
        Assert.Equal(["t10"], store.Bookmarks.Select(b => b.Id));
        Assert.Equal(["t10"], (await store.FindDueTimersAsync(T0.AddDays(2), 10, None)).Select(b => b.Id));
        Assert.Empty(await ReadAsync(store, s => s.FindEventBookmarksAsync("task:1", None)));
        var tasks = store.Tasks.ToDictionary(t => t.Id);
        Assert.Equal((UnitTaskStatus.Cancelled, T0.AddHours(3)), (tasks["task1"].Status, tasks["task1"].CompletedAt));
        Assert.Equal((UnitTaskStatus.Open, (DateTimeOffset?)null), (tasks["task10"].Status, tasks["task10"].CompletedAt));
        Assert.Equal(UnitTaskStatus.Open, tasks["task1-own"].Status);
        Assert.Equal(["task1-own", "task10"], (await ReadAsync(store, s => s.FindOpenTasksAsync("wf", None))).Select(t => t.Id));
        Assert.Equal(["root", "root/a[10]", "root/a[10]/x", "root/a[1]", "root/a[1]0"], (await ReadAsync(store, s => s.FindRunningScopesAsync("wf", None))).Select(s => s.Id));

        // A cancel of "root" reaches every descendant (Finished ones too, as before) but not "root" itself.
        await CommitAsync(store, s => s.CancelDescendantsAsync("wf", "root", T0.AddHours(4), None));
        Assert.Equal(["root"], (await ReadAsync(store, s => s.FindRunningScopesAsync("wf", None))).Select(s => s.Id));
        Assert.Empty(store.Bookmarks);
        Assert.Empty(await ReadAsync(store, s => s.FindOpenTasksAsync("wf", None)));
        Assert.Equal(T0.AddHours(3), store.Tasks.Single(t => t.Id == "task1").CompletedAt);
    }

    [Fact]
    public async Task Bookmark_RemovedThenAddedAgain_IsFoundByEveryIndexAgain()
    {
        var store = new InMemoryWorkflowStore();
        await CommitAsync(store, s =>
        {
            s.Add(Event("b1", "root/a[1]", "task:1"));
            return System.Threading.Tasks.Task.CompletedTask;
        });
        await CommitAsync(store, async s => s.Remove((await s.FindBookmarkAsync("b1", None))!));
        Assert.Empty(store.Bookmarks);
        Assert.Empty(await ReadAsync(store, s => s.FindEventBookmarksAsync("task:1", None)));
        Assert.Empty(await ReadAsync(store, s => s.FindActivityBookmarksAsync("wf", "root/a[1]", "task", None)));

        // The same id again, now a timer in another scope: found by its new keys only.
        await CommitAsync(store, s =>
        {
            s.Add(Timer("b1", "root/a[2]", T0.AddDays(1)));
            return System.Threading.Tasks.Task.CompletedTask;
        });
        Assert.Empty(await ReadAsync(store, s => s.FindEventBookmarksAsync("task:1", None)));
        Assert.Empty(await ReadAsync(store, s => s.FindActivityBookmarksAsync("wf", "root/a[1]", "task", None)));
        Assert.Equal(["b1"], (await ReadAsync(store, s => s.FindActivityBookmarksAsync("wf", "root/a[2]", "wait", None))).Select(b => b.Id));
        Assert.Equal(["b1"], (await store.FindDueTimersAsync(T0.AddDays(1), 10, None)).Select(b => b.Id));

        // Within one session a removed id hides the bookmark from every find, and the commit deletes it.
        await CommitAsync(store, async s =>
        {
            var b = (await s.FindBookmarkAsync("b1", None))!;
            s.Remove(b);
            Assert.Null(await s.FindBookmarkAsync("b1", None));
            Assert.Empty(await s.FindDueTimersAsync("wf", T0.AddDays(1), 10, None));
            Assert.Empty(await s.FindActivityBookmarksAsync("wf", "root/a[2]", "wait", None));
        });
        Assert.Empty(store.Bookmarks);
        Assert.Null(await store.FindNextTimerDueAsync(None));
    }

    [Fact]
    public async Task Session_AnswersFromItsOwnCopies_AndAFailedCommitWritesNothing()
    {
        var store = new InMemoryWorkflowStore();
        await CommitAsync(store, s =>
        {
            s.Add(Scope("root", null));
            s.Add(Task("t1", "root"));
            s.Add(new Submission { Id = "s2", TaskId = "t1", UnitCode = "U1", SubmittedAt = T0.AddHours(1) });
            s.Add(new QuotaRecord { Id = "q1", InstanceId = "wf", ActivityId = "quota", Movement = "m", UnitCode = "U1", Period = "2024" });
            s.Add(new OutboxMessage { IdempotencyKey = "k1", To = "a@example.vn", Subject = "s", HtmlBody = "<p>h</p>", TextBody = "t" });
            return System.Threading.Tasks.Task.CompletedTask;
        });

        await using (var session = await store.OpenSessionAsync(None))
        {
            // Added rows are found beside the committed ones, in the documented orders.
            session.Add(new Submission { Id = "s1", TaskId = "t1", UnitCode = "U1", SubmittedAt = T0.AddHours(1) });
            session.Add(new Submission { Id = "s0", TaskId = "t1", UnitCode = "U1", SubmittedAt = T0.AddHours(2) });
            session.Add(new QuotaRecord { Id = "q0", InstanceId = "wf", ActivityId = "quota", Movement = "m", UnitCode = "U2", Period = "2024" });
            Assert.Equal(["s1", "s2", "s0"], (await session.FindSubmissionsAsync("t1", None)).Select(s => s.Id));
            Assert.Equal(["q0", "q1"], (await session.FindQuotasAsync("wf", null, None)).Select(q => q.Id));
            Assert.Equal(["q1"], (await session.FindQuotasAsync("wf", "U1", None)).Select(q => q.Id));

            // A change to a session's copy is seen by that session only, and a failed commit writes none of it.
            var task = (await session.FindTaskAsync("t1", None))!;
            task.Status = UnitTaskStatus.Done;
            Assert.Empty(await session.FindOpenTasksAsync("wf", None));
            session.Add(new OutboxMessage { IdempotencyKey = "k2", To = "a@example.vn", Subject = "s", HtmlBody = "<p>h</p>", TextBody = "t" });
            session.Add(new OutboxMessage { IdempotencyKey = "k1", To = "a@example.vn", Subject = "s", HtmlBody = "<p>h</p>", TextBody = "t" });
            Assert.Equal(["t1"], (await ReadAsync(store, s => s.FindOpenTasksAsync("wf", None))).Select(t => t.Id));
            await Assert.ThrowsAsync<InvalidOperationException>(() => session.CommitAsync(None));
        }
        Assert.Equal(["k1"], store.Outbox.Select(o => o.IdempotencyKey));
        Assert.Equal(UnitTaskStatus.Open, store.Tasks.Single().Status);
        Assert.Equal(["s2"], (await ReadAsync(store, s => s.FindSubmissionsAsync("t1", None))).Select(s => s.Id));

        store.FailNextCommit = new InvalidOperationException("disk full");
        await Assert.ThrowsAsync<InvalidOperationException>(() => CommitAsync(store, s =>
        {
            s.Add(new JournalEntry { InstanceId = "wf", Event = "TaskCreated" });
            s.Add(Timer("late", "root", T0));
            return System.Threading.Tasks.Task.CompletedTask;
        }));
        Assert.Empty(store.Journal);
        Assert.Null(await store.FindNextTimerDueAsync(None));

        // What the public properties return is a copy: changing it changes nothing stored.
        store.Tasks.Single().Status = UnitTaskStatus.Cancelled;
        Assert.Equal(UnitTaskStatus.Open, store.Tasks.Single().Status);
    }

    [Fact]
    public async Task FindChildScopeIds_ByParentAndOwner_InTheOrderStored()
    {
        var store = new InMemoryWorkflowStore();
        await CommitAsync(store, s =>
        {
            s.Add(Scope("root", null));
            foreach (var i in ChildOrder) s.Add(Scope($"root/each[{i}]", "root"));
            s.Add(new ExecutionScope { InstanceId = "wf", Id = "root/other[1]", ParentId = "root", OwnerActivityId = "other", BodyNodeId = "b" });
            s.Add(new ExecutionScope { InstanceId = "wf2", Id = "root/each[9]", ParentId = "root", OwnerActivityId = "each", BodyNodeId = "b" });
            return System.Threading.Tasks.Task.CompletedTask;
        });
        await using var session = await store.OpenSessionAsync(None);
        session.Add(Scope("root/each[4]", "root"));
        Assert.Equal(["root/each[3]", "root/each[1]", "root/each[2]"], await session.FindChildScopeIdsAsync("wf", "root", "each", None));
        Assert.Equal(["root/other[1]"], await session.FindChildScopeIdsAsync("wf", "root", "other", None));
        Assert.Empty(await session.FindChildScopeIdsAsync("wf", "root/each[1]", "each", None));
    }

    /// <summary>The store copies entities member by member: that is a full copy only while every property is immutable.</summary>
    [Fact]
    public void StoredEntityTypes_HoldOnlyImmutableMembers_SoAMemberwiseCopyIsAFullCopy()
    {
        Type[] entities = [typeof(WorkflowInstance), typeof(ExecutionScope), typeof(Bookmark), typeof(UnitTaskRecord), typeof(Submission), typeof(QuotaRecord), typeof(OutboxMessage), typeof(JournalEntry)];
        static bool Immutable(Type t) => Nullable.GetUnderlyingType(t) is { } inner ? Immutable(inner)
            : t == typeof(string) || t.IsEnum || t.IsPrimitive || t == typeof(DateTimeOffset) || t == typeof(DateOnly) || t == typeof(DateTime) || t == typeof(TimeOnly) || t == typeof(decimal);
        var mutable = entities.SelectMany(e => e.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(f => !Immutable(f.FieldType)).Select(f => $"{e.Name}.{f.Name}: {f.FieldType.Name}")).ToList();
        Assert.Empty(mutable);
    }

    [Fact]
    public async Task Origins_AreTheCommittedRowsAsRead_EvenAfterACancelOrACommitReplacedThem()
    {
        var store = new InMemoryWorkflowStore(keepsOutboxAndJournal: false, remembersOrigins: true);
        await CommitAsync(store, s =>
        {
            s.Add(Scope("root", null));
            s.Add(Scope("root/each[U1]", "root"));
            s.Add(Task("t1", "root/each[U1]"));
            return System.Threading.Tasks.Task.CompletedTask;
        });
        await using var reader = await store.OpenSessionAsync(None);
        var task = (await reader.FindTaskAsync("t1", None))!;
        var scope = (await reader.FindScopeAsync("wf", "root/each[U1]", None))!;
        var added = Task("t2", "root/each[U1]");
        reader.Add(added);
        // Another session cancels the subtree: the committed rows are replaced, the origins read before are not changed.
        await CommitAsync(store, s => s.CancelDescendantsAsync("wf", "root", T0.AddDays(1), None));

        var taskOrigin = (UnitTaskRecord)InMemoryWorkflowStore.OriginOf(reader, task)!;
        var scopeOrigin = (ExecutionScope)InMemoryWorkflowStore.OriginOf(reader, scope)!;
        Assert.Equal((UnitTaskStatus.Open, WorkflowStatus.Running), (taskOrigin.Status, scopeOrigin.Status));
        Assert.NotSame(task, taskOrigin);
        Assert.Same(taskOrigin, InMemoryWorkflowStore.OriginOf(reader, task));
        Assert.Null(InMemoryWorkflowStore.OriginOf(reader, added));
        Assert.Equal(UnitTaskStatus.Cancelled, ((UnitTaskRecord)store.FindCommitted(task)!).Status);
        Assert.Equal(WorkflowStatus.Cancelled, ((ExecutionScope)store.FindCommitted(scope)!).Status);
        await using var plain = await new InMemoryWorkflowStore().OpenSessionAsync(None);
        Assert.Throws<ArgumentException>(() => InMemoryWorkflowStore.OriginOf(plain, task));
    }
}
