using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Features.Tasks;

namespace WorkflowHost.Server.Tests.Api;

/// <summary>
/// <c>GET /api/tasks</c> answers a page (100 tasks unless <c>limit</c> says otherwise) and, when more follow, a
/// Link header (rel="next") whose <c>after</c> is the key of the page's last task (docs/benchmarks.md, P5).
/// </summary>
public sealed partial class TaskListPagingTests : IDisposable
{
    private readonly WorkflowHostFactory _factory = new(testAuth: true);
    private readonly HttpClient _client;

    public TaskListPagingTests() => _client = _factory.CreateClient();

    private async Task StartPlanAsync(string instanceId)
    {
        var response = await _client.PostAsJsonAsync("/api/instances", new { definitionId = "tuan-giao-2021-2025", directory = "tuan-giao", instanceId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<(List<string> Ids, string? Next)> PageAsync(string url)
    {
        var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(t => (string)t!["id"]!).ToList();
        string? next = null;
        if (response.Headers.TryGetValues("Link", out var links))
        {
            var match = NextLink().Match(Assert.Single(links));
            Assert.True(match.Success);
            next = match.Groups[1].Value;
        }
        return (ids, next);
    }

    private async Task<List<string>> AllPagesAsync(string url)
    {
        var all = new List<string>();
        for (string? next = url; next is not null;)
        {
            (var ids, next) = await PageAsync(next);
            all.AddRange(ids);
            Assert.True(all.Count <= 10_000);
        }
        return all;
    }

    [Fact]
    public async Task ListTasks_NoLimit_AnswersTheOldest100WithALinkToTheNext()
    {
        foreach (var id in new[] { "p1", "p2", "p3" }) await StartPlanAsync(id);
        var (everything, none) = await PageAsync("/api/tasks?limit=10000");
        Assert.Null(none);
        Assert.True(everything.Count > TaskEndpoints.DefaultPageSize, $"{everything.Count} tasks");

        var (first, next) = await PageAsync("/api/tasks");
        Assert.Equal(everything.Take(TaskEndpoints.DefaultPageSize), first);
        Assert.NotNull(next);
        Assert.StartsWith("/api/tasks?after=", next, StringComparison.Ordinal);
        Assert.Equal(everything, await AllPagesAsync("/api/tasks"));
    }

    [Fact]
    public async Task ListTasks_OverdueFollowingTheLinks_GivesEveryOverdueTaskOnceInOrder()
    {
        await StartPlanAsync("api");
        await _factory.AdvanceToAsync(PlanTime.AtLocal(new DateOnly(2021, 10, 3), new TimeOnly(9, 0)));
        var (everything, _) = await PageAsync("/api/tasks?overdue=true&limit=10000");
        Assert.True(everything.Count > 14, $"{everything.Count} overdue tasks");

        var (first, next) = await PageAsync("/api/tasks?overdue=true&limit=7");
        Assert.Equal(7, first.Count);
        Assert.Contains("overdue=true", next, StringComparison.Ordinal);
        Assert.Contains("limit=7", next, StringComparison.Ordinal);
        Assert.Equal(everything, await AllPagesAsync("/api/tasks?overdue=true&limit=7"));
        // Exactly a page's worth: no link to an empty page.
        Assert.Null((await PageAsync($"/api/tasks?overdue=true&limit={everything.Count}")).Next);
    }

    [Fact]
    public async Task ListTasks_TaskClosedAfterTheFirstPage_NextPageStartsRightAfterItAndPageOneNoLongerHasIt()
    {
        await StartPlanAsync("api");
        await _factory.AdvanceToAsync(PlanTime.AtLocal(new DateOnly(2021, 10, 3), new TimeOnly(9, 0)));
        var (everything, _) = await PageAsync("/api/tasks?overdue=true&limit=10000");
        var (first, next) = await PageAsync("/api/tasks?overdue=true&limit=10");

        // The secretariat accepts a task of the first page: the commit is visible to the next request, and the
        // second page (by key, not by offset) neither skips nor repeats a task.
        var closed = first[3];
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync($"/api/tasks/{closed}/submissions", new { content = new { documentNumber = "1/BC" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync($"/api/tasks/{closed}/review", new { decision = "accept" })).StatusCode);

        Assert.Equal(everything.Skip(10).Take(10), (await PageAsync(next!)).Ids);
        var again = (await PageAsync("/api/tasks?overdue=true&limit=10")).Ids;
        Assert.DoesNotContain(closed, again);
        Assert.Equal(everything.Where(id => id != closed).Take(10), again);
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("12345")]
    [InlineData("-5.api.task")]
    [InlineData("99999999999999999999.api.task")]
    public async Task ListTasks_BadAfter_Returns400(string after)
    {
        var response = await _client.GetAsync($"/api/tasks?after={Uri.EscapeDataString(after)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("after", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex("^<([^>]+)>; rel=\"next\"$")]
    private static partial Regex NextLink();

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
