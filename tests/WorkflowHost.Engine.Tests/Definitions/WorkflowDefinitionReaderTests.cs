using System.Text.Json.Nodes;
using WorkflowHost.Engine.Activities.Domain;
using WorkflowHost.Engine.Activities.Flow;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Expressions;
using WorkflowHost.Engine.Tests.Infrastructure;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;

namespace WorkflowHost.Engine.Tests.Definitions;

public sealed class WorkflowDefinitionReaderTests
{
    private static readonly WorkflowDefinitionReader Reader = WorkflowDefinitionReader.Default;

    private static T Single<T>(WorkflowBlueprint blueprint, string id) where T : Engine.Activities.Activity =>
        Assert.IsType<T>(blueprint.AllActivities.Single(a => a.Id == id));

    private static void AssertProblem(DefinitionReadResult result, string fragment) =>
        Assert.Contains(result.Problems, p => p.ToString().Contains(fragment, StringComparison.Ordinal));

    // ---- valid documents ----

    [Fact]
    public void Read_TuanGiaoPlan_IsValid()
    {
        var result = Reader.Read(RepoFiles.Read("workflows/tuan-giao-2021-2025.json"));

        Assert.Empty(result.Problems);
        Assert.True(result.IsValid);
        Assert.Equal("tuan-giao-2021-2025", result.Blueprint!.Definition.DefinitionId);
        // 17 fork branches, one UnitTask per milestone.
        var milestones = result.Blueprint.AllActivities.OfType<UnitTaskActivity>()
            .Select(t => ExpressionEvaluator.Static.Evaluate<string>(t.Milestone.Expression!)).ToList();
        Assert.Equal(17, milestones.Count);
        Assert.Contains("unit-plan-2021", milestones);
        Assert.Equal(milestones.Count, milestones.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Read_AbsentInputs_TakeDescriptorDefaults()
    {
        var json = new DefinitionBuilder()
            .Add(Start(), Activity("wait", "Elsa.Delay"), Activity("join", "Elsa.FlowJoin"),
                Activity("task", "ThiDua.UnitTask", ("milestone", Literal("m")), ("title", Literal("Báo cáo")), ("dueDate", Literal("2024-03-15", "DateOnly"))))
            .Chain("start", "wait", "join", "task")
            .Build();

        var result = Reader.Read(json);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var eval = ExpressionEvaluator.Static;
        Assert.Equal(TimeSpan.FromMinutes(1), eval.Evaluate<TimeSpan>(Single<DelayActivity>(result.Blueprint!, "wait").TimeSpan.Expression!));
        Assert.Equal(FlowJoinMode.WaitAll, eval.Evaluate<FlowJoinMode>(Single<FlowJoinActivity>(result.Blueprint!, "join").Mode.Expression!));
        var task = Single<UnitTaskActivity>(result.Blueprint!, "task");
        Assert.Equal([7, 1], eval.Evaluate<int[]>(task.ReminderDays.Expression!)!);
        Assert.Equal(["0:unit", "3:head", "7:secretariat,leaders"], eval.Evaluate<string[]>(task.Escalation.Expression!)!);
        Assert.Equal(Tasks.UnitTaskKind.Report, eval.Evaluate<Tasks.UnitTaskKind>(task.Kind.Expression!));
        Assert.False(task.UnitCode.HasValue);
    }

    [Fact]
    public void Read_NullTypeName_IsAccepted()
    {
        var json = new DefinitionBuilder()
            .Add(Start(), Activity("wait", "Elsa.Delay", ("timeSpan", Input("Literal", "2.00:00:00", typeName: null))))
            .Chain("start", "wait")
            .Build();

        var result = Reader.Read(json);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal(TimeSpan.FromDays(2), ExpressionEvaluator.Static.Evaluate<TimeSpan>(Single<DelayActivity>(result.Blueprint!, "wait").TimeSpan.Expression!));
    }

    [Fact]
    public void Read_MissingNodeIds_FilledAsParentColonIdInReturnedJson()
    {
        var body = new DefinitionBuilder("body").Add(UnitTask("task", "2024-03-15")).AsActivity();
        var document = new DefinitionBuilder().Add(Start(), ForEachUnit("each", body)).Chain("start", "each").BuildObject();

        var result = Reader.Read(document);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var root = result.Blueprint!.Definition.Json["root"]!;
        Assert.Equal("Workflow1:root", (string?)root["nodeId"]);
        Assert.Equal("Workflow1:root:start", (string?)root["activities"]![0]!["nodeId"]);
        var each = root["activities"]![1]!;
        Assert.Equal("Workflow1:root:each", (string?)each["nodeId"]);
        Assert.Equal("Workflow1:root:each:body", (string?)each["body"]!["nodeId"]);
        Assert.Equal("Workflow1:root:each:body:task", (string?)each["body"]!["activities"]![0]!["nodeId"]);
        Assert.Equal("Workflow1:root:each:body:task", Single<UnitTaskActivity>(result.Blueprint, "task").NodeId);
        // The caller's document is not modified.
        Assert.Null(document["root"]!["nodeId"]);
    }

    [Fact]
    public void Read_PresentNodeId_IsKept()
    {
        var document = new DefinitionBuilder().Add(Start()).BuildObject();
        document["root"]!["activities"]![0]!["nodeId"] = "Workflow1:root:my-start";

        var result = Reader.Read(document);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal("Workflow1:root:my-start", Single<StartActivity>(result.Blueprint!, "start").NodeId);
    }

    [Fact]
    public void Read_Elsa30ConnectionFormat_IsAccepted()
    {
        var json = new DefinitionBuilder()
            .Add(Start(), Decision("decide", Literal("true", "Boolean")), End())
            .AddConnection(new JsonObject { ["source"] = "start", ["target"] = "decide", ["sourcePort"] = "Done", ["targetPort"] = "In" })
            .AddConnection(new JsonObject { ["source"] = "decide", ["target"] = "end", ["sourcePort"] = "True", ["targetPort"] = "In" })
            .Build();

        var result = Reader.Read(json);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var connections = result.Blueprint!.Definition.Root.Connections;
        Assert.Equal([new Connection("start", "Done", "decide", "In"), new Connection("decide", "True", "end", "In")], connections);
    }

    // ---- invalid documents ----

    [Fact]
    public void Read_FiveDifferentProblems_ReportsEveryOneNamingTheActivity()
    {
        var json = new DefinitionBuilder()
            .Add(
                Start(),
                Activity("mystery", "Acme.Unknown"),
                Activity("no-milestone", "ThiDua.UnitTask", ("title", Literal("Báo cáo")), ("dueDate", Literal("2024-03-15", "DateOnly"))),
                UnitTask("bad-deadline", "vào một ngày đẹp trời"),
                End("orphan"))
            .Connect("start", "no-milestone")
            .Connect("no-milestone", "bad-deadline")
            .Connect("start", "ghost")
            .Build();

        var result = Reader.Read(json);

        Assert.False(result.IsValid);
        Assert.Null(result.Blueprint);
        Assert.Equal(5, result.Problems.Count);
        AssertProblem(result, "unknown activity type 'Acme.Unknown'");
        Assert.Contains(result.Problems, p => p.Path.Contains("(mystery)", StringComparison.Ordinal) && p.Message.Contains("unknown activity type", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Path.EndsWith("(no-milestone).milestone", StringComparison.Ordinal) && p.Message.Contains("required", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Path.EndsWith("(bad-deadline).dueDate", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Path.Contains("orphan", StringComparison.Ordinal) && p.Message.Contains("unreachable", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Message.Contains("dangling connection", StringComparison.Ordinal) && p.Message.Contains("'ghost'", StringComparison.Ordinal));
    }

    [Fact]
    public void GetBlueprintOrThrow_InvalidDefinition_ThrowsWithEveryProblem()
    {
        var json = new DefinitionBuilder().Add(Start(), Activity("a", "Acme.One"), Activity("b", "Acme.Two")).Build();

        var e = Assert.Throws<InvalidWorkflowDefinitionException>(() => Reader.Read(json).GetBlueprintOrThrow());

        Assert.Equal(2, e.Problems.Count);
        Assert.Contains("Acme.One", e.Message, StringComparison.Ordinal);
        Assert.Contains("Acme.Two", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"definitionId\": ")]
    [InlineData("not json at all")]
    [InlineData("")]
    public void Read_BadJson_ReportsInvalidJson(string json)
    {
        var result = Reader.Read(json);

        var problem = Assert.Single(result.Problems);
        Assert.Equal("$", problem.Path);
        Assert.StartsWith("invalid JSON", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"workflow\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void Read_NonObjectJson_ReportsNotAnObject(string json)
    {
        var result = Reader.Read(json);

        var problem = Assert.Single(result.Problems);
        Assert.Contains("must be a JSON object", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("JavaScript")]
    [InlineData("CSharp")]
    [InlineData("Liquid")]
    public void Read_UnsupportedExpressionSyntax_IsAProblem(string syntax)
    {
        var json = new DefinitionBuilder()
            .Add(Start(), Activity("wait", "Elsa.Delay", ("timeSpan", Input(syntax, "return '1.00:00:00';", "TimeSpan"))))
            .Chain("start", "wait")
            .Build();

        var result = Reader.Read(json);

        var problem = Assert.Single(result.Problems);
        Assert.EndsWith("(wait).timeSpan", problem.Path, StringComparison.Ordinal);
        Assert.Contains($"'{syntax}' is not supported", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownOutcomePort_IsAProblem()
    {
        var json = new DefinitionBuilder()
            .Add(Start(), SetVariable("set", "x", "1"), End())
            .Chain("start", "set")
            .Connect("set", "end", port: "True")
            .Build();

        var result = Reader.Read(json);

        // The End is then unreachable too; both are reported.
        AssertProblem(result, "activity 'set' (Elsa.SetVariable) has no outcome port 'True' (ports: Done)");
        AssertProblem(result, "'end' is unreachable");
    }

    [Fact]
    public void Read_ForkBranchPort_IsAKnownPort()
    {
        var json = new DefinitionBuilder()
            .Add(Start(), Fork("fork", "a", "b"), End("end-a"), End("end-b"))
            .Chain("start", "fork")
            .Connect("fork", "end-a", "a")
            .Connect("fork", "end-b", "b")
            .Build();

        Assert.Empty(Reader.Read(json).Problems);
    }

    [Fact]
    public void Read_CycleOfNonWaitingActivities_IsAProblem()
    {
        var json = new DefinitionBuilder()
            .Add(Start(), SetVariable("a", "x", "1"), SetVariable("b", "x", "2"))
            .Chain("start", "a", "b", "a")
            .Build();

        var result = Reader.Read(json);

        var problem = Assert.Single(result.Problems);
        Assert.Contains("has no waiting activity", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CycleThroughAWaitingActivity_IsValid()
    {
        var json = new DefinitionBuilder()
            .Add(Start(), SetVariable("a", "x", "1"), Delay("wait", "1.00:00:00"))
            .Chain("start", "a", "wait", "a")
            .Build();

        Assert.Empty(Reader.Read(json).Problems);
    }

    [Fact]
    public void Read_NestingDeeperThanLimit_IsAProblem()
    {
        var inner = new DefinitionBuilder("level-40").Add(Start("start-40")).AsActivity();
        for (var level = 39; level >= 1; level--)
            inner = new DefinitionBuilder($"level-{level}").Add(inner).AsActivity();
        var json = new DefinitionBuilder().Add(inner).Build();

        var result = Reader.Read(json);

        Assert.False(result.IsValid);
        AssertProblem(result, $"nested deeper than {WorkflowDefinitionReader.MaxNesting} levels");
    }

    /// <summary>Flowcharts level-1 … level-<paramref name="levels"/>, each holding a Start connected to the next level (issue 15.4).</summary>
    private static string ConnectedNesting(int levels)
    {
        var inner = new DefinitionBuilder($"level-{levels}").Add(Start($"start-{levels}")).AsActivity();
        for (var level = levels - 1; level >= 1; level--)
            inner = new DefinitionBuilder($"level-{level}").Add(Start($"start-{level}"), inner).Chain($"start-{level}", $"level-{level + 1}").AsActivity();
        return new DefinitionBuilder().Add(Start(), inner).Chain("start", "level-1").Build();
    }

    [Fact]
    public void Read_200LevelsDeep_ReportsTheNestingRuleNotInvalidJson()
    {
        var result = Reader.Read(ConnectedNesting(200));

        var problem = Assert.Single(result.Problems);
        Assert.Contains($"nested deeper than {WorkflowDefinitionReader.MaxNesting} levels", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("invalid JSON", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_40LevelsDeep_ReportsTheDepthAloneWithAShortPath()
    {
        var result = Reader.Read(ConnectedNesting(40));

        // No false "dangling connection" for the connection to the subtree that is too deep.
        var problem = Assert.Single(result.Problems);
        Assert.Contains($"nested deeper than {WorkflowDefinitionReader.MaxNesting} levels", problem.Message, StringComparison.Ordinal);
        // The path names the first and last few activities, not all 33.
        Assert.True(problem.Path.Length < 160, problem.Path);
        Assert.StartsWith("root(root)/activities[1](level-1)/activities[1](level-2)", problem.Path, StringComparison.Ordinal);
        Assert.Contains("…", problem.Path, StringComparison.Ordinal);
        Assert.EndsWith("/activities[1](level-31)/activities[1](level-32).activities", problem.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NestingAtTheLimit_IsValid()
    {
        // The root is depth 0; its activities are depth 1; the innermost Start is at MaxNesting.
        var inner = new DefinitionBuilder($"level-{WorkflowDefinitionReader.MaxNesting - 1}").Add(Start("deepest")).AsActivity();
        for (var level = WorkflowDefinitionReader.MaxNesting - 2; level >= 1; level--)
            inner = new DefinitionBuilder($"level-{level}").Add(inner).AsActivity();
        var json = new DefinitionBuilder().Add(inner).Build();

        Assert.Empty(Reader.Read(json).Problems);
    }

    [Fact]
    public void Read_DuplicateIdsInOneFlowchart_IsAProblem()
    {
        var json = new DefinitionBuilder()
            .Add(Start(), SetVariable("same", "x", "1"), SetVariable("same", "y", "2"))
            .Chain("start", "same")
            .Build();

        var result = Reader.Read(json);

        Assert.False(result.IsValid);
        AssertProblem(result, "duplicate activity id 'same'");
    }

    [Fact]
    public void Read_DuplicateIdsAcrossNestedFlowcharts_IsAProblem()
    {
        var body = new DefinitionBuilder("body").Add(SetVariable("start", "x", "1")).AsActivity();
        var json = new DefinitionBuilder().Add(Start(), ForEachUnit("each", body)).Chain("start", "each").Build();

        var result = Reader.Read(json);

        var problem = Assert.Single(result.Problems);
        Assert.Contains("duplicate activity id 'start'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ForEachUnitWithoutBody_IsAProblem()
    {
        var each = Activity("each", "ThiDua.ForEachUnit");
        var json = new DefinitionBuilder().Add(Start(), each).Chain("start", "each").Build();

        var result = Reader.Read(json);

        var problem = Assert.Single(result.Problems);
        Assert.EndsWith("(each).body", problem.Path, StringComparison.Ordinal);
    }
}
