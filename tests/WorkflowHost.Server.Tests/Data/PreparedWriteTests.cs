using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Tests.Data;

/// <summary>
/// The SQLite store writes a step's updates and deletes with prepared statements of its own: they must
/// write what EF would (only the changed columns) and keep EF's checks (the scope's revision is a
/// concurrency token; a row changed or deleted by another writer fails the whole step).
/// </summary>
public sealed class PreparedWriteTests : IAsyncLifetime
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("wfh-prepared-");
    private readonly List<EfWorkflowStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // An exclusive store's writer thread holds the file (and its WAL) open until the store is disposed.
        foreach (var store in _stores)
            try
            {
                await store.DisposeAsync();
            }
            catch (InvalidOperationException)
            {
                // The store whose file refused a step says so once more; the test has checked it.
            }
        SqliteConnection.ClearAllPools();
        _root.Delete(recursive: true);
    }

    private async Task<PooledDbContextFactory<WorkflowHostDbContext>> CreateDatabaseAsync()
    {
        var contexts = new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_root.FullName, "workflowhost.db")}").Options);
        await contexts.InitializeDatabaseAsync(CancellationToken.None);
        return contexts;
    }

    /// <param name="exclusive">An exclusive store (reads from its in-memory replica, as the simulation's) instead of a shared one.</param>
    private async Task<EfWorkflowStore> SeedAsync(bool exclusive)
    {
        var contexts = await CreateDatabaseAsync();
        var store = exclusive ? await EfWorkflowStore.ExclusiveAsync(contexts, CancellationToken.None) : new EfWorkflowStore(contexts);
        _stores.Add(store);
        await using var session = await store.OpenSessionAsync(CancellationToken.None);
        var now = new DateTimeOffset(2024, 1, 1, 1, 0, 0, TimeSpan.Zero);
        session.Add(new WorkflowInstance { Id = "i", DefinitionId = "d", DefinitionVersion = 1, Directory = "u", CreatedAt = now, UpdatedAt = now, VariablesJson = "{}" });
        session.Add(new ExecutionScope { InstanceId = "i", Id = "root", BodyNodeId = "root", StateJson = "{\"a\":1}" });
        session.Add(new Bookmark { Id = "b1", InstanceId = "i", ScopeId = "root", ActivityId = "t", Kind = BookmarkKind.Timer, DueAt = now, Data = "x", CreatedAt = now });
        session.Add(new Bookmark { Id = "b2", InstanceId = "i", ScopeId = "root", ActivityId = "t", Kind = BookmarkKind.Timer, DueAt = now, CreatedAt = now });
        await session.CommitAsync(CancellationToken.None);
        return store;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Commit_UpdatesOnlyChangedColumns_AndDeletes(bool exclusive)
    {
        var store = await SeedAsync(exclusive);
        await using (var session = await store.OpenSessionAsync(CancellationToken.None))
        {
            var scope = (await session.FindScopeAsync("i", "root", CancellationToken.None))!;
            scope.StateJson = "{\"a\":2}";
            scope.Revision++;
            var b1 = (await session.FindBookmarkAsync("b1", CancellationToken.None))!;
            b1.DueAt = b1.DueAt!.Value.AddDays(3);
            b1.Data = null;
            session.Remove((await session.FindBookmarkAsync("b2", CancellationToken.None))!);
            await session.CommitAsync(CancellationToken.None);
        }
        await using (var session = await store.OpenSessionAsync(CancellationToken.None))
        {
            var scope = (await session.FindScopeAsync("i", "root", CancellationToken.None))!;
            Assert.Equal(("{\"a\":2}", 1, "root"), (scope.StateJson, scope.Revision, scope.BodyNodeId));
            var b1 = (await session.FindBookmarkAsync("b1", CancellationToken.None))!;
            Assert.Equal((new DateTimeOffset(2024, 1, 4, 1, 0, 0, TimeSpan.Zero), (string?)null, "t"), (b1.DueAt!.Value, b1.Data, b1.ActivityId));
            Assert.Null(await session.FindBookmarkAsync("b2", CancellationToken.None));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Commit_ScopeChangedByAnotherWriter_FailsWithConcurrencyAndWritesNothing(bool exclusive)
    {
        var store = await SeedAsync(exclusive);
        await using var first = await store.OpenSessionAsync(CancellationToken.None);
        await using var second = await store.OpenSessionAsync(CancellationToken.None);
        var a = (await first.FindScopeAsync("i", "root", CancellationToken.None))!;
        var b = (await second.FindScopeAsync("i", "root", CancellationToken.None))!;
        a.StateJson = "{\"a\":\"first\"}";
        a.Revision++;
        await first.CommitAsync(CancellationToken.None);

        b.StateJson = "{\"a\":\"second\"}";
        b.Revision++;
        (await second.FindBookmarkAsync("b1", CancellationToken.None))!.Data = "changed";
        await Assert.ThrowsAsync<WorkflowConcurrencyException>(() => second.CommitAsync(CancellationToken.None));

        await using var check = await store.OpenSessionAsync(CancellationToken.None);
        Assert.Equal("{\"a\":\"first\"}", (await check.FindScopeAsync("i", "root", CancellationToken.None))!.StateJson);
        Assert.Equal("x", (await check.FindBookmarkAsync("b1", CancellationToken.None))!.Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Commit_BookmarkDeletedByAnotherWriter_FailsWithConcurrency(bool exclusive)
    {
        var store = await SeedAsync(exclusive);
        await using var first = await store.OpenSessionAsync(CancellationToken.None);
        await using var second = await store.OpenSessionAsync(CancellationToken.None);
        first.Remove((await first.FindBookmarkAsync("b2", CancellationToken.None))!);
        (await second.FindBookmarkAsync("b2", CancellationToken.None))!.Data = "late";
        await first.CommitAsync(CancellationToken.None);
        await Assert.ThrowsAsync<WorkflowConcurrencyException>(() => second.CommitAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Exclusive_DatabaseWithAnInstance_IsRefused()
    {
        var contexts = await CreateDatabaseAsync();
        await SeedInto(new EfWorkflowStore(contexts));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => EfWorkflowStore.ExclusiveAsync(contexts, CancellationToken.None));
        Assert.Contains("without workflow instances", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exclusive_CommittedRows_AreInTheDatabase_AndAFreshSharedStoreReadsThemAlike()
    {
        var exclusive = await SeedAsync(exclusive: true);
        await using (var session = await exclusive.OpenSessionAsync(CancellationToken.None))
        {
            var scope = (await session.FindScopeAsync("i", "root", CancellationToken.None))!;
            scope.StateJson = "{\"a\":3}";
            scope.Revision++;
            session.Remove((await session.FindBookmarkAsync("b1", CancellationToken.None))!);
            await session.CommitAsync(CancellationToken.None);
        }
        // The exclusive store writes its file behind its commits: once flushed, a shared store over the same file reads the database itself.
        await exclusive.FlushAsync();
        var shared = new EfWorkflowStore(new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_root.FullName, "workflowhost.db")}").Options));
        foreach (var store in new[] { exclusive, shared })
        {
            await using var session = await store.OpenSessionAsync(CancellationToken.None);
            Assert.Equal(("{\"a\":3}", 1), ((await session.FindScopeAsync("i", "root", CancellationToken.None))!.StateJson, (await session.FindScopeAsync("i", "root", CancellationToken.None))!.Revision));
            Assert.Null(await session.FindBookmarkAsync("b1", CancellationToken.None));
            Assert.Equal(["b2"], (await session.FindActivityBookmarksAsync("i", "root", "t", CancellationToken.None)).Select(b => b.Id));
        }
        Assert.Equal(["b2"], (await exclusive.FindDueTimersAsync(DateTimeOffset.MaxValue, 10, CancellationToken.None)).Select(b => b.Id));
    }

    [Fact]
    public async Task Exclusive_AStepTheFileRefuses_StopsTheRun_AndTheFileKeepsEveryEarlierStepWhole()
    {
        var store = await SeedAsync(exclusive: true);
        await store.FlushAsync();
        // The file refuses one journal event, as a full disk or a constraint would refuse a step.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_root.FullName, "workflowhost.db")}"))
        {
            await connection.OpenAsync();
            await using var trigger = connection.CreateCommand();
            trigger.CommandText = "CREATE TRIGGER refuse BEFORE INSERT ON \"Journal\" WHEN NEW.\"Event\" = 'Refused' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END";
            await trigger.ExecuteNonQueryAsync();
        }
        var now = new DateTimeOffset(2024, 1, 2, 1, 0, 0, TimeSpan.Zero);
        await using (var session = await store.OpenSessionAsync(CancellationToken.None))
        {
            (await session.FindBookmarkAsync("b1", CancellationToken.None))!.Data = "kept";
            session.Add(new Engine.Journal.JournalEntry { InstanceId = "i", Sequence = 1, At = now, Event = "Accepted" });
            await session.CommitAsync(CancellationToken.None);
        }
        await using (var session = await store.OpenSessionAsync(CancellationToken.None))
        {
            (await session.FindBookmarkAsync("b1", CancellationToken.None))!.Data = "lost";
            session.Add(new Engine.Journal.JournalEntry { InstanceId = "i", Sequence = 2, At = now, Event = "Refused" });
            await session.CommitAsync(CancellationToken.None);
        }

        var flush = await Assert.ThrowsAsync<InvalidOperationException>(store.FlushAsync);
        Assert.Contains("refused by the test", flush.InnerException!.Message, StringComparison.Ordinal);
        await using (var session = await store.OpenSessionAsync(CancellationToken.None))
        {
            session.Add(new Engine.Journal.JournalEntry { InstanceId = "i", Sequence = 3, At = now, Event = "After" });
            await Assert.ThrowsAsync<InvalidOperationException>(() => session.CommitAsync(CancellationToken.None));
        }
        // The step before the refused one is in the file, whole; nothing of the refused step or after it.
        var shared = new EfWorkflowStore(new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_root.FullName, "workflowhost.db")}").Options));
        await using (var session = await shared.OpenSessionAsync(CancellationToken.None))
            Assert.Equal("kept", (await session.FindBookmarkAsync("b1", CancellationToken.None))!.Data);
        await using var db = await new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_root.FullName, "workflowhost.db")}").Options).CreateDbContextAsync();
        Assert.Equal(["Accepted"], await db.Journal.OrderBy(j => j.Sequence).Select(j => j.Event).ToListAsync());
    }

    [Fact]
    public async Task Exclusive_ANewRowWhoseKeyIsTaken_FailsWithConcurrencyAndWritesNothing()
    {
        var store = await SeedAsync(exclusive: true);
        var now = new DateTimeOffset(2024, 1, 2, 1, 0, 0, TimeSpan.Zero);
        await using (var session = await store.OpenSessionAsync(CancellationToken.None))
        {
            (await session.FindScopeAsync("i", "root", CancellationToken.None))!.StateJson = "{\"a\":9}";
            session.Add(new Bookmark { Id = "b2", InstanceId = "i", ScopeId = "root", ActivityId = "other", Kind = BookmarkKind.Event, EventKey = "k", CreatedAt = now });
            await Assert.ThrowsAsync<WorkflowConcurrencyException>(() => session.CommitAsync(CancellationToken.None));
        }
        await store.FlushAsync();
        await using var check = await store.OpenSessionAsync(CancellationToken.None);
        Assert.Equal("{\"a\":1}", (await check.FindScopeAsync("i", "root", CancellationToken.None))!.StateJson);
        Assert.Equal("t", (await check.FindBookmarkAsync("b2", CancellationToken.None))!.ActivityId);
        await using var db = await new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_root.FullName, "workflowhost.db")}").Options).CreateDbContextAsync();
        Assert.Equal(("{\"a\":1}", "t"), (await db.Scopes.Select(s => s.StateJson).SingleAsync(), await db.Bookmarks.Where(b => b.Id == "b2").Select(b => b.ActivityId).SingleAsync()));
    }

    [Fact]
    public async Task Exclusive_ACancelledSubtree_ReachesTheFile()
    {
        var store = await SeedAsync(exclusive: true);
        var now = new DateTimeOffset(2024, 1, 2, 1, 0, 0, TimeSpan.Zero);
        await using (var session = await store.OpenSessionAsync(CancellationToken.None))
        {
            session.Add(new ExecutionScope { InstanceId = "i", Id = "root/each[U1]", ParentId = "root", OwnerActivityId = "each", BodyNodeId = "body", UnitCode = "U1" });
            session.Add(new Engine.Tasks.UnitTaskRecord
            {
                Id = "t1", InstanceId = "i", ScopeId = "root/each[U1]", ActivityId = "task", Milestone = "m", Title = "Báo cáo", UnitCode = "U1",
                DueDate = new DateOnly(2024, 1, 15), DueAt = now.AddDays(13), CreatedAt = now,
            });
            session.Add(new Bookmark { Id = "t1/event", InstanceId = "i", ScopeId = "root/each[U1]", ActivityId = "task", Kind = BookmarkKind.Event, EventKey = "task:t1", Data = "t1", CreatedAt = now });
            await session.CommitAsync(CancellationToken.None);
        }
        await using (var session = await store.OpenSessionAsync(CancellationToken.None))
        {
            await session.CancelDescendantsAsync("i", "root", now.AddDays(1), CancellationToken.None);
            await session.CommitAsync(CancellationToken.None);
        }
        await store.FlushAsync();

        await using var db = await new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_root.FullName, "workflowhost.db")}").Options).CreateDbContextAsync();
        Assert.Equal(WorkflowStatus.Cancelled, await db.Scopes.Where(s => s.Id == "root/each[U1]").Select(s => s.Status).SingleAsync());
        Assert.Equal(WorkflowStatus.Running, await db.Scopes.Where(s => s.Id == "root").Select(s => s.Status).SingleAsync());
        var task = await db.Tasks.SingleAsync();
        Assert.Equal((Engine.Tasks.UnitTaskStatus.Cancelled, (DateTimeOffset?)now.AddDays(1)), (task.Status, task.CompletedAt));
        Assert.False(await db.Bookmarks.AnyAsync(b => b.Id == "t1/event"));
        Assert.Equal(2, await db.Bookmarks.CountAsync());
    }

    private static async Task SeedInto(EfWorkflowStore store)
    {
        await using var session = await store.OpenSessionAsync(CancellationToken.None);
        var now = new DateTimeOffset(2024, 1, 1, 1, 0, 0, TimeSpan.Zero);
        session.Add(new WorkflowInstance { Id = "i", DefinitionId = "d", DefinitionVersion = 1, Directory = "u", CreatedAt = now, UpdatedAt = now, VariablesJson = "{}" });
        await session.CommitAsync(CancellationToken.None);
    }
}
