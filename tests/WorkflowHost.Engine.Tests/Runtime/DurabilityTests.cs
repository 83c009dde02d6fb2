using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Tests.Infrastructure;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;
using static WorkflowHost.Engine.Tests.Infrastructure.EngineHarness;

namespace WorkflowHost.Engine.Tests.Runtime;

public sealed class DurabilityTests
{
    private static readonly DateTimeOffset Monday = Local(2024, 3, 4, 8);
    private static readonly DateTimeOffset Reminder7 = Local(2024, 3, 8, 8);
    private static readonly DateTimeOffset End = Local(2024, 4, 30);

    /// <summary>One task per active unit, due 15/03/2024 with the default ladder (see UnitTaskTests).</summary>
    private static string AllUnitsPlan() => new DefinitionBuilder()
        .Add(Start(), ForEachUnit("each", new DefinitionBuilder("body").Add(UnitTask("task", "2024-03-15")).AsActivity()))
        .Chain("start", "each")
        .Build();

    private static async Task<EngineHarness> StartAllUnitsAsync()
    {
        var harness = ForTest(Monday, AllUnitsPlan());
        await harness.StartAsync();
        return harness;
    }

    private static InvalidOperationException DatabaseDown() => new("mất kết nối cơ sở dữ liệu (database unavailable)");

    private static List<string> Emails(EngineHarness harness) =>
        [.. harness.Store.Outbox.Select(o => $"{o.IdempotencyKey}|{o.Kind}|{o.To}|{o.CreatedAt:O}|{o.Subject}|{o.HtmlBody}|{o.TextBody}")];

    [Fact]
    public async Task ResumeDueTimers_CommitFails_NothingOfTheStepIsVisible()
    {
        var harness = await StartAllUnitsAsync();
        var before = await harness.SnapshotAsync("wf");

        harness.Store.FailNextCommit = DatabaseDown();
        harness.Clock.SetUtcNow(Reminder7);
        var e = await Assert.ThrowsAsync<AggregateException>(() => harness.Runtime.ResumeDueTimersAsync(CancellationToken.None));

        Assert.IsType<InvalidOperationException>(Assert.Single(e.InnerExceptions));
        Assert.Equal(before, await harness.SnapshotAsync("wf"));
        Assert.Empty(harness.Store.Outbox);
        Assert.All(harness.Store.Bookmarks.Where(b => b.Kind == BookmarkKind.Timer), b => Assert.Equal(Reminder7, b.DueAt));
    }

    [Fact]
    public async Task ResumeDueTimers_AfterAFailedCommit_SendsEachEmailExactlyOnce()
    {
        var harness = await StartAllUnitsAsync();
        harness.Store.FailNextCommit = DatabaseDown();
        harness.Clock.SetUtcNow(Reminder7);
        await Assert.ThrowsAsync<AggregateException>(() => harness.Runtime.ResumeDueTimersAsync(CancellationToken.None));

        var resumed = await harness.Runtime.ResumeDueTimersAsync(CancellationToken.None);
        var again = await harness.Runtime.ResumeDueTimersAsync(CancellationToken.None);

        Assert.Equal(3, resumed);
        Assert.Equal(0, again);
        var reminders = harness.Store.Outbox;
        Assert.All(reminders, r => Assert.Equal(MailKind.Reminder, r.Kind));
        Assert.Equal(TestUnits.ActiveCodes.Select(TestUnits.Email), reminders.Select(r => r.To).Order(StringComparer.Ordinal));
        Assert.Equal(3, reminders.Select(r => r.IdempotencyKey).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(3, harness.JournalOf("ReminderSent").Count);
    }

    [Fact]
    public async Task Run_EveryStepFailsOnceThenRetried_SameEmailsAndJournalAsWithoutFailures()
    {
        var control = await StartAllUnitsAsync();
        await control.RunToAsync(End);

        var harness = await StartAllUnitsAsync();
        var failures = 0;
        while (await harness.Runtime.FindNextTimerDueAsync(CancellationToken.None) is { } next && next <= End)
        {
            harness.Clock.SetUtcNow(next);
            harness.Store.FailNextCommit = DatabaseDown();
            await Assert.ThrowsAsync<AggregateException>(() => harness.Runtime.ResumeDueTimersAsync(CancellationToken.None));
            failures++;
            Assert.True(await harness.Runtime.ResumeDueTimersAsync(CancellationToken.None) > 0);
        }

        // r0, r1, r2, r3 and the digest rung: five sweeps, each failed once.
        Assert.Equal(5, failures);
        Assert.Equal(15, harness.Store.Outbox.Count);
        Assert.Equal(Emails(control), Emails(harness));
        Assert.Equal(SimulationTimeline.ToJsonLines(control.Store.Journal), SimulationTimeline.ToJsonLines(harness.Store.Journal));
    }

    [Fact]
    public async Task Submit_CommitFails_NothingVisibleAndTheRetrySucceeds()
    {
        var harness = await StartAllUnitsAsync();
        var before = await harness.SnapshotAsync("wf");

        harness.Store.FailNextCommit = DatabaseDown();
        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Runtime.SubmitAsync("wf.task.PNV", null, "unit:PNV", CancellationToken.None));

        Assert.Equal(before, await harness.SnapshotAsync("wf"));
        await harness.Runtime.SubmitAsync("wf.task.PNV", null, "unit:PNV", CancellationToken.None);
        Assert.Equal(Tasks.UnitTaskStatus.Submitted, harness.Store.Tasks.Single(t => t.Id == "wf.task.PNV").Status);
        Assert.Single(harness.JournalOf("Submitted"));
    }

