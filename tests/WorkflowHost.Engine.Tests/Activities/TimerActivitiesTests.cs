using System.Text.Json.Nodes;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tests.Infrastructure;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;

namespace WorkflowHost.Engine.Tests.Activities;

public sealed class TimerActivitiesTests
{
    private static readonly DateTimeOffset Start0 = EngineHarness.Local(2024, 3, 4, 8);

    private static async Task<EngineHarness> StartAsync(JsonObject waiting, DateTimeOffset? start = null)
    {
        var harness = EngineHarness.ForTest(start ?? Start0, new DefinitionBuilder()
            .Add(Start(), waiting, SetVariable("after", "done", "true"))
            .Chain("start", (string)waiting["id"]!, "after")
            .Build());
        await harness.StartAsync();
        return harness;
    }

    private static int AfterRuns(EngineHarness harness) => harness.JournalOf("VariableSet").Count(e => e.ActivityId == "after");

    public static TheoryData<string, string, string> WaitingActivities => new()
    {
        // type, input, value → the wait ends at Start0 + 2 days 03:30.
        { "Elsa.Delay", "timeSpan", "2.03:30:00" },
        { "Elsa.Timer", "interval", "2.03:30:00" },
        { "Elsa.StartAt", "dateTime", "2024-03-06T11:30:00+07:00" },
    };

    [Theory]
    [MemberData(nameof(WaitingActivities))]
    public async Task Execute_WaitingActivity_CreatesTimerBookmarkAtTheRightInstant(string type, string input, string value)
    {
        var harness = await StartAsync(Activity("wait", type, (input, Literal(value))));

        var bookmark = Assert.Single(harness.Store.Bookmarks);
        Assert.Equal(BookmarkKind.Timer, bookmark.Kind);
        Assert.Equal("wait", bookmark.ActivityId);
        Assert.Equal(EngineHarness.Local(2024, 3, 6, 11, 30), bookmark.DueAt);
        Assert.Equal(TimeSpan.Zero, bookmark.DueAt!.Value.Offset);
        Assert.Equal(0, AfterRuns(harness));
        Assert.Equal(WorkflowStatus.Running, harness.Store.Instance("wf")!.Status);
    }

    [Theory]
    [MemberData(nameof(WaitingActivities))]
    public async Task ResumeDueTimers_BeforeDue_DoesNothing(string type, string input, string value)
    {
        var harness = await StartAsync(Activity("wait", type, (input, Literal(value))));

        harness.Clock.SetUtcNow(EngineHarness.Local(2024, 3, 6, 11, 29));
        var resumed = await harness.Runtime.ResumeDueTimersAsync(CancellationToken.None);

        Assert.Equal(0, resumed);
        Assert.Equal(0, AfterRuns(harness));
        Assert.Single(harness.Store.Bookmarks);
    }

    [Theory]
    [MemberData(nameof(WaitingActivities))]
    public async Task ResumeDueTimers_AtAndAfterDue_ProceedsExactlyOnce(string type, string input, string value)
    {
        var harness = await StartAsync(Activity("wait", type, (input, Literal(value))));

        harness.Clock.SetUtcNow(EngineHarness.Local(2024, 3, 6, 11, 30));
        var resumed = await harness.Runtime.ResumeDueTimersAsync(CancellationToken.None);
        Assert.Equal(1, resumed);
        Assert.Equal(1, AfterRuns(harness));

        await harness.AdvanceToAsync(EngineHarness.Local(2024, 3, 20));
        Assert.Equal(1, AfterRuns(harness));
        Assert.Empty(harness.Store.Bookmarks);
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
        Assert.Equal(EngineHarness.Local(2024, 3, 6, 11, 30), harness.Store.Instance("wf")!.FinishedAt);
    }

