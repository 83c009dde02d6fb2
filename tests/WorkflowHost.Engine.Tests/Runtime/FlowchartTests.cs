using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Tests.Infrastructure;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;

namespace WorkflowHost.Engine.Tests.Runtime;

public sealed class FlowchartTests
{
    private static readonly DateTimeOffset Monday = EngineHarness.Local(2024, 3, 4, 8);

    private static async Task<EngineHarness> StartAsync(DefinitionBuilder definition)
    {
        var harness = EngineHarness.ForTest(Monday, definition.Build());
        await harness.StartAsync();
        return harness;
    }

    private static Task<int> PublishAsync(EngineHarness harness, string name) => harness.Runtime.PublishEventAsync(name, null, CancellationToken.None);

    private static Task AcceptAsync(EngineHarness harness, string taskId) => AcceptAsync(harness.Runtime, taskId);

    private static async Task AcceptAsync(WorkflowRuntime runtime, string taskId)
    {
        await runtime.SubmitAsync(taskId, null, "unit:PNV", CancellationToken.None);
        await runtime.ReviewAsync(taskId, accept: true, null, "secretariat", CancellationToken.None);
    }

    private static int Sets(EngineHarness harness, string activityId) => harness.JournalOf("VariableSet").Count(e => e.ActivityId == activityId);

