using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Tests.Api;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Amendments;

/// <summary>
/// Issue 5 over HTTP on the real server (SQLite file, virtual clock): a two-cadence plan built through
/// the Elsa API alone and simulated; due-date amendments, reminders, adding a unit, version migration
/// and next-period reuse through the secretariat's endpoints.
/// </summary>
public sealed class PlanRulesApiTests : IDisposable
{
    private readonly WorkflowHostFactory _factory = new();
    private readonly WebApplicationFactory<Program> _app;
    private readonly HttpClient _client;

    public PlanRulesApiTests()
    {
        _app = TestAuthHandler.WithTestUser(_factory);
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
        _factory.Dispose();
    }

    private WorkflowHostDbContext Db() => _app.Services.GetRequiredService<IDbContextFactory<WorkflowHostDbContext>>().CreateDbContext();

    private static JsonObject Input(string value, string typeName = "String", string syntax = "Literal") =>
        new() { ["typeName"] = typeName, ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = value } };

    private static JsonObject Connection(string source, string target, string port = "Done") => new()
    {
        ["source"] = new JsonObject { ["activity"] = source, ["port"] = port },
        ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" },
        ["vertices"] = new JsonArray(),
    };

    private static JsonObject ForEachGroup(string id, string group, string recurrence, string minimum) => new()
    {
        ["id"] = id,
        ["type"] = "ThiDua.ForEachUnit",
        ["version"] = 1,
        ["unitGroups"] = Input($"[\"{group}\"]", "String[]", "Object"),
        ["body"] = new JsonObject
        {
            ["id"] = id + "-body",
            ["type"] = "Elsa.Flowchart",
            ["version"] = 1,
            ["activities"] = new JsonArray(new JsonObject
            {
                ["id"] = id + "-nominate",
                ["type"] = "ThiDua.RecurringUnitTask",
                ["version"] = 1,
                ["kind"] = Input("Nomination"),
                ["milestone"] = Input("nomination-" + group.ToLowerInvariant()),
                ["title"] = Input("Giới thiệu gương điển hình tiên tiến {period}"),
                ["recurrence"] = Input(recurrence),
                ["from"] = Input("2022-01-01", "DateOnly"),
                ["to"] = Input("2022-12-31", "DateOnly"),
                ["dueOffsetDays"] = Input("5", "Int32"),
                ["minimum"] = Input(minimum),
            }),
            ["connections"] = new JsonArray(),
        },
    };

    /// <summary>
    /// The plan, as the studio posts it: the KHOI-QLNN group nominates at least 3 exemplars
    /// every quarter, the communes (CUM-XA-TT) at least 2 every six months, due 5 days after each period.
    /// </summary>
    [Fact]
    public async Task TwoCadencePlan_BuiltThroughTheElsaApi_PublishesAndSimulatesWithEachGroupsCadenceAndMinimum()
    {
        var model = new JsonObject
        {
            ["definitionId"] = "hai-nhip-2022",
            ["name"] = "Giới thiệu điển hình 2022 — hai nhịp theo khối",
            ["root"] = new JsonObject
            {
                ["id"] = "Flowchart1",
                ["type"] = "Elsa.Flowchart",
                ["version"] = 1,
                ["activities"] = new JsonArray(
                    new JsonObject { ["id"] = "start", ["type"] = "Elsa.Start", ["version"] = 1 },
                    new JsonObject { ["id"] = "fork", ["type"] = "Elsa.FlowFork", ["version"] = 1, ["branches"] = Input("[\"khoi\",\"cum\"]", "String[]", "Object") },
                    ForEachGroup("each-khoi", "KHOI-QLNN", "hằng quý", "ít nhất 03 điển hình"),
                    ForEachGroup("each-cum", "CUM-XA-TT", "định kỳ 6 tháng", "ít nhất 02 điển hình")),
                ["connections"] = new JsonArray(Connection("start", "fork"), Connection("fork", "each-khoi", "khoi"), Connection("fork", "each-cum", "cum")),
            },
        };
        var response = await _client.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = model, ["publish"] = true });
        var saved = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.Created, saved.ToJsonString());
        Assert.True((bool)saved["workflowDefinition"]!["isPublished"]!);

        // Simulate what the designer stored, with the seeded directory, over 2022.
        string json;
        await using (var db = Db()) json = (await db.Definitions.SingleAsync(d => d.DefinitionId == "hai-nhip-2022")).Json;
        var directory = UnitDirectory.Parse(await File.ReadAllTextAsync(RepoPaths.Of("config/units/tuan-giao.json")));
        var clock = new VirtualTimeProvider(PlanTime.AtLocal(new DateOnly(2022, 1, 3), new TimeOnly(8, 0)));
        var store = new InMemoryWorkflowStore();
        var runtime = new WorkflowRuntime(store, new InMemoryDefinitionSource().AddDefinition(json).AddDirectory(directory), clock);
        var result = await new PlanSimulator(runtime, clock, store).RunAsync(
            new StartWorkflowRequest { DefinitionId = "hai-nhip-2022", Directory = "tuan-giao", InstanceId = "sim" }, new Scenario(), PlanTime.AtLocal(new DateOnly(2023, 3, 1), TimeOnly.MinValue), CancellationToken.None);

        var khoi = directory.Units.Where(u => u.Group == "KHOI-QLNN" && u.Active).Select(u => u.Code).ToHashSet();
        var cum = directory.Units.Where(u => u.Group == "CUM-XA-TT" && u.Active).Select(u => u.Code).ToHashSet();
        Assert.Equal(4 * khoi.Count + 2 * cum.Count, result.Tasks.Count);
        Assert.All(result.Tasks.Where(t => khoi.Contains(t.UnitCode)), t => Assert.Equal("any:3", t.Minimum));
        Assert.All(result.Tasks.Where(t => cum.Contains(t.UnitCode)), t => Assert.Equal("any:2", t.Minimum));
        Assert.Equal([new DateOnly(2022, 4, 5), new DateOnly(2022, 7, 5), new DateOnly(2022, 10, 5), new DateOnly(2023, 1, 5)],
            result.Tasks.Where(t => t.UnitCode == khoi.First()).Select(t => t.DueDate).Order());
        Assert.Equal([new DateOnly(2022, 7, 5), new DateOnly(2023, 1, 5)], result.Tasks.Where(t => t.UnitCode == cum.First()).Select(t => t.DueDate).Order());
        Assert.All(result.Tasks, t => Assert.Equal(UnitTaskStatus.Done, t.Status));
        Assert.Equal(2, result.Journal.Count(e => e.Event == "ForEachUnitCompleted"));
    }

    private async Task StartPlanAsync()
    {
        var response = await _client.PostAsJsonAsync("/api/instances", new { definitionId = "tuan-giao-2021-2025", directory = "tuan-giao", instanceId = "tg" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string url, object body, string? role = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (role is not null) request.Headers.Add(TestAuthHandler.RoleHeader, role);
        var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text));
    }

    private static readonly string[] SomeGroups = ["KHOI-SN-LLVT"], SomeUnits = ["PNV"], UnknownGroups = ["KHOI-KHONG-CO"], UnknownUnits = ["NO-SUCH"];

    [Fact]
    public async Task StartForSomeGroupsAndUnits_OnlyThoseUnitsGetTasks_AndUnknownOnesAreRefused()
    {
        var response = await _client.PostAsJsonAsync("/api/instances", new { definitionId = "tuan-giao-2021-2025", directory = "tuan-giao", instanceId = "some", unitGroups = SomeGroups, unitCodes = SomeUnits });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using (var db = Db())
        {
            var units = await db.Tasks.Where(t => t.InstanceId == "some" && t.Milestone == "unit-plan-2021").Select(t => t.UnitCode).ToListAsync();
            Assert.Equal(8, units.Count); // the 7 units of KHOI-SN-LLVT and PNV
            Assert.Contains("PNV", units);
        }
        // A unit added later to this instance joins its selection.
        var (added, _) = await PostAsync("/api/instances/some/units", new { unitCode = "XA-TA-MA" });
        Assert.Equal(HttpStatusCode.OK, added);
        await using (var db = Db())
        {
            Assert.Equal(1, await db.Tasks.CountAsync(t => t.InstanceId == "some" && t.UnitCode == "XA-TA-MA"));
            Assert.Contains("XA-TA-MA", (await db.Instances.SingleAsync(i => i.Id == "some")).UnitScope, StringComparison.Ordinal);
        }

        var bad = await _client.PostAsJsonAsync("/api/instances", new { definitionId = "tuan-giao-2021-2025", directory = "tuan-giao", instanceId = "bad", unitGroups = UnknownGroups, unitCodes = UnknownUnits });
        var text = await bad.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("unitGroups", text, StringComparison.Ordinal);
        Assert.Contains("NO-SUCH", text, StringComparison.Ordinal);
        await using (var db = Db()) Assert.False(await db.Instances.AnyAsync(i => i.Id == "bad"));
    }

    [Fact]
    public async Task MilestoneDueDate_OneGroup_ChangesOnlyThatGroupsOpenTasksAndTellsEachUnitOnce()
    {
        await StartPlanAsync();
        var (status, body) = await PostAsync("/api/instances/tg/milestones/unit-plan-2021/due-date", new { dueDate = "2021-10-15", unitGroup = "KHOI-SN-LLVT", reason = "Gia hạn cho khối sự nghiệp" });
        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        Assert.Equal(7, (int)body!["selected"]!);
        Assert.Equal(7, (int)body["changed"]!);

        await using var db = Db();
        var tasks = await db.Tasks.Where(t => t.InstanceId == "tg" && t.Milestone == "unit-plan-2021").ToListAsync();
        Assert.Equal(7, tasks.Count(t => t.DueDate == new DateOnly(2021, 10, 15) && t.DueRevision == 1));
        Assert.Equal(43, tasks.Count(t => t.DueDate == new DateOnly(2021, 9, 30) && t.DueRevision == 0));
        Assert.Equal(7, await db.OutboxMessages.CountAsync(m => m.Kind == MailKind.DueDateChanged));
        // The same request again changes nothing and sends nothing.
        (status, body) = await PostAsync("/api/instances/tg/milestones/unit-plan-2021/due-date", new { dueDate = "2021-10-15", unitGroup = "KHOI-SN-LLVT" });
        Assert.Equal((HttpStatusCode.OK, 0), (status, (int)body!["changed"]!));
        Assert.Equal(7, await db.OutboxMessages.CountAsync(m => m.Kind == MailKind.DueDateChanged));
    }

    [Theory]
    [InlineData("/api/instances/tg/milestones/unit-plan-2021/due-date", "{\"dueDate\":\"15/10/2021\"}", HttpStatusCode.BadRequest, "dueDate")]
    [InlineData("/api/instances/tg/milestones/unit-plan-2021/due-date", "{\"dueDate\":\"2021-10-15\",\"unitGroup\":\"KHOI-KHONG-CO\"}", HttpStatusCode.BadRequest, "unitGroup")]
    [InlineData("/api/instances/tg/milestones/no-such-milestone/due-date", "{\"dueDate\":\"2021-10-15\"}", HttpStatusCode.NotFound, "no-such-milestone")]
    [InlineData("/api/tasks/tg.task-unit-plan-2021.PNV/due-date", "{\"dueDate\":\"2021-07-01\"}", HttpStatusCode.Conflict, "đã qua")]
    [InlineData("/api/tasks/no-such-task/due-date", "{\"dueDate\":\"2021-10-15\"}", HttpStatusCode.NotFound, null)]
    [InlineData("/api/instances/tg/units", "{\"unit\":{\"code\":\"MOI\",\"name\":\"Đơn vị mới\",\"email\":\"not-an-email\"}}", HttpStatusCode.BadRequest, "unit.email")]
    [InlineData("/api/instances/tg/units", "{\"unit\":{\"code\":\"MOI\",\"name\":\"Đơn vị mới\",\"email\":\"a b@tuangiao.example\"}}", HttpStatusCode.BadRequest, "contains white space")]
    [InlineData("/api/instances/tg/units", "{\"unit\":{\"code\":\"MOI\",\"name\":\"Đơn vị mới\",\"email\":\"moi@tuangiao.example\",\"headEmail\":\"truong@\"}}", HttpStatusCode.BadRequest, "unit.headEmail")]
    [InlineData("/api/instances/tg/migration", "{}", HttpStatusCode.BadRequest, "toVersion")]
    [InlineData("/api/workflows/tuan-giao-2021-2025/next-period", "{\"years\":0}", HttpStatusCode.BadRequest, "years")]
    public async Task BadAmendments_Get4xxNamingTheFieldAndChangeNothing(string url, string body, HttpStatusCode expected, string? mention)
    {
        await StartPlanAsync();
        await using var db = Db();
        var outboxBefore = await db.OutboxMessages.CountAsync();
        var response = await _client.PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {text}");
        if (mention is not null) Assert.Contains(mention, text, StringComparison.Ordinal);
        Assert.Equal(outboxBefore, await db.OutboxMessages.CountAsync());
        Assert.Equal(0, await db.Tasks.CountAsync(t => t.DueRevision > 0));
    }

    [Fact]
    public async Task Amendments_LeaderOrAnonymous_AreRefused()
    {
        await StartPlanAsync();
        var (status, _) = await PostAsync("/api/tasks/tg.task-unit-plan-2021.PNV/remind", new { }, role: "leader");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        using var anonymous = _factory.CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/tasks/tg.task-unit-plan-2021.PNV/due-date", new { dueDate = "2021-10-15" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RemindAndAddUnit_OnTheRunningPlan_SendNowAndStartTheNewUnitsBranch()
    {
        await StartPlanAsync();
        var (status, _) = await PostAsync("/api/tasks/tg.task-unit-plan-2021.PNV/remind", new { });
        Assert.Equal(HttpStatusCode.OK, status);

        var (added, body) = await PostAsync("/api/instances/tg/units", new { unit = new { code = "XA-MOI", name = "UBND xã Mới Thành Lập", group = "CUM-XA-TT", email = "xa-moi@example.test" } });
        Assert.True(added == HttpStatusCode.OK, body?.ToJsonString());
        Assert.True((bool)body!["addedToDirectory"]!);

        await using var db = Db();
        var remind = await db.OutboxMessages.SingleAsync(m => m.TaskId == "tg.task-unit-plan-2021.PNV" && m.Kind == MailKind.Reminder);
        Assert.Contains("secretariat:test-secretariat", (await db.Journal.SingleAsync(j => j.Event == "ReminderSent")).Actor, StringComparison.Ordinal);
        Assert.Equal("PNV", remind.UnitCode);
        var task = await db.Tasks.SingleAsync(t => t.UnitCode == "XA-MOI");
        Assert.Equal(("unit-plan-2021", new DateOnly(2021, 9, 30)), (task.Milestone, task.DueDate));
        Assert.Contains("XA-MOI", (await db.Directories.SingleAsync(d => d.Name == "tuan-giao")).Json, StringComparison.Ordinal);

        // Telling the plan again starts nothing new.
        (added, _) = await PostAsync("/api/instances/tg/units", new { unitCode = "XA-MOI" });
        Assert.Equal(HttpStatusCode.OK, added);
        Assert.Equal(1, await db.Tasks.CountAsync(t => t.UnitCode == "XA-MOI"));
    }

    [Fact]
    public async Task Migration_DryRunToTheSameVersion_ChangesNothing()
    {
        await StartPlanAsync();
        var response = await _client.GetAsync("/api/instances/tg/migration?toVersion=1");
        var plan = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(plan["changes"]!.AsArray());
        Assert.Empty(plan["blockers"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/instances/tg/migration?toVersion=9")).StatusCode);
    }

    [Fact]
    public async Task NextPeriod_ProposeReviewThenSave_DraftOfTheNewPlanWithMovedDates()
    {
        var (status, proposal) = await PostAsync("/api/workflows/tuan-giao-2021-2025/next-period", new { years = 5 });
        Assert.True(status == HttpStatusCode.OK, proposal?.ToJsonString());
        Assert.Equal("tuan-giao-2026-2030", (string?)proposal!["definitionId"]);
        Assert.Empty(proposal["problems"]!.AsArray());
        var changes = proposal["changes"]!.AsArray();
        Assert.Contains(changes, c => (string?)c!["activityId"] == "task-mid-term-review-district-2023" && (string?)c["new"] == "chậm nhất ngày 11/6/2028");
        await using (var db = Db()) Assert.False(await db.Definitions.AnyAsync(d => d.DefinitionId == "tuan-giao-2026-2030"));

        (status, var saved) = await PostAsync("/api/workflows/tuan-giao-2021-2025/next-period", new { years = 5, save = true });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True((bool)saved!["saved"]!);
        await using (var db = Db())
        {
            var draft = await db.Definitions.SingleAsync(d => d.DefinitionId == "tuan-giao-2026-2030");
            Assert.False(draft.IsPublished);
            Assert.Contains("11/6/2028", draft.Json, StringComparison.Ordinal);
        }
        (status, _) = await PostAsync("/api/workflows/tuan-giao-2021-2025/next-period", new { years = 5, save = true });
        Assert.Equal(HttpStatusCode.Conflict, status);
    }
}
