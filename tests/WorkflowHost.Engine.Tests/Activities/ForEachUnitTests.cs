using WorkflowHost.Engine.Activities.Domain;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Tests.Infrastructure;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;

namespace WorkflowHost.Engine.Tests.Activities;

public sealed class ForEachUnitTests
{
    private static readonly DateTimeOffset Start0 = EngineHarness.Local(2024, 3, 4, 8);

    private static async Task<EngineHarness> StartAsync(string[]? groups = null, string[]? codes = null, string[]? tags = null)
    {
        var body = new DefinitionBuilder("body").Add(UnitTask("task", "2024-03-15")).AsActivity();
        var harness = EngineHarness.ForTest(Start0, new DefinitionBuilder()
            .Add(Start(), ForEachUnit("each", body, groups, codes, tags), SetVariable("after", "done", "true"))
            .Chain("start", "each", "after")
            .Build());
        await harness.StartAsync();
        return harness;
    }

    private static string[] Split(string list) => list.Length == 0 ? [] : list.Split(',');

    private static async Task AcceptAsync(EngineHarness harness, string code)
    {
        var taskId = $"wf.task.{code}";
        await harness.Runtime.SubmitAsync(taskId, null, "unit:" + code, CancellationToken.None);
        await harness.Runtime.ReviewAsync(taskId, accept: true, null, "secretariat", CancellationToken.None);
    }

    private static bool Completed(EngineHarness harness) => harness.JournalOf("VariableSet").Any(e => e.ActivityId == "after");

    [Theory]
    // by group (the inactive XA-B of CUM is skipped)
    [InlineData("KHOI", "", "", "PNV,PTC")]
    [InlineData("CUM", "", "", "XA-A")]
    [InlineData("khoi", "", "", "PNV,PTC")]
    // by codes
    [InlineData("", "XA-A,PTC", "", "PTC,XA-A")]
    [InlineData("", "xa-a", "", "XA-A")]
    // by tags
    [InlineData("", "", "lead", "PNV")]
    // union of groups, codes and tags, each unit once, in directory order
    [InlineData("CUM", "PTC", "lead", "PNV,PTC,XA-A")]
    [InlineData("KHOI", "PNV", "lead", "PNV,PTC")]
    // nothing given = every active unit
    [InlineData("", "", "", "PNV,PTC,XA-A")]
    // an inactive unit named by code is still skipped
    [InlineData("", "XA-B", "", "")]
    public async Task Execute_Selection_StartsOneBranchPerSelectedActiveUnit(string groups, string codes, string tags, string expected)
    {
        var harness = await StartAsync(Split(groups), Split(codes), Split(tags));

        Assert.Equal(Split(expected), harness.Store.Tasks.Select(t => t.UnitCode));
        Assert.Equal(Split(expected).Select(c => $"root/each[{c}]"), harness.Store.Scopes.Where(s => s.ParentId == "root").Select(s => s.Id));
    }

    [Fact]
    public void Select_EmptySelection_IsEveryActiveUnitInDirectoryOrder()
    {
        var units = ForEachUnitActivity.Select(TestUnits.Create(), [], [], []);

        Assert.Equal(TestUnits.ActiveCodes, units.Select(u => u.Code));
    }

    [Fact]
    public async Task Execute_Branches_EachCarriesItsUnitCode()
    {
        var harness = await StartAsync();

        Assert.All(harness.Store.Scopes.Where(s => s.ParentId == "root"), s => Assert.Equal(s.Id, $"root/each[{s.UnitCode}]"));
        Assert.All(harness.Store.Tasks, t => Assert.Equal($"root/each[{t.UnitCode}]", t.ScopeId));
    }

    [Fact]
    public async Task OnChildCompleted_SomeBranchesStillOpen_CompletesOnlyAfterTheLast()
    {
        var harness = await StartAsync();
        Assert.Equal(3, harness.Store.Tasks.Count);

        await AcceptAsync(harness, "PTC");
        await AcceptAsync(harness, "XA-A");
        Assert.False(Completed(harness));
        Assert.Equal(WorkflowStatus.Running, harness.Store.Instance("wf")!.Status);

        await AcceptAsync(harness, "PNV");
        Assert.True(Completed(harness));
        Assert.Single(harness.JournalOf("ForEachUnitCompleted"));
        Assert.All(harness.Store.Tasks, t => Assert.Equal(UnitTaskStatus.Done, t.Status));
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Fact]
    public async Task OnChildCompleted_AllBranchesInTheSameStep_CompletesOnce()
    {
        // A body that never waits: every branch completes in the start step.
        var body = new DefinitionBuilder("body").Add(SetVariable("mark", "marked", "true")).AsActivity();
        var harness = EngineHarness.ForTest(Start0, new DefinitionBuilder()
            .Add(Start(), ForEachUnit("each", body), SetVariable("after", "done", "true"))
            .Chain("start", "each", "after")
            .Build());
        await harness.StartAsync();

        Assert.Equal(3, harness.JournalOf("VariableSet").Count(e => e.ActivityId == "mark"));
        Assert.Single(harness.JournalOf("VariableSet"), e => e.ActivityId == "after");
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Theory]
    [InlineData("KHONG-CO", "")]
    [InlineData("", "khong-co-nhan")]
    public async Task Execute_ZeroUnits_CompletesAtOnce(string codes, string tags)
    {
        var harness = await StartAsync(codes: Split(codes), tags: Split(tags));

        Assert.Empty(harness.Store.Tasks);
        Assert.True(Completed(harness));
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
        Assert.Equal("0 đơn vị", Assert.Single(harness.JournalOf("ForEachUnitStarted")).Detail);
    }

    [Fact]
    public async Task Execute_UnknownCode_IsJournaledAndKnownOnesRun()
    {
        var harness = await StartAsync(codes: ["PNV", "KHONG-CO"]);

        Assert.Equal(["PNV"], harness.Store.Tasks.Select(t => t.UnitCode));
        Assert.Contains("KHONG-CO", Assert.Single(harness.JournalOf("UnknownUnits")).Detail, StringComparison.Ordinal);
    }
}