    [Fact]
    public async Task Review_CommitFailsOnReturn_NoEmailAndTheRetrySendsOne()
    {
        var harness = await StartAllUnitsAsync();
        await harness.Runtime.SubmitAsync("wf.task.PNV", null, "unit:PNV", CancellationToken.None);
        var before = await harness.SnapshotAsync("wf");

        harness.Store.FailNextCommit = DatabaseDown();
        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Runtime.ReviewAsync("wf.task.PNV", accept: false, "Thiếu phụ lục.", "thuongtruc", CancellationToken.None));
        Assert.Equal(before, await harness.SnapshotAsync("wf"));

        await harness.Runtime.ReviewAsync("wf.task.PNV", accept: false, "Thiếu phụ lục.", "thuongtruc", CancellationToken.None);
        Assert.Single(harness.Store.Outbox, o => o.Kind == MailKind.SubmissionReturned);
    }

    [Fact]
    public async Task Start_CommitFails_NoInstanceAndTheRetryStarts()
    {
        var harness = ForTest(Monday, AllUnitsPlan());

        harness.Store.FailNextCommit = DatabaseDown();
        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.StartAsync());

        Assert.Null(harness.Store.Instance("wf"));
        Assert.Empty(harness.Store.Tasks);
        Assert.Empty(harness.Store.Bookmarks);
        Assert.Empty(harness.Store.Scopes);
        Assert.Empty(harness.Store.Journal);

        await harness.StartAsync();
        Assert.Equal(3, harness.Store.Tasks.Count);
    }

    [Fact]
    public async Task ResumeDueTimers_OneInstanceFails_OthersAreCommitted()
    {
        var harness = ForTest(Monday, AllUnitsPlan());
        await harness.StartAsync(instanceId: "a");
        await harness.StartAsync(instanceId: "b");

        harness.Store.FailNextCommit = DatabaseDown();
        harness.Clock.SetUtcNow(Reminder7);
        await Assert.ThrowsAsync<AggregateException>(() => harness.Runtime.ResumeDueTimersAsync(CancellationToken.None));

        // Instances are swept in due order (ties by bookmark id): "a" failed, "b" went through.
        Assert.Equal(3, harness.Store.Outbox.Count);
        Assert.All(harness.Store.Outbox, o => Assert.Equal("b", o.InstanceId));
        Assert.Equal(3, await harness.Runtime.ResumeDueTimersAsync(CancellationToken.None));
        Assert.Equal(6, harness.Store.Outbox.Count);
    }

    [Fact]
    public async Task Simulate_TuanGiaoTwice_IdenticalJournalsAndEmails()
    {
        var definition = RepoFiles.Read("workflows/tuan-giao-2021-2025.json");
        var scenario = Scenario.Parse(RepoFiles.Read("config/scenarios/tuan-giao-typical.json"));
        var first = new EngineHarness(PlanStart, TuanGiao, definition);
        var second = new EngineHarness(PlanStart, TuanGiao, definition);

        var a = await first.SimulateAsync("tuan-giao-2021-2025", scenario);
        var b = await second.SimulateAsync("tuan-giao-2021-2025", scenario);

        Assert.NotEmpty(a.Journal);
        Assert.Equal(SimulationTimeline.ToJsonLines(a.Journal), SimulationTimeline.ToJsonLines(b.Journal));
        Assert.Equal(SimulationTimeline.ToJsonLines(first.Store.Journal), SimulationTimeline.ToJsonLines(a.Journal));
        Assert.Equal(Emails(first), Emails(second));
        Assert.Equal((a.Start, a.End, a.Steps), (b.Start, b.End, b.Steps));
    }
}
