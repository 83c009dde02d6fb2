using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Server.Tests.Infrastructure;
using static WorkflowHost.Server.Tests.Designer.StudioModels;

namespace WorkflowHost.Server.Tests.Designer;

public sealed class DesignerDefinitionTests : IDisposable
{
    private readonly DesignerHost _host = new();

    /// <summary>Every activity object (root included), with the path of its parent.</summary>
    private static IEnumerable<JsonObject> Activities(JsonObject activity)
    {
        yield return activity;
        foreach (var (name, value) in activity)
        {
            if (name == "activities" && value is JsonArray children)
                foreach (var child in children.OfType<JsonObject>())
                    foreach (var a in Activities(child)) yield return a;
            if (name is not ("metadata" or "customProperties") && value is JsonObject nested && nested["type"] is not null && nested["id"] is not null)
                foreach (var a in Activities(nested)) yield return a;
        }
    }

    private static void AssertNodeIds(JsonObject definition)
    {
        var all = Activities(definition["root"]!.AsObject()).ToList();
        Assert.All(all, a => Assert.False(string.IsNullOrWhiteSpace((string?)a["nodeId"]), $"activity {a["id"]} has no nodeId"));
        Assert.Equal(all.Count, all.Select(a => (string)a["nodeId"]!).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task GetByDefinitionId_TuanGiao_LatestPublishedWithPublishLinkAndNodeIds()
    {
        var definition = (await _host.GetJsonAsync($"workflow-definitions/by-definition-id/{DesignerHost.TuanGiao}?versionOptions=Latest")).AsObject();
        Assert.Equal(DesignerHost.TuanGiao, (string?)definition["definitionId"]);
        Assert.Equal($"{DesignerHost.TuanGiao}-v1", (string?)definition["id"]);
        Assert.StartsWith("Kế hoạch xây dựng, nhân rộng mô hình, điển hình tiên tiến huyện Tuần Giáo", (string?)definition["name"], StringComparison.Ordinal);
        Assert.Equal(1, (int)definition["version"]!);
        Assert.True((bool)definition["isLatest"]!);
        Assert.True((bool)definition["isPublished"]!);
        Assert.False((bool)definition["isReadonly"]!);
        Assert.Equal("Json", (string?)definition["materializerName"]);
        Assert.NotNull(definition["options"]);
        var links = definition["links"]!.AsArray();
        Assert.Contains(links, l => (string?)l!["rel"] == "publish" && (string?)l["method"] == "POST" && (string?)l["href"] == $"/workflow-definitions/{DesignerHost.TuanGiao}/publish");
        AssertNodeIds(definition);
        Assert.Equal("Workflow1:root", (string?)definition["root"]!["nodeId"]);
        var original = Read("workflows/tuan-giao-2021-2025.json");
        Assert.True(JsonNode.DeepEquals(original["root"], definition["root"]), "the root comes back as the file has it");
    }

    [Fact]
    public async Task GetByDefinitionId_Unknown_Returns404()
    {
        var (status, _) = await _host.SendAsync(HttpMethod.Get, "workflow-definitions/by-definition-id/no-such-plan");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    /// <summary>
    /// The studio's real requests. Drafts are stored whatever they hold; publishing needs a definition the
    /// engine runs. The captures come from a probe against stub servers and use Elsa activities our engine
    /// does not run (Elsa.WriteLine, Elsa.ForEach, Elsa.ParallelForEach) and fresh activities without their
    /// required inputs, so the publish clicks are refused with every problem listed and the draft kept.
    /// </summary>
    [Theory]
    [InlineData("autosave-after-drop.request.json", HttpStatusCode.Created, false, "Elsa.WriteLine")]
    [InlineData("saved-rich-request.json", HttpStatusCode.Created, false, "Elsa.ParallelForEach")]
    [InlineData("saved-create-from-list-request.json", HttpStatusCode.Created, true, null)]
    [InlineData("publish-click.request.json", HttpStatusCode.BadRequest, false, "branches")]
    [InlineData("saved-new-publish-request.json", HttpStatusCode.BadRequest, false, "eventName")]
    public async Task Save_StudioExampleRequests_StoredWithNodeIdsUnderTheDraftAndPublishRule(string file, HttpStatusCode expected, bool valid, string? problem)
    {
        var request = Example(file);
        var model = request["model"]!.AsObject();
        var (status, body) = await _host.PostAsync("workflow-definitions", request);
        Assert.True(expected == status, $"{file}: {(int)status} {body}");

        var definitionId = (string?)model["definitionId"] ?? (string)body!["workflowDefinition"]!["definitionId"]!;
        var stored = Assert.Single(await _host.VersionsAsync(definitionId));
        Assert.True(stored.IsLatest);
        Assert.False(stored.IsPublished);
        var json = JsonNode.Parse(stored.Json)!.AsObject();
        AssertNodeIds(json);
        // Everything the studio drew comes back: same activities, same positions.
        var posted = Activities(model["root"]!.AsObject()).Select(a => ((string?)a["id"], a["metadata"]?.ToJsonString())).Where(a => a.Item1 is not null);
        Assert.Equal(posted, Activities(json["root"]!.AsObject()).Select(a => ((string?)a["id"], a["metadata"]?.ToJsonString())));
        Assert.Equal(valid, _host.Runtime.Read(stored.Json).IsValid);

        var problems = status == HttpStatusCode.BadRequest ? DesignerHost.Errors(body) : [.. (body!["problems"]!.AsObject()).SelectMany(p => p.Value!.AsArray().Select(m => $"{p.Key} => {m}"))];
        if (problem is null) Assert.Empty(problems);
        else Assert.Contains(problems, p => p.Contains(problem, StringComparison.Ordinal));
        if (status != HttpStatusCode.BadRequest)
        {
            var returned = body!["workflowDefinition"]!.AsObject();
            Assert.Contains(returned["links"]!.AsArray(), l => (string?)l!["rel"] == "publish");
            Assert.False((bool)body["alreadyPublished"]!);
            Assert.Equal(0, (int)body["consumingWorkflowCount"]!);
        }
    }

    [Fact]
    public async Task Save_AutosaveExampleWithoutTheElsaOnlyActivity_IsValidAndPublishes()
    {
        // The studio's own shapes (unwrapped SetVariable reference, null cc/bcc/attachments/error, String[] as Object) are accepted.
        var request = Example("autosave-after-drop.request.json");
        var activities = request["model"]!["root"]!["activities"]!.AsArray();
        activities.Remove(activities.Single(a => (string?)a!["type"] == "Elsa.WriteLine"));
        request["publish"] = true;
        var (status, body) = await _host.PostAsync("workflow-definitions", request);
        Assert.True(status == HttpStatusCode.Created, $"{(int)status} {body}");
        Assert.True((bool)body!["workflowDefinition"]!["isPublished"]!);
        Assert.Empty(body["problems"]!.AsObject());
        Assert.True(_host.Runtime.Read(Assert.Single(await _host.VersionsAsync("wf1")).Json).IsValid);
    }

    [Fact]
    public async Task Save_CreateFromList_AssignsIdsAndNormalizesTheRoot()
    {
        var (status, body) = await _host.PostAsync("workflow-definitions", Example("saved-create-from-list-request.json"));
        Assert.Equal(HttpStatusCode.Created, status);
        var created = body!["workflowDefinition"]!.AsObject();
        var definitionId = (string)created["definitionId"]!;
        Assert.Matches("^[0-9a-f]{16}$", definitionId);
        Assert.Equal($"{definitionId}-v1", (string?)created["id"]);
        Assert.Equal("Created from list", (string?)created["name"]);
        Assert.Equal(1, (int)created["version"]!);
        Assert.Equal(_host.Factory.Clock.GetUtcNow(), created["createdAt"]!.GetValue<DateTimeOffset>());
        foreach (var collection in new[] { "variables", "inputs", "outputs", "outcomes" }) Assert.Empty(created[collection]!.AsArray());
        Assert.NotNull(created["options"]!.AsObject());
        var root = created["root"]!.AsObject();
        Assert.Equal("b1fefdf3a3b0b13b", (string?)root["id"]);
        Assert.Equal("Workflow1:b1fefdf3a3b0b13b", (string?)root["nodeId"]);
        Assert.Empty(root["activities"]!.AsArray());
        Assert.Empty(root["connections"]!.AsArray());

        var reloaded = await _host.GetJsonAsync($"workflow-definitions/by-definition-id/{definitionId}");
        Assert.True(JsonNode.DeepEquals(created, reloaded));
    }

    [Fact]
    public async Task Save_DraftWithProblems_StoredAsPostedWithAbsentInputsLeftAbsent()
    {
        // A UnitTask dropped a moment ago: no inputs at all. Autosave stores it; the answer says what is missing.
        var root = Flowchart("root", [Activity("start", "Elsa.Start"), Activity("task", "ThiDua.UnitTask", 200)], [Connection("start", "task")]);
        var (status, body) = await _host.SaveAsync(Model("draft-1", "Bản nháp", root), publish: false);
        Assert.Equal(HttpStatusCode.Created, status);
        var problems = body!["problems"]!.AsObject();
        Assert.Contains(problems, p => p.Key.EndsWith("(task).dueDate", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Key.EndsWith("(task).title", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Key.EndsWith("(task).kind", StringComparison.Ordinal)); // has a default

        var saved = (await _host.GetJsonAsync("workflow-definitions/by-definition-id/draft-1"))["root"]!["activities"]![1]!.AsObject();
        Assert.Equal("Workflow1:root:task", (string?)saved["nodeId"]);
        Assert.False(saved.ContainsKey("dueDate"));
        Assert.False(saved.ContainsKey("kind"));
        Assert.False(saved.ContainsKey("reminderDays"));
    }

    [Fact]
    public async Task Save_PublishWithUnreadableDeadline_400ListsEveryProblemAndKeepsTheDraft()
    {
        var model = ForEachUnitPlan("bad-deadline", "hạn mơ hồ");
        model["root"]!["activities"]![1]!["body"]!["activities"]![0]!.AsObject().Remove("title");
        var (status, body) = await _host.SaveAsync(model, publish: true);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = body!["errors"]!.AsObject();
        var dueDate = Assert.Single(errors, e => e.Key.EndsWith("(task-1).dueDate", StringComparison.Ordinal));
        var message = (string)dueDate.Value![0]!;
        Assert.StartsWith("task-1.dueDate: ", message, StringComparison.Ordinal);
        Assert.Contains("hạn mơ hồ", message, StringComparison.Ordinal);
        Assert.Contains(errors, e => e.Key.EndsWith("(task-1).title", StringComparison.Ordinal));

        var stored = Assert.Single(await _host.VersionsAsync("bad-deadline"));
        Assert.False(stored.IsPublished);
        Assert.False(_host.Runtime.Read(stored.Json).IsValid);
        var (runStatus, runBody) = await _host.PostAsync("workflow-definitions/bad-deadline/execute", new JsonObject());
        Assert.Equal(HttpStatusCode.BadRequest, runStatus);
        Assert.Contains(DesignerHost.Errors(runBody), e => e.Contains("publish", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"publish":false}""", "model")]
    [InlineData("""{"model":{"definitionId":"x","root":{"id":"r","type":"Elsa.Sequence"}}}""", "root")]
    [InlineData("""{"model":{"definitionId":"bad id/with slash","root":null}}""", "definitionId")]
    [InlineData("""{"model":{"definitionId":"x","root":[1]}}""", "root")]
    [InlineData("""{"model":""", "$")]
    public async Task Save_UnusableModel_400AndNothingStored(string body, string path)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await _host.Client.PostAsync(new Uri("workflow-definitions", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(path), errors.ToJsonString());
        await using var db = _host.Db();
        Assert.Equal([DesignerHost.TuanGiao], await db.Definitions.Select(d => d.DefinitionId).ToListAsync());
    }

    [Fact]
    public async Task Versioning_TuanGiao_SaveOverPublishedMakesV2DraftThenPublishingV2RetiresV1()
    {
        var v1 = (await _host.GetJsonAsync($"workflow-definitions/by-definition-id/{DesignerHost.TuanGiao}")).AsObject();
        v1["description"] = "Bản sửa: mô tả mới";

        // Save over the published v1: version 2, a draft; v1 stays published (and read-only in the studio: not latest).
        var (status, body) = await _host.SaveAsync(v1, publish: false);
        Assert.Equal(HttpStatusCode.OK, status);
        var v2 = body!["workflowDefinition"]!.AsObject();
        Assert.Equal((2, true, false, $"{DesignerHost.TuanGiao}-v2"), ((int)v2["version"]!, (bool)v2["isLatest"]!, (bool)v2["isPublished"]!, (string?)v2["id"]));
        var versions = await _host.VersionsAsync(DesignerHost.TuanGiao);
        Assert.Equal([(1, false, true), (2, true, false)], versions.Select(v => (v.Version, v.IsLatest, v.IsPublished)));
        var old = await _host.GetJsonAsync($"workflow-definitions/by-definition-id/{DesignerHost.TuanGiao}?versionOptions=1");
        Assert.False((bool)old["isLatest"]!);
        Assert.True((bool)old["isPublished"]!);
        Assert.Equal(1, (int)(await _host.GetJsonAsync($"workflow-definitions/by-definition-id/{DesignerHost.TuanGiao}?versionOptions=Published"))["version"]!);

        // Autosave onto the v2 draft updates it in place.
        v2["description"] = "Bản sửa lần hai";
        (status, _) = await _host.SaveAsync(v2, publish: false);
        Assert.Equal(HttpStatusCode.OK, status);
        versions = await _host.VersionsAsync(DesignerHost.TuanGiao);
        Assert.Equal(2, versions.Count);
        Assert.Equal("Bản sửa lần hai", (string?)JsonNode.Parse(versions[1].Json)!["description"]);

        // Publish v2 (the studio's cloud icon: publish:true): v1 is no longer published.
        (status, body) = await _host.SaveAsync(v2, publish: true);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True((bool)body!["workflowDefinition"]!["isPublished"]!);
        versions = await _host.VersionsAsync(DesignerHost.TuanGiao);
        Assert.Equal([(1, false, false), (2, true, true)], versions.Select(v => (v.Version, v.IsLatest, v.IsPublished)));
        Assert.All(versions, v => Assert.Equal(v.IsPublished, (bool)JsonNode.Parse(v.Json)!["isPublished"]!));

        // Version history, as the studio's tab asks for it.
        var history = await _host.GetJsonAsync($"workflow-definitions?versionOptions=AllVersions&Page=0&PageSize=10&DefinitionIds={DesignerHost.TuanGiao}&OrderBy=Version&OrderDirection=Descending");
        Assert.Equal(2, (int)history["totalCount"]!);
        var items = history["items"]!.AsArray();
        Assert.Equal([2, 1], items.Select(i => (int)i!["version"]!));
        Assert.Equal([true, false], items.Select(i => (bool)i!["isPublished"]!));
        Assert.Equal("Bản sửa lần hai", (string?)items[0]!["description"]);
        Assert.Contains(items[0]!["links"]!.AsArray(), l => (string?)l!["rel"] == "publish");
    }

    [Fact]
    public async Task Versioning_DraftThatAnInstanceRuns_IsNeverChangedInPlace()
    {
        var (status, _) = await _host.SaveAsync(ForEachUnitPlan("frozen", "trước ngày 15/10/2021"), publish: false);
        Assert.Equal(HttpStatusCode.Created, status);
        // The operator API can start any version by number, drafts included.
        var started = await _host.Client.PostAsync(new Uri("/api/instances", UriKind.Relative),
            System.Net.Http.Json.JsonContent.Create(new { definitionId = "frozen", version = 1, directory = "tuan-giao", instanceId = "frozen-run" }));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);

        var changed = ForEachUnitPlan("frozen", "trước ngày 20/10/2021");
        (status, var body) = await _host.SaveAsync(changed, publish: false);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, (int)body!["workflowDefinition"]!["version"]!);
        var versions = await _host.VersionsAsync("frozen");
        Assert.Contains("15/10/2021", versions[0].Json, StringComparison.Ordinal);
        Assert.Contains("20/10/2021", versions[1].Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Versioning_DraftChangedAfterItsBlueprintWasCached_RunsTheNewJson()
    {
        Assert.Equal(HttpStatusCode.Created, (await _host.SaveAsync(ForEachUnitPlan("cached", "trước ngày 15/10/2021"), publish: true)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _host.PostAsync("workflow-definitions/cached/retract", new JsonObject())).Status);
        // Something read v1 into the runtime's cache (a start that failed, a listing)…
        Assert.Equal(new DateOnly(2021, 10, 14), DueDate(await _host.Runtime.GetBlueprintAsync("cached", 1, CancellationToken.None)));
        // …then the draft v1 is edited in place and published.
        var (status, body) = await _host.SaveAsync(ForEachUnitPlan("cached", "trước ngày 25/10/2021"), publish: true);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, (int)body!["workflowDefinition"]!["version"]!);
        Assert.Equal(new DateOnly(2021, 10, 24), DueDate(await _host.Runtime.GetBlueprintAsync("cached", 1, CancellationToken.None)));

        var (runStatus, run) = await _host.PostAsync("workflow-definitions/cached/execute", new JsonObject { ["input"] = new JsonObject { ["directory"] = "tuan-giao" } });
        Assert.Equal(HttpStatusCode.OK, runStatus);
        await using var db = _host.Db();
        var instanceId = (string)run!["workflowState"]!["id"]!;
        var dueDates = await db.Tasks.Where(t => t.InstanceId == instanceId).Select(t => t.DueDate).Distinct().ToListAsync();
        Assert.Equal([new DateOnly(2021, 10, 24)], dueDates);

        static DateOnly DueDate(WorkflowBlueprint blueprint) =>
            Engine.Expressions.ExpressionEvaluator.Static.Evaluate<DateOnly>(blueprint.AllActivities.OfType<Engine.Activities.Domain.UnitTaskActivity>().Single().DueDate.Expression!);
    }

    [Fact]
    public async Task PublishRetractDelete_FromTheListMenu()
    {
        Assert.Equal(HttpStatusCode.Created, (await _host.SaveAsync(ForEachUnitPlan("menu", "trước ngày 15/10/2021"), publish: false)).Status);
        var (status, body) = await _host.PostAsync("workflow-definitions/menu/publish", new JsonObject());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True((bool)body!["isPublished"]!);
        Assert.Contains(body["links"]!.AsArray(), l => (string?)l!["rel"] == "retract");

        (status, body) = await _host.PostAsync("workflow-definitions/menu/retract", new JsonObject());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False((bool)body!["isPublished"]!);
        (status, _) = await _host.PostAsync("workflow-definitions/menu/retract", new JsonObject());
        Assert.Equal(HttpStatusCode.BadRequest, status);

        (status, _) = await _host.SendAsync(HttpMethod.Delete, "workflow-definitions/menu");
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Empty(await _host.VersionsAsync("menu"));
        (status, _) = await _host.SendAsync(HttpMethod.Delete, "workflow-definitions/menu");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _) = await _host.PostAsync("workflow-definitions/menu/publish", new JsonObject());
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Delete_DefinitionWithInstances_409AndKept()
    {
        var (status, _) = await _host.PostAsync($"workflow-definitions/{DesignerHost.TuanGiao}/execute", new JsonObject());
        Assert.Equal(HttpStatusCode.OK, status);
        (status, _) = await _host.SendAsync(HttpMethod.Delete, $"workflow-definitions/{DesignerHost.TuanGiao}");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Single(await _host.VersionsAsync(DesignerHost.TuanGiao));
    }

    [Fact]
    public async Task BulkActions_PublishRetractDelete()
    {
        Assert.Equal(HttpStatusCode.Created, (await _host.SaveAsync(ForEachUnitPlan("bulk-ok", "trước ngày 15/10/2021"), publish: false)).Status);
        Assert.Equal(HttpStatusCode.Created, (await _host.SaveAsync(ForEachUnitPlan("bulk-bad", "không phải hạn"), publish: false)).Status);
        var ids = new JsonObject { ["definitionIds"] = new JsonArray("bulk-ok", "bulk-bad", DesignerHost.TuanGiao, "none") };
        var (status, body) = await _host.PostAsync("bulk-actions/publish/workflow-definitions/by-definition-ids", ids);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"published":["bulk-ok"],"alreadyPublished":["tuan-giao-2021-2025"],"notFound":["none"],"skipped":["bulk-bad"]}""", body!.ToJsonString());
        (status, body) = await _host.PostAsync("bulk-actions/retract/workflow-definitions/by-definition-ids", ids);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"retracted":["bulk-ok","tuan-giao-2021-2025"],"alreadyRetracted":["bulk-bad"],"notFound":["none"]}""", body!.ToJsonString());
        (status, body) = await _host.PostAsync("bulk-actions/delete/workflow-definitions/by-definition-id", ids);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, (int)body!["deleted"]!);
    }

    [Fact]
    public async Task List_LatestVersionsSearchAndPaging_WithBulkPublishLink()
    {
        foreach (var (id, name) in new[] { ("plan-a", "Kế hoạch thi đua khối A"), ("plan-b", "Kế hoạch thi đua khối B"), ("other", "Báo cáo năm") })
        {
            var model = ForEachUnitPlan(id, "trước ngày 15/10/2021");
            model["name"] = name;
            Assert.Equal(HttpStatusCode.Created, (await _host.SaveAsync(model, publish: false)).Status);
        }
        var all = await _host.GetJsonAsync("workflow-definitions?versionOptions=Latest&Page=0&PageSize=10&IsSystem=False&OrderDirection=Ascending");
        Assert.Equal(4, (int)all["totalCount"]!);
        Assert.Contains(all["links"]!.AsArray(), l => (string?)l!["rel"] == "bulk-publish");
        var row = all["items"]!.AsArray().Single(i => (string?)i!["definitionId"] == "plan-a")!;
        foreach (var field in new[] { "id", "definitionId", "name", "description", "version", "toolVersion", "isLatest", "isPublished", "materializerName", "isMaterializerAvailable", "createdAt", "isReadonly", "links" })
            Assert.True(row.AsObject().ContainsKey(field), field);

        // Diacritics and case do not matter: "ke hoach" finds "Kế hoạch".
        var found = await _host.GetJsonAsync("workflow-definitions?versionOptions=Latest&SearchTerm=ke%20hoach%20THI%20dua&OrderDirection=Ascending");
        Assert.Equal(["plan-a", "plan-b"], found["items"]!.AsArray().Select(i => (string)i!["definitionId"]!));
        var page = await _host.GetJsonAsync("workflow-definitions?versionOptions=Latest&SearchTerm=ke%20hoach&Page=1&PageSize=1");
        Assert.Equal(3, (int)page["totalCount"]!);
        Assert.Single(page["items"]!.AsArray());

        var published = await _host.GetJsonAsync($"workflow-definitions?versionOptions=Published&DefinitionIds=plan-a&DefinitionIds={DesignerHost.TuanGiao}");
        Assert.Equal([DesignerHost.TuanGiao], published["items"]!.AsArray().Select(i => (string)i!["definitionId"]!));
        var (status, _) = await _host.SendAsync(HttpMethod.Get, "workflow-definitions?versionOptions=Sometimes");
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task IsNameUnique_ComparesOtherDefinitionsIgnoringCase()
    {
        var name = Uri.EscapeDataString(((string)Read("workflows/tuan-giao-2021-2025.json")["name"]!).ToUpperInvariant());
        Assert.False((bool)(await _host.GetJsonAsync($"workflow-definitions/validation/is-name-unique?name={name}"))["isUnique"]!);
        Assert.True((bool)(await _host.GetJsonAsync($"workflow-definitions/validation/is-name-unique?name={name}&definitionId={DesignerHost.TuanGiao}"))["isUnique"]!);
        Assert.True((bool)(await _host.GetJsonAsync("workflow-definitions/validation/is-name-unique?name=K%E1%BA%BF%20ho%E1%BA%A1ch%20m%E1%BB%9Bi"))["isUnique"]!);
    }

    [Fact]
    public async Task ExportThenImport_AsANewDefinition_PublishedAndRunnable()
    {
        var response = await _host.Client.GetAsync(new Uri($"workflow-definitions/{DesignerHost.TuanGiao}/export?versionOptions=1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{DesignerHost.TuanGiao}.json", response.Content.Headers.ContentDisposition?.FileName);
        var exported = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.False(exported.ContainsKey("links"));
        Assert.True(JsonNode.DeepEquals(Read("workflows/tuan-giao-2021-2025.json")["root"], exported["root"]));

        exported["definitionId"] = "tuan-giao-copy";
        var (status, body) = await _host.PostAsync("workflow-definitions/import", exported);
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("tuan-giao-copy", (string?)body!["definitionId"]);
        Assert.True((bool)body["isPublished"]!);
        Assert.Equal(HttpStatusCode.OK, (await _host.PostAsync("workflow-definitions/tuan-giao-copy/execute", new JsonObject())).Status);
    }

    [Fact]
    public async Task Execute_TuanGiao_StartsThePublishedVersionForTheOnlyDirectory()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"workflow-definitions/{DesignerHost.TuanGiao}/execute", UriKind.Relative))
        {
            Content = new StringContent("""{"correlationId":"c-1","input":{}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        var response = await _host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var state = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["workflowState"]!;
        var instanceId = (string)state["id"]!;
        Assert.Equal(instanceId, response.Headers.GetValues("x-elsa-workflow-instance-id").Single());
        Assert.Equal(("Running", "Suspended", 1, "c-1"), ((string?)state["status"], (string?)state["subStatus"], (int)state["definitionVersion"]!, (string?)state["correlationId"]));
        await using var db = _host.Db();
        var instance = await db.Instances.SingleAsync(i => i.Id == instanceId);
        Assert.Equal(("tuan-giao", 1), (instance.Directory, instance.DefinitionVersion));
        Assert.Equal(50, await db.Tasks.CountAsync(t => t.InstanceId == instanceId && t.Milestone == "unit-plan-2021"));
    }

    [Theory]
    [InlineData("""{"input":{"directory":"nowhere"}}""", "input.directory")]
    [InlineData("""{"versionOptions":"7"}""", "versionOptions")]
    [InlineData("""{"input":{"dateShiftDays":"soon"}}""", "input.dateShiftDays")]
    public async Task Execute_BadRequest_400NamesTheField(string body, string field)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await _host.Client.PostAsync(new Uri($"workflow-definitions/{DesignerHost.TuanGiao}/execute", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject().ContainsKey(field));
    }

    [Fact]
    public async Task Execute_DirectoryFromCustomProperties_WhenTheInputHasNone()
    {
        var model = ForEachUnitPlan("with-directory", "trước ngày 15/10/2021");
        model["customProperties"] = new JsonObject { ["directory"] = "nowhere" };
        Assert.Equal(HttpStatusCode.Created, (await _host.SaveAsync(model, publish: true)).Status);
        var (status, body) = await _host.PostAsync("workflow-definitions/with-directory/execute", new JsonObject());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(DesignerHost.Errors(body), e => e.Contains("'nowhere'", StringComparison.Ordinal));
        (status, _) = await _host.PostAsync("workflow-definitions/with-directory/execute", new JsonObject { ["input"] = new JsonObject { ["directory"] = "tuan-giao" } });
        Assert.Equal(HttpStatusCode.OK, status);
    }

    public void Dispose() => _host.Dispose();
}