    [Fact]
    public async Task ResumeDueTimers_AfterHostRestart_ProceedsFromTheStore()
    {
        var harness = await StartAsync(Delay("wait", "1.00:00:00"));

        // A new runtime (a restarted host) over the same store and clock knows nothing in memory.
        var restarted = new WorkflowRuntime(harness.Store, harness.Source, harness.Clock);
        harness.Clock.SetUtcNow(Start0.AddDays(1));
        var resumed = await restarted.ResumeDueTimersAsync(CancellationToken.None);

        Assert.Equal(1, resumed);
        Assert.Equal(1, AfterRuns(harness));
    }

    [Theory]
    [InlineData("2024-03-04T07:59:00+07:00")]
    [InlineData("2024-03-04T08:00:00+07:00")]
    [InlineData("2021-01-01")]
    public async Task StartAt_InThePastOrNow_ContinuesAtOnce(string dateTime)
    {
        var harness = await StartAsync(StartAt("wait", dateTime));

        Assert.Equal(1, AfterRuns(harness));
        Assert.Empty(harness.Store.Bookmarks);
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Theory]
    [InlineData("2024-03-10T08:00:00", 2024, 3, 10, 8)]
    [InlineData("2024-03-10", 2024, 3, 10, 0)]
    [InlineData("2024-03-10T01:00:00Z", 2024, 3, 10, 8)]
    public async Task StartAt_WithoutOffset_MeansLocalTime(string dateTime, int year, int month, int day, int hour)
    {
        var harness = await StartAsync(StartAt("wait", dateTime));

        Assert.Equal(EngineHarness.Local(year, month, day, hour), Assert.Single(harness.Store.Bookmarks).DueAt);
    }

    [Fact]
    public async Task ResumeDueTimers_SeveralFellDueWhileDown_FiresEachOnce()
    {
        var harness = EngineHarness.ForTest(Start0, new DefinitionBuilder()
            .Add(Start(), Fork("fork", "a", "b", "c"), Delay("wait-a", "1.00:00:00"), Timer("wait-b", "2.00:00:00"), StartAt("wait-c", "2024-03-07T08:00:00+07:00"),
                SetVariable("set-a", "a", "1"), SetVariable("set-b", "b", "1"), SetVariable("set-c", "c", "1"))
            .Chain("start", "fork")
            .Connect("fork", "wait-a", "a").Connect("fork", "wait-b", "b").Connect("fork", "wait-c", "c")
            .Connect("wait-a", "set-a").Connect("wait-b", "set-b").Connect("wait-c", "set-c")
            .Build());
        await harness.StartAsync();
        Assert.Equal(3, harness.Store.Bookmarks.Count);

        // The host was down from Monday until Friday: all three fell due meanwhile.
        harness.Clock.SetUtcNow(EngineHarness.Local(2024, 3, 8, 9));
        var resumed = await harness.Runtime.ResumeDueTimersAsync(CancellationToken.None);
        var again = await harness.Runtime.ResumeDueTimersAsync(CancellationToken.None);

        Assert.Equal(3, resumed);
        Assert.Equal(0, again);
        var sets = harness.JournalOf("VariableSet");
        Assert.Equal(["set-a", "set-b", "set-c"], sets.Select(e => e.ActivityId).Order(StringComparer.Ordinal));
        Assert.Empty(harness.Store.Bookmarks);
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Fact]
    public async Task Delay_InALoop_WaitsAgainEachRound()
    {
        // start → wait → tick → wait …: each round is a new run with its own bookmark.
        var harness = EngineHarness.ForTest(Start0, new DefinitionBuilder()
            .Add(Start(), Delay("wait", "1.00:00:00"), SetVariable("tick", "ticked", "true"))
            .Chain("start", "wait", "tick", "wait")
            .Build());
        await harness.StartAsync();

        await harness.AdvanceToAsync(Start0.AddDays(1));
        await harness.AdvanceToAsync(Start0.AddDays(2));
        await harness.AdvanceToAsync(Start0.AddDays(2).AddHours(12));

        Assert.Equal(2, harness.JournalOf("VariableSet").Count);
        Assert.Equal(Start0.AddDays(3), Assert.Single(harness.Store.Bookmarks).DueAt);
    }
}
