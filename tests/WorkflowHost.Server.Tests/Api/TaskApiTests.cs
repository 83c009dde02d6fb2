using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Server.Tests.Api;

public sealed class TaskApiTests : IDisposable
{
    private readonly WorkflowHostFactory _factory = new(testAuth: true);
    private readonly HttpClient _client;

    public TaskApiTests() => _client = _factory.CreateClient();

    private const string UnitPlanPnv = "api.task-unit-plan-2021.PNV";

    private async Task StartPlanAsync()
    {
        var response = await _client.PostAsJsonAsync("/api/instances", new { definitionId = "tuan-giao-2021-2025", directory = "tuan-giao", instanceId = "api" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<JsonNode> GetJsonAsync(string url)
    {
        var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task Health_Always_Ok()
    {
        var response = await _client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HealthReady_DatabaseSchedulerAndPickupMail_Healthy()
    {
        var report = await GetJsonAsync("/health/ready");
        Assert.Equal("Healthy", (string?)report["status"]);
        Assert.Equal("Healthy", (string?)report["checks"]!["database"]!["status"]);
        Assert.Equal("Healthy", (string?)report["checks"]!["scheduler"]!["status"]);
        Assert.Equal("Healthy", (string?)report["checks"]!["smtp"]!["status"]);
    }

    [Fact]
    public async Task StartInstance_SeededPlan_CreatesUnitPlanTasksForEveryUnit()
    {
        await StartPlanAsync();
        var tasks = (await GetJsonAsync("/api/tasks?instanceId=api&milestone=unit-plan-2021")).AsArray();
        Assert.Equal(50, tasks.Count);
        var pnv = tasks.Single(t => (string?)t!["unitCode"] == "PNV")!;
        Assert.Equal("2021-09-30", (string?)pnv["dueDate"]);
        Assert.Equal("Open", (string?)pnv["status"]);
        Assert.Equal(UnitPlanPnv, (string?)pnv["id"]);
    }

    [Fact]
    public async Task StartInstance_MissingFields_Returns400NamingEachField()
    {
        var response = await _client.PostAsJsonAsync("/api/instances", new { instanceId = "bad id!", dateShiftDays = 999_999 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("definitionId"));
        Assert.True(errors.ContainsKey("directory"));
        Assert.True(errors.ContainsKey("instanceId"));
        Assert.True(errors.ContainsKey("dateShiftDays"));
    }

    [Fact]
    public async Task StartInstance_UnknownDefinition_Returns404()
    {
        var response = await _client.PostAsJsonAsync("/api/instances", new { definitionId = "no-such-plan", directory = "tuan-giao" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task StartInstance_SameIdTwice_Returns400()
    {
        await StartPlanAsync();
        var response = await _client.PostAsJsonAsync("/api/instances", new { definitionId = "tuan-giao-2021-2025", directory = "tuan-giao", instanceId = "api" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ListTasks_AfterDueDatePassed_OverdueListsUnsubmittedTasksWithDaysLate()
    {
        await StartPlanAsync();
        Assert.Empty((await GetJsonAsync("/api/tasks?instanceId=api&overdue=true")).AsArray());
        await _factory.AdvanceToAsync(PlanTime.AtLocal(new DateOnly(2021, 10, 3), new TimeOnly(9, 0)));
        var overdue = (await GetJsonAsync("/api/tasks?instanceId=api&overdue=true&milestone=unit-plan-2021")).AsArray();
        Assert.Equal(50, overdue.Count);
        Assert.All(overdue, t => Assert.Equal(3, (int)t!["daysLate"]!));
        Assert.All(overdue, t => Assert.True((bool)t!["overdue"]!));
    }

    [Fact]
    public async Task ListTasks_BadStatus_Returns400()
    {
        var response = await _client.GetAsync("/api/tasks?status=Sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("status", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitReturnResubmitAccept_FullReviewLoop_EndsDoneWithEmailsAndJournal()
    {
        await StartPlanAsync();
        await _factory.AdvanceToAsync(PlanTime.AtLocal(new DateOnly(2021, 9, 20), new TimeOnly(9, 0)));

        var submitted = await _client.PostAsJsonAsync($"/api/tasks/{UnitPlanPnv}/submissions", new { content = new { documentNumber = "12/KH-PNV", signedOn = "2021-09-20" } });
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        Assert.Equal("Submitted", (string?)JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!["status"]);

        var noComment = await _client.PostAsJsonAsync($"/api/tasks/{UnitPlanPnv}/review", new { decision = "return" });
        Assert.Equal(HttpStatusCode.BadRequest, noComment.StatusCode);
        Assert.Contains("comment", await noComment.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var badDecision = await _client.PostAsJsonAsync($"/api/tasks/{UnitPlanPnv}/review", new { decision = "maybe" });
        Assert.Equal(HttpStatusCode.BadRequest, badDecision.StatusCode);

        var returned = await _client.PostAsJsonAsync($"/api/tasks/{UnitPlanPnv}/review", new { decision = "return", comment = "Thiếu số, ngày ký <script>alert(1)</script>" });
        Assert.Equal(HttpStatusCode.OK, returned.StatusCode);
        Assert.Equal("Returned", (string?)JsonNode.Parse(await returned.Content.ReadAsStringAsync())!["status"]);

        var acceptNothing = await _client.PostAsJsonAsync($"/api/tasks/{UnitPlanPnv}/review", new { decision = "accept" });
        Assert.Equal(HttpStatusCode.Conflict, acceptNothing.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync($"/api/tasks/{UnitPlanPnv}/submissions", new { content = new { documentNumber = "12/KH-PNV" } })).StatusCode);
        var accepted = await _client.PostAsJsonAsync($"/api/tasks/{UnitPlanPnv}/review", new { decision = "accept" });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("Done", (string?)JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["status"]);

        var again = await _client.PostAsJsonAsync($"/api/tasks/{UnitPlanPnv}/submissions", new { content = new { } });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var detail = await GetJsonAsync($"/api/tasks/{UnitPlanPnv}");
        Assert.Equal(2, detail["submissions"]!.AsArray().Count);

        var outbox = (await GetJsonAsync($"/api/outbox?taskId={UnitPlanPnv}")).AsArray();
        Assert.Contains(outbox, m => (string?)m!["kind"] == "SubmissionReturned");
        Assert.Contains(outbox, m => (string?)m!["kind"] == "SubmissionAccepted");

        var journal = (await GetJsonAsync("/api/instances/api/journal?limit=10000")).AsArray().Where(j => (string?)j!["taskId"] == UnitPlanPnv).Select(j => (string?)j!["event"]).ToList();
        Assert.Equal(["TaskCreated", "ReminderSent", "Submitted", "Returned", "Submitted", "Accepted"], journal);
        var sequences = (await GetJsonAsync("/api/instances/api/journal?limit=10000")).AsArray().Select(j => (long)j!["sequence"]!).ToList();
        Assert.Equal(sequences.Order(), sequences);
    }

    [Fact]
    public async Task Review_UnknownTask_Returns404()
    {
        var response = await _client.PostAsJsonAsync("/api/tasks/nope/review", new { decision = "accept" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/tasks/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/instances/nope/journal")).StatusCode);
    }

    [Fact]
    public async Task Submit_MalformedJson_Returns400()
    {
        await StartPlanAsync();
        using var content = new StringContent("{\"content\": [", System.Text.Encoding.UTF8, "application/json");
        var response = await _client.PostAsync($"/api/tasks/{UnitPlanPnv}/submissions", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ValidateWorkflow_InvalidDefinition_Returns400ListingEveryProblem()
    {
        var json = """
        {"definitionId":"x","root":{"id":"root","type":"Elsa.Flowchart","activities":[
          {"id":"s","type":"Elsa.Start"},
          {"id":"t","type":"ThiDua.UnitTask","milestone":{"expression":{"type":"Literal","value":"m"}},"title":{"expression":{"type":"Literal","value":"T"}},
           "dueDate":{"expression":{"type":"Deadline","value":"sớm nhất có thể"}}},
          {"id":"z","type":"Acme.Unknown"}],
          "connections":[{"source":{"activity":"s","port":"Done"},"target":{"activity":"t","port":"In"}},{"source":{"activity":"s","port":"Done"},"target":{"activity":"ghost","port":"In"}}]}}
        """;
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        var response = await _client.PostAsync("/api/workflows/validate", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("sớm nhất có thể", body, StringComparison.Ordinal);
        Assert.Contains("Acme.Unknown", body, StringComparison.Ordinal);
        Assert.Contains("ghost", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateWorkflow_TuanGiaoFile_Returns200()
    {
        using var content = new StringContent(await File.ReadAllTextAsync(Infrastructure.RepoPaths.Of("workflows/tuan-giao-2021-2025.json")), System.Text.Encoding.UTF8, "application/json");
        var response = await _client.PostAsync("/api/workflows/validate", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_Served()
    {
        var doc = JsonDocument.Parse(await _client.GetStringAsync("/openapi/v1.json"));
        Assert.True(doc.RootElement.GetProperty("paths").TryGetProperty("/api/tasks", out _));
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
