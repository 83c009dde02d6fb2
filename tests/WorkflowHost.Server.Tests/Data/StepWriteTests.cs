using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Data;

/// <summary>
/// A shared store writes a step with its own statements (issue 13): on SQLite prepared row statements, on PostgreSQL
/// batches of statements and, for a table with many new rows, one binary COPY (<c>PostgresStepWrite</c>). Both must
/// write what the step holds, in the order it added it, and keep the step one transaction. SQLite in the first pass,
/// PostgreSQL in the second.
/// </summary>
public sealed class StepWriteTests : IDisposable
{
    private static readonly DateTimeOffset Local = new(2024, 3, 15, 8, 0, 0, TimeSpan.FromHours(7));

    private readonly TestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private PooledDbContextFactory<WorkflowHostDbContext> Contexts() => _database.CreateFactory();

    private EfWorkflowStore Store() => new(Contexts());

    private static JournalEntry Entry(string instance, long sequence) => new()
    {
        InstanceId = instance, Sequence = sequence, At = Local.AddMinutes(sequence), Event = "ReminderQueued",
        ActivityId = "task", UnitCode = sequence % 2 == 0 ? "PNV" : null, Detail = $"nhắc lần {sequence} (reminder {sequence})",
    };

    private static OutboxMessage Email(int i) => new()
    {
        IdempotencyKey = $"k{i:D3}", InstanceId = "i", Kind = MailKind.Reminder, To = $"u{i}@tuangiao.gov.vn",
        Subject = "Nhắc hạn nộp báo cáo", HtmlBody = $"<p>Đơn vị {i}</p>", TextBody = $"Đơn vị {i}", CreatedAt = Local, NextAttemptAt = Local,
    };

    private static async Task SeedAsync(EfWorkflowStore store)
    {
        await using var session = await store.OpenSessionAsync(CancellationToken.None);
        session.Add(new WorkflowInstance { Id = "i", DefinitionId = "d", DefinitionVersion = 1, Directory = "u", CreatedAt = Local, UpdatedAt = Local, VariablesJson = "{}" });
        session.Add(new ExecutionScope { InstanceId = "i", Id = "root", BodyNodeId = "root", StateJson = "{}" });
        await session.CommitAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Commit_ManyNewRows_AreWrittenAsHeldInTheOrderAdded()
    {
        var store = Store();
        await SeedAsync(store);

        await using (var session = await store.OpenSessionAsync(CancellationToken.None))
        {
            // Enough rows of each table for PostgreSQL's COPY, and one of a table with few (a batched INSERT).
            for (var i = 0; i < 100; i++)
                session.Add(new Bookmark { Id = $"b{i:D3}", InstanceId = "i", ScopeId = "root", ActivityId = "task", Kind = BookmarkKind.Timer, DueAt = Local.AddDays(i), Data = i % 3 == 0 ? null : $"t{i}", CreatedAt = Local });
            for (var i = 1; i <= 150; i++) session.Add(Entry("i", i));
            for (var i = 0; i < 70; i++) session.Add(Email(i));
            session.Add(new ExecutionScope { InstanceId = "i", Id = "root/each/PNV", BodyNodeId = "body", ParentId = "root", StateJson = "{\"unit\":\"PNV\"}" });
            (await session.FindScopeAsync("i", "root", CancellationToken.None))!.Revision++;
            await session.CommitAsync(CancellationToken.None);
        }

        using var db = _database.CreateContext();
        var journal = await db.Journal.AsNoTracking().OrderBy(j => j.Id).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 150).Select(i => (long)i), journal.Select(j => j.Sequence));
        Assert.All(journal, j =>
        {
            var expected = Entry("i", j.Sequence);
            Assert.Equal((expected.At, expected.Event, expected.ActivityId, expected.UnitCode, expected.Detail, (string?)null), (j.At, j.Event, j.ActivityId, j.UnitCode, j.Detail, j.Actor));
        });
        var emails = await db.OutboxMessages.AsNoTracking().OrderBy(o => o.Id).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 70).Select(i => $"k{i:D3}"), emails.Select(o => o.IdempotencyKey));
        Assert.All(emails, o => Assert.Equal((MailKind.Reminder, OutboxStatus.Queued, Local, (DateTimeOffset?)null), (o.Kind, o.Status, o.NextAttemptAt, o.SentAt)));
        var bookmarks = await db.Bookmarks.AsNoTracking().OrderBy(b => b.Id).ToListAsync();
        Assert.Equal(100, bookmarks.Count);
        Assert.All(bookmarks, b => Assert.Equal((Local.AddDays(int.Parse(b.Id[1..], System.Globalization.CultureInfo.InvariantCulture)), BookmarkKind.Timer), (b.DueAt!.Value, b.Kind)));
        Assert.Equal(34, bookmarks.Count(b => b.Data is null));
        Assert.Equal(["root:1", "root/each/PNV:0"], (await db.Scopes.AsNoTracking().OrderBy(s => s.Id).ToListAsync()).Select(s => $"{s.Id}:{s.Revision}"));
    }

    [Fact]
    public async Task Commit_ScopeChangedByAnotherWriter_FailsAndWritesNoneOfItsRows()
    {
        var store = Store();
        await SeedAsync(store);
        await using var first = await store.OpenSessionAsync(CancellationToken.None);
        await using var second = await store.OpenSessionAsync(CancellationToken.None);
        var a = (await first.FindScopeAsync("i", "root", CancellationToken.None))!;
        var b = (await second.FindScopeAsync("i", "root", CancellationToken.None))!;
        a.Revision++;
        first.Add(Entry("i", 1));
        await first.CommitAsync(CancellationToken.None);

        // The step's new rows go before or after its changes depending on the provider; none may stay.
        for (var i = 2; i <= 101; i++) second.Add(Entry("i", i));
        for (var i = 0; i < 70; i++) second.Add(Email(i));
        b.StateJson = "{\"late\":true}";
        b.Revision++;
        await Assert.ThrowsAsync<WorkflowConcurrencyException>(() => second.CommitAsync(CancellationToken.None));

        using var db = _database.CreateContext();
        Assert.Equal([1L], await db.Journal.Select(j => j.Sequence).ToListAsync());
        Assert.Equal(0, await db.OutboxMessages.CountAsync());
        Assert.Equal("{}", (await db.Scopes.AsNoTracking().SingleAsync()).StateJson);
    }

    [Fact]
    public async Task Exclusive_StepsWrittenBehind_AreInTheDatabaseAfterFlush()
    {
        var store = await EfWorkflowStore.ExclusiveAsync(Contexts(), CancellationToken.None);
        try
        {
            await SeedAsync(store);
            await using (var session = await store.OpenSessionAsync(CancellationToken.None))
            {
                for (var i = 1; i <= 100; i++) session.Add(Entry("i", i));
                var scope = (await session.FindScopeAsync("i", "root", CancellationToken.None))!;
                scope.StateJson = "{\"done\":true}";
                scope.Revision++;
                await session.CommitAsync(CancellationToken.None);
            }
            await store.FlushAsync();

            Assert.Equal(2, store.WriteBehind!.Steps);
            using var db = _database.CreateContext();
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), await db.Journal.OrderBy(j => j.Id).Select(j => j.Sequence).ToListAsync());
            var written = await db.Scopes.AsNoTracking().SingleAsync();
            Assert.Equal(("{\"done\":true}", 1), (written.StateJson, written.Revision));
        }
        finally
        {
            await store.DisposeAsync();
        }
    }
}