    [Fact]
    public async Task Start_StartSetVariableEnd_FinishesWithVariableSet()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Variable("greeting", "\"\"")
            .Add(Start(), SetVariable("set", "greeting", "xin chào"), End())
            .Chain("start", "set", "end"));

        var instance = harness.Store.Instance("wf")!;
        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(Monday, instance.FinishedAt);
        Assert.Equal("xin chào", (string?)harness.Variables()["greeting"]);
        Assert.Equal(["WorkflowStarted", "VariableSet", "End", "WorkflowFinished"], harness.Store.Journal.Select(e => e.Event));
        Assert.Empty(harness.Store.Bookmarks);
    }

    [Fact]
    public async Task Start_SequenceWithoutEnd_FinishesWhenNothingIsLeft()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), SetVariable("set", "n", "42"))
            .Chain("start", "set"));

        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
        Assert.Equal(42, (int?)harness.Variables()["n"]);
    }

    [Fact]
    public async Task Start_FlowFork_RunsEveryBranch()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), Fork("fork", "a", "b", "c"), SetVariable("set-a", "a", "1"), SetVariable("set-b", "b", "2"), SetVariable("set-c", "c", "3"))
            .Chain("start", "fork")
            .Connect("fork", "set-a", "a")
            .Connect("fork", "set-b", "b")
            .Connect("fork", "set-c", "c"));

        var variables = harness.Variables();
        Assert.Equal(1, (int?)variables["a"]);
        Assert.Equal(2, (int?)variables["b"]);
        Assert.Equal(3, (int?)variables["c"]);
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Fact]
    public async Task FlowJoin_WaitAll_ContinuesOnlyAfterEveryInboundSource()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), Fork("fork", "a", "b"), Event("wait-a", "a"), Event("wait-b", "b"), Join("join"), SetVariable("after", "joined", "true"))
            .Chain("start", "fork")
            .Connect("fork", "wait-a", "a")
            .Connect("fork", "wait-b", "b")
            .Connect("wait-a", "join")
            .Connect("wait-b", "join")
            .Connect("join", "after"));

        await PublishAsync(harness, "b");
        Assert.Equal(0, Sets(harness, "after"));
        Assert.Equal(WorkflowStatus.Running, harness.Store.Instance("wf")!.Status);

        await PublishAsync(harness, "a");
        Assert.Equal(1, Sets(harness, "after"));
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Fact]
    public async Task FlowJoin_WaitAllWithUnitTaskThroughDoneAndDoneLate_CountsTheTaskOnce()
    {
        // The task is connected to the join twice (Done and DoneLate); only one of them can fire, so the
        // join must wait for two sources (task, event), not three connections.
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), Fork("fork", "task", "event"), UnitTask("task", "2024-03-15", unitCode: "PNV"), Event("wait", "go"), Join("join"), SetVariable("after", "joined", "true"))
            .Chain("start", "fork")
            .Connect("fork", "task", "task")
            .Connect("fork", "wait", "event")
            .Connect("task", "join", "Done")
            .Connect("task", "join", "DoneLate")
            .Connect("wait", "join")
            .Connect("join", "after"));

        await AcceptAsync(harness, "wf.task.PNV");
        Assert.Equal(UnitTaskStatus.Done, harness.Store.Tasks.Single().Status);
        Assert.Equal(0, Sets(harness, "after"));

        await PublishAsync(harness, "go");
        Assert.Equal(1, Sets(harness, "after"));
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Fact]
    public async Task FlowJoin_WaitAllWithOnlyUnitTaskPorts_ContinuesWhenTheTaskIsAccepted()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), UnitTask("task", "2024-03-15", unitCode: "PNV"), Join("join"), SetVariable("after", "joined", "true"))
            .Chain("start", "task")
            .Connect("task", "join", "Done")
            .Connect("task", "join", "DoneLate")
            .Connect("join", "after"));

        await AcceptAsync(harness, "wf.task.PNV");

        Assert.Equal(1, Sets(harness, "after"));
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Fact]
    public async Task FlowJoin_WaitAny_ContinuesAtFirstArrivalOnly()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), Fork("fork", "a", "b"), Event("wait-a", "a"), Event("wait-b", "b"), Join("join", "WaitAny"), SetVariable("after", "joined", "true"))
            .Chain("start", "fork")
            .Connect("fork", "wait-a", "a")
            .Connect("fork", "wait-b", "b")
            .Connect("wait-a", "join")
            .Connect("wait-b", "join")
            .Connect("join", "after"));

        await PublishAsync(harness, "a");
        Assert.Equal(1, Sets(harness, "after"));

        // The later arrival of the same round is absorbed.
        await PublishAsync(harness, "b");
        Assert.Equal(1, Sets(harness, "after"));
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Theory]
    [InlineData("true", "yes")]
    [InlineData("false", "no")]
    [InlineData("True", "yes")]
    public async Task FlowDecision_Literal_TakesMatchingPort(string condition, string expected)
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), Decision("decide", Literal(condition, "Boolean")), SetVariable("yes", "answer", "yes"), SetVariable("no", "answer", "no"))
            .Chain("start", "decide")
            .Connect("decide", "yes", "True")
            .Connect("decide", "no", "False"));

        Assert.Equal(expected, (string?)harness.Variables()["answer"]);
        Assert.Equal(1, Sets(harness, expected));
        Assert.Equal(0, Sets(harness, expected == "yes" ? "no" : "yes"));
    }

    [Theory]
    [InlineData("true", "yes")]
    [InlineData("false", "no")]
    public async Task FlowDecision_Variable_TakesMatchingPort(string initial, string expected)
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Variable("approved", initial, "Boolean")
            .Add(Start(), Decision("decide", VariableInput("approved", "Boolean")), SetVariable("yes", "answer", "yes"), SetVariable("no", "answer", "no"))
            .Chain("start", "decide")
            .Connect("decide", "yes", "True")
            .Connect("decide", "no", "False"));

        Assert.Equal(expected, (string?)harness.Variables()["answer"]);
    }

    [Fact]
    public async Task FlowDecision_VariableSetEarlierInTheStep_SeesTheNewValue()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Variable("approved", "false", "Boolean")
            .Add(Start(), SetVariable("approve", "approved", "true"), Decision("decide", VariableInput("approved", "Boolean")), SetVariable("yes", "answer", "yes"), SetVariable("no", "answer", "no"))
            .Chain("start", "approve", "decide")
            .Connect("decide", "yes", "True")
            .Connect("decide", "no", "False"));

        Assert.Equal("yes", (string?)harness.Variables()["answer"]);
    }

    [Fact]
    public async Task NestedFlowchart_CompletesThenContinues()
    {
        var inner = new DefinitionBuilder("inner")
            .Add(Event("wait", "go"), SetVariable("inner-set", "inner", "1"))
            .Chain("wait", "inner-set")
            .AsActivity();
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), inner, SetVariable("after", "after", "1"))
            .Chain("start", "inner", "after"));

        Assert.Equal(0, Sets(harness, "after"));
        Assert.Equal(WorkflowStatus.Running, harness.Store.Instance("wf")!.Status);
        Assert.Contains(harness.Store.Scopes, s => s.Id == "root/inner[1]" && s.Status == WorkflowStatus.Running);

        await PublishAsync(harness, "go");

        Assert.Equal(1, Sets(harness, "inner-set"));
        Assert.Equal(1, Sets(harness, "after"));
        Assert.True(harness.Store.Journal.Single(e => e.ActivityId == "inner-set").Sequence < harness.Store.Journal.Single(e => e.ActivityId == "after").Sequence);
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
        Assert.Contains(harness.Store.Scopes, s => s.Id == "root/inner[1]" && s.Status == WorkflowStatus.Finished);
    }

    [Fact]
    public async Task End_OtherBranchesWaiting_CancelsTheirBookmarksAndOpenTasks()
    {
        // Branch "units" waits on one task per active unit (child scopes), branch "direct" on a task in
        // the root flowchart itself, branch "timer" on a Delay; branch "stop" ends the flowchart.
        var body = new DefinitionBuilder("body").Add(UnitTask("unit-task", "2024-03-15")).AsActivity();
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), Fork("fork", "units", "direct", "timer", "stop"), ForEachUnit("each", body), UnitTask("direct-task", "2024-03-15", unitCode: "PTC"),
                Delay("wait", "10.00:00:00"), Event("stop-event", "stop"), End())
            .Chain("start", "fork")
            .Connect("fork", "each", "units")
            .Connect("fork", "direct-task", "direct")
            .Connect("fork", "wait", "timer")
            .Connect("fork", "stop-event", "stop")
            .Connect("stop-event", "end"));
        Assert.Equal(4, harness.Store.Tasks.Count);
        Assert.NotEmpty(harness.Store.Bookmarks);

        await PublishAsync(harness, "stop");

        Assert.Empty(harness.Store.Bookmarks);
        Assert.All(harness.Store.Tasks, t => Assert.Equal(UnitTaskStatus.Cancelled, t.Status));
        Assert.All(harness.Store.Tasks, t => Assert.Equal(harness.Clock.GetUtcNow(), t.CompletedAt));
        Assert.All(harness.Store.Scopes.Where(s => s.Id != "root"), s => Assert.Equal(WorkflowStatus.Cancelled, s.Status));
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);

        // Nothing fires later: no reminders, no escalations.
        var outbox = harness.Store.Outbox.Count;
        await harness.AdvanceToAsync(EngineHarness.Local(2024, 4, 30));
        Assert.Equal(outbox, harness.Store.Outbox.Count);
        await Assert.ThrowsAsync<TaskStateException>(() => harness.Runtime.SubmitAsync("wf.direct-task.PTC", null, "unit:PTC", CancellationToken.None));
    }

    [Fact]
    public async Task Run_ActivityFaults_RecordsIncidentWithoutThrowingAndOtherBranchesGoOn()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), Fork("fork", "bad", "good"), UnitTask("bad-task", "2024-03-15", unitCode: "KHONG-CO"), UnitTask("good-task", "2024-03-15", unitCode: "PNV"),
                SetVariable("after-good", "good", "true"))
            .Chain("start", "fork")
            .Connect("fork", "bad-task", "bad")
            .Connect("fork", "good-task", "good")
            .Connect("good-task", "after-good"));

        var faulted = Assert.Single(harness.JournalOf("Faulted"));
        Assert.Equal("bad-task", faulted.ActivityId);
        Assert.Contains("KHONG-CO", faulted.Detail, StringComparison.Ordinal);
        Assert.Contains("bad-task", harness.Store.Instance("wf")!.Incident, StringComparison.Ordinal);

        // The other branch was created and still moves forward.
        var task = Assert.Single(harness.Store.Tasks);
        Assert.Equal("PNV", task.UnitCode);
        await AcceptAsync(harness, task.Id);
        Assert.Equal(1, Sets(harness, "after-good"));

        // The faulted branch did not complete, so neither does the flowchart.
        Assert.Equal(WorkflowStatus.Running, harness.Store.Instance("wf")!.Status);
        Assert.DoesNotContain(harness.Store.Bookmarks, b => b.ActivityId == "bad-task");
    }
}
