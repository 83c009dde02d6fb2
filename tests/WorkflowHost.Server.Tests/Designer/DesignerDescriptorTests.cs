using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Activities;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Designer;

public sealed class DesignerDescriptorTests : IDisposable
{
    private readonly DesignerHost _host = new();

    private async Task<List<JsonObject>> DescriptorsAsync()
    {
        var body = await _host.GetJsonAsync("descriptors/activities?Refresh=True");
        var items = body["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        Assert.Equal(items.Count, (int)body["count"]!);
        return items;
    }

    private static JsonObject Input(JsonObject descriptor, string name) =>
        descriptor["inputs"]!.AsArray().Single(i => (string?)i!["name"] == name)!.AsObject();

    private static List<(string? Name, string? Type)> Ports(JsonObject descriptor) =>
        [.. descriptor["ports"]!.AsArray().Select(p => ((string?)p!["name"], (string?)p["type"]))];

    [Fact]
    public async Task Activities_EveryRegistryType_HasExactlyOneDescriptorAndViceVersa()
    {
        var descriptors = await DescriptorsAsync();
        var registry = ActivityRegistry.Default.Descriptors.ToList();
        Assert.Equal(registry.Select(d => d.TypeName).Order(StringComparer.Ordinal), descriptors.Select(d => (string)d["typeName"]!).Order(StringComparer.Ordinal));
        Assert.Contains(descriptors, d => (string?)d["typeName"] == "Elsa.Flowchart" && (bool)d["isContainer"]!);
        foreach (var engine in registry)
        {
            var d = descriptors.Single(x => (string?)x["typeName"] == engine.TypeName);
            Assert.Equal(engine.Attribute.Version, (int)d["version"]!);
            Assert.Equal(engine.Attribute.Category, (string?)d["category"]);
            Assert.Equal(engine.Attribute.Kind, (string?)d["kind"]);
            Assert.Equal(engine.Attribute.IsStart, (bool)d["isStart"]!);
            Assert.Equal(engine.Attribute.IsTerminal, (bool)d["isTerminal"]!);
            Assert.Equal(engine.Inputs.Select(i => i.Property.Name), d["inputs"]!.AsArray().Select(i => (string)i!["name"]!));
            Assert.Equal(engine.EmbeddedPorts.Count, Ports(d).Count(p => p.Type == "Embedded"));
        }
        Assert.Empty(Ports(descriptors.Single(d => (string?)d["typeName"] == "Elsa.End")));
        Assert.Equal([("True", "Flow"), ("False", "Flow")], Ports(descriptors.Single(d => (string?)d["typeName"] == "Elsa.FlowDecision")));
    }

    [Fact]
    public async Task Activities_UnitTask_VietnameseTextsDeadlineDueDateAndKindDropdownFromTheEnum()
    {
        var task = (await DescriptorsAsync()).Single(d => (string?)d["typeName"] == "ThiDua.UnitTask");
        Assert.Equal("Nhiệm vụ của đơn vị", (string?)task["displayName"]);
        Assert.Equal("Thi đua – Khen thưởng", (string?)task["category"]);
        Assert.Equal("ThiDua", (string?)task["namespace"]);
        Assert.Equal("Task", (string?)task["kind"]);
        Assert.StartsWith("Một nhiệm vụ của một đơn vị", (string?)task["description"], StringComparison.Ordinal);
        Assert.Equal([("Done", "Flow"), ("DoneLate", "Flow")], Ports(task));

        var due = Input(task, "DueDate");
        Assert.Equal("Hạn", (string?)due["displayName"]);
        Assert.Equal("DateOnly", (string?)due["typeName"]);
        Assert.Equal("Deadline", (string?)due["defaultSyntax"]);
        Assert.Equal("singleline", (string?)due["uiHint"]);
        Assert.Contains("trước ngày 15/10/2021", (string?)due["description"], StringComparison.Ordinal);

        var kind = Input(task, "Kind");
        Assert.Equal("dropdown", (string?)kind["uiHint"]);
        Assert.Equal("Report", (string?)kind["defaultValue"]);
        var items = kind["uiSpecifications"]!["dropdown"]!["selectList"]!["items"]!.AsArray();
        Assert.Equal(Enum.GetNames<UnitTaskKind>(), items.Select(i => (string)i!["value"]!));
        Assert.Equal("Kế hoạch của đơn vị", (string?)items[0]!["text"]);

        Assert.Equal("multitext", (string?)Input(task, "ReminderDays")["uiHint"]);
        Assert.Equal("[7,1]", (string?)Input(task, "ReminderDays")["defaultValue"]);
        Assert.Equal("multitext", (string?)Input(task, "Escalation")["uiHint"]);
        Assert.Equal("Literal", (string?)Input(task, "Title")["defaultSyntax"]);
    }

    [Fact]
    public async Task Activities_ForEachUnit_EmbeddedBodyAndUnitGroupsChecklistFromTheDatabase()
    {
        var each = (await DescriptorsAsync()).Single(d => (string?)d["typeName"] == "ThiDua.ForEachUnit");
        Assert.Equal("Lặp theo đơn vị", (string?)each["displayName"]);
        Assert.Equal([("Done", "Flow"), ("Body", "Embedded")], Ports(each));
        Assert.Equal("Nội dung", (string?)each["ports"]![1]!["displayName"]);

        var groups = Input(each, "UnitGroups");
        Assert.Equal("checklist", (string?)groups["uiHint"]);
        var items = groups["uiSpecifications"]!["checklist"]!["checkList"]!["items"]!.AsArray();
        var directory = UnitDirectory.Parse(File.ReadAllText(RepoPaths.Of("config/units/tuan-giao.json")));
        Assert.Equal(directory.Groups.Select(g => g.Code), items.Select(i => (string)i!["value"]!));
        Assert.Equal($"{directory.Groups[0].Name} ({directory.Groups[0].Code})", (string?)items[0]!["text"]);
        Assert.Equal("multitext", (string?)Input(each, "UnitCodes")["uiHint"]);
    }

    [Fact]
    public async Task Activities_FlowControlAndPrimitives_DynamicForkPortsJoinModeDropdownTypedInstantsUnwrappedVariable()
    {
        var fork = (await DescriptorsAsync()).Single(d => (string?)d["typeName"] == "Elsa.FlowFork");
        Assert.Equal("dynamic-outcomes", (string?)Input(fork, "Branches")["uiHint"]);
        Assert.Equal("String[]", (string?)Input(fork, "Branches")["typeName"]);
        Assert.Empty(Ports(fork));
        var join = (await DescriptorsAsync()).Single(d => (string?)d["typeName"] == "Elsa.FlowJoin");
        Assert.Equal(["WaitAll", "WaitAny"], Input(join, "Mode")["uiSpecifications"]!["dropdown"]!["selectList"]!["items"]!.AsArray().Select(i => (string)i!["value"]!));
        var startAt = (await DescriptorsAsync()).Single(d => (string?)d["typeName"] == "Elsa.StartAt");
        Assert.Equal(("singleline", "Literal"), ((string?)Input(startAt, "DateTime")["uiHint"], (string?)Input(startAt, "DateTime")["defaultSyntax"]));
        var setVariable = (await DescriptorsAsync()).Single(d => (string?)d["typeName"] == "Elsa.SetVariable");
        Assert.False((bool)Input(setVariable, "Variable")["isWrapped"]!);
    }

    [Fact]
    public async Task Activities_FetchedAgain_ServedFromCacheUntilADirectoryChanges()
    {
        var first = await _host.Client.GetByteArrayAsync(new Uri("descriptors/activities?Refresh=True", UriKind.Relative));
        var second = await _host.Client.GetByteArrayAsync(new Uri("descriptors/activities?Refresh=True", UriKind.Relative));
        Assert.Equal(first, second);

        await using (var db = _host.Db())
        {
            var stored = await db.Directories.SingleAsync(d => d.Name == "tuan-giao");
            var directory = UnitDirectory.Parse(stored.Json);
            stored.Json = System.Text.Json.JsonSerializer.Serialize(new UnitDirectory
            {
                Directory = directory.Directory,
                Name = directory.Name,
                Secretariat = directory.Secretariat,
                Leaders = directory.Leaders,
                Groups = [.. directory.Groups, new UnitGroup("CUM-MOI", "Cụm thi đua mới")],
                Units = directory.Units,
            }, UnitDirectory.SerializerOptions);
            stored.UpdatedAt = stored.UpdatedAt.AddMinutes(1);
            await db.SaveChangesAsync();
        }
        var third = await DescriptorsAsync();
        var items = Input(third.Single(d => (string?)d["typeName"] == "ThiDua.ForEachUnit"), "UnitGroups")["uiSpecifications"]!["checklist"]!["checkList"]!["items"]!.AsArray();
        Assert.Equal("CUM-MOI", (string?)items[^1]!["value"]);
    }

    [Fact]
    public async Task ExpressionDescriptors_OnlyTheEngineSyntaxes_DeadlineBrowsable()
    {
        var body = await _host.GetJsonAsync("descriptors/expression-descriptors");
        var items = body["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        Assert.Equal(["Literal", "Object", "Json", "Variable", "Deadline"], items.Select(i => (string)i["type"]!));
        var deadline = items.Single(i => (string?)i["type"] == "Deadline");
        Assert.Equal("""{"type":"Deadline","displayName":"Hạn (cụm từ)","isSerializable":true,"isBrowsable":true,"properties":{"MonacoLanguage":"plaintext"}}""",
            deadline.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.Equal(["Deadline"], items.Where(i => (bool)i["isBrowsable"]!).Select(i => (string)i["type"]!));
        Assert.DoesNotContain(items, i => (string?)i["type"] is "JavaScript" or "CSharp" or "Liquid");
    }

    [Theory]
    [InlineData("descriptors/workflow-activation-strategies")]
    [InlineData("descriptors/log-persistence-strategies")]
    [InlineData("descriptors/incident-strategies")]
    [InlineData("descriptors/commit-strategies/workflows")]
    [InlineData("features/installed")]
    public async Task Lists_NothingToChooseFrom_EmptyListWithCount(string url)
    {
        var body = await _host.GetJsonAsync(url);
        Assert.Empty(body["items"]!.AsArray());
        Assert.Equal(0, (int)body["count"]!);
    }

    [Fact]
    public async Task VariablesAndStorageDrivers_ListTheirItems()
    {
        var variables = (await _host.GetJsonAsync("descriptors/variables"))["items"]!.AsArray();
        Assert.Contains(variables, v => (string?)v!["typeName"] == "String" && (string?)v["category"] == "Primitives");
        var drivers = (await _host.GetJsonAsync("descriptors/storage-drivers"))["items"]!.AsArray();
        Assert.Single(drivers);
        Assert.False((bool)drivers[0]!["deprecated"]!);
    }

    public void Dispose() => _host.Dispose();
}
