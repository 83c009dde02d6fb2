using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Tests.Infrastructure;
using static WorkflowHost.Server.Tests.Designer.StudioModels;

namespace WorkflowHost.Server.Tests.Designer;

/// <summary>
/// What the designer saves is what the engine runs: a definition loaded into the studio and saved back
/// unchanged simulates exactly like the original file, and one built from scratch runs at once.
/// </summary>
public sealed class DesignerRoundTripTests : IDisposable
{
    private static readonly DateTimeOffset PlanStart = PlanTime.AtLocal(new DateOnly(2021, 8, 1), new TimeOnly(8, 0));

    private readonly DesignerHost _host = new();

    private static UnitDirectory TuanGiaoDirectory => UnitDirectory.Parse(File.ReadAllText(RepoPaths.Of("config/units/tuan-giao.json")));

    /// <summary>Simulates <paramref name="definitionJson"/> on the engine alone (in-memory store, virtual clock from the plan start).</summary>
    private static async Task<SimulationResult> SimulateAsync(string definitionJson, string definitionId, int? version, Scenario scenario)
    {
        var clock = new VirtualTimeProvider(PlanStart);
        var store = new InMemoryWorkflowStore();
        var source = new InMemoryDefinitionSource().AddDirectory(TuanGiaoDirectory).AddDefinition(definitionJson);
        var runtime = new WorkflowRuntime(store, source, clock);
        return await new PlanSimulator(runtime, clock, store).RunAsync(
            new StartWorkflowRequest { DefinitionId = definitionId, Version = version, Directory = "tuan-giao", InstanceId = "sim" },
            scenario, DateTimeOffset.MaxValue, CancellationToken.None);
    }

    private static List<string> Lines(IEnumerable<JournalEntry> journal) =>
        [.. journal.Select(e => string.Join(" | ", PlanTime.Format(e.At), e.Event, e.ActivityId, e.ActivityType, e.UnitCode, e.TaskId, e.Milestone, e.Actor, e.Detail))];

    [Fact]
    public async Task RoundTrip_TuanGiaoSavedBackUnchangedAndPublished_SimulatesToTheSameJournal()
    {
        var loaded = (await _host.GetJsonAsync($"workflow-definitions/by-definition-id/{DesignerHost.TuanGiao}?versionOptions=Latest")).AsObject();
        var (status, body) = await _host.SaveAsync(loaded, publish: true);
        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}");
        var saved = body!["workflowDefinition"]!.AsObject();
        Assert.Equal((2, true, true), ((int)saved["version"]!, (bool)saved["isLatest"]!, (bool)saved["isPublished"]!));
        Assert.Empty(body["problems"]!.AsObject());
        var stored = (await _host.VersionsAsync(DesignerHost.TuanGiao)).Single(v => v.Version == 2);
        Assert.True(JsonNode.DeepEquals(loaded["root"], JsonNode.Parse(stored.Json)!["root"]), "the saved root is the loaded root");

        var scenario = Scenario.Parse(File.ReadAllText(RepoPaths.Of("config/scenarios/tuan-giao-typical.json")));
        var original = await SimulateAsync(File.ReadAllText(RepoPaths.Of("workflows/tuan-giao-2021-2025.json")), DesignerHost.TuanGiao, 1, scenario);
        var roundTripped = await SimulateAsync(stored.Json, DesignerHost.TuanGiao, 2, scenario);

        Assert.True(original.Journal.Count > 1000, $"the plan runs for years: {original.Journal.Count} entries");
        // The only difference: the version the instance runs, named when it starts.
        Assert.Equal($"{DesignerHost.TuanGiao} v1", original.Journal[0].Detail);
        Assert.Equal($"{DesignerHost.TuanGiao} v2", roundTripped.Journal[0].Detail);
        roundTripped.Journal[0].Detail = original.Journal[0].Detail;
        Assert.Equal(Lines(original.Journal), Lines(roundTripped.Journal));
        Assert.Equal(original.Tasks.Select(t => (t.Id, t.Status, t.DueDate)), roundTripped.Tasks.Select(t => (t.Id, t.Status, t.DueDate)));
    }

    [Fact]
    public async Task FromScratch_ForEachUnitWithADeadlineUnitTask_PublishedExecutedAndSimulated()
    {
        var model = ForEachUnitPlan(null, "trước ngày 15/10/2021");
        // As the studio writes edited inputs of new activities: typeName null; multitext and checklist values are JSON string arrays.
        var each = model["root"]!["activities"]![1]!.AsObject();
        each["unitGroups"] = new JsonObject { ["typeName"] = null, ["expression"] = new JsonObject { ["type"] = "Object", ["value"] = "[\"KHOI-QLNN\"]" } };
        each["body"]!["activities"]![0]!["reminderDays"] = new JsonObject { ["typeName"] = null, ["expression"] = new JsonObject { ["type"] = "Object", ["value"] = "[\"10\",\"3\"]" } };
        var (status, body) = await _host.SaveAsync(model, publish: true);
        Assert.True(status == HttpStatusCode.Created, $"{(int)status} {body}");
        var definition = body!["workflowDefinition"]!.AsObject();
        var definitionId = (string)definition["definitionId"]!;
        Assert.True((bool)definition["isPublished"]!);
        var body1 = definition["root"]!["activities"]![1]!["body"]!.AsObject();
        Assert.Equal("Workflow1:root-1:each-1:body-1", (string?)body1["nodeId"]);
        Assert.Equal("Workflow1:root-1:each-1:body-1:task-1", (string?)body1["activities"]![0]!["nodeId"]);

        // Run it (the studio's Run button): one registration task per unit of the group, due 14/10/2021.
        var (runStatus, run) = await _host.PostAsync($"workflow-definitions/{definitionId}/execute", new JsonObject());
        Assert.True(runStatus == HttpStatusCode.OK, $"{(int)runStatus} {run}");
        var instanceId = (string)run!["workflowState"]!["id"]!;
        var group = TuanGiaoDirectory.Units.Where(u => u.Group == "KHOI-QLNN" && u.Active).Select(u => u.Code).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(group);
        await using (var db = _host.Db())
        {
            var tasks = await db.Tasks.AsNoTracking().Where(t => t.InstanceId == instanceId).ToListAsync();
            Assert.Equal(group, tasks.Select(t => t.UnitCode).Order(StringComparer.Ordinal));
            Assert.All(tasks, t => Assert.Equal((new DateOnly(2021, 10, 14), UnitTaskKind.Registration, "registration-2021", "10,3"), (t.DueDate, t.Kind, t.Milestone, t.ReminderDays)));
        }

        // Simulate the same saved version to its end: reminders 10 days before the due date, every unit submits two days early and is accepted; the plan ends.
        var stored = Assert.Single(await _host.VersionsAsync(definitionId));
        var result = await SimulateAsync(stored.Json, definitionId, null, new Scenario());
        Assert.Equal(group, result.Tasks.Select(t => t.UnitCode).Order(StringComparer.Ordinal));
        Assert.All(result.Tasks, t => Assert.Equal(UnitTaskStatus.Done, t.Status));
        Assert.Equal(group.Count, result.Journal.Count(e => e.Event == "ReminderSent" && e.At == PlanTime.AtLocal(new DateOnly(2021, 10, 4), new TimeOnly(8, 0))));
        Assert.Contains(result.Journal, e => e.Event == "End");
    }

    public void Dispose() => _host.Dispose();
}
