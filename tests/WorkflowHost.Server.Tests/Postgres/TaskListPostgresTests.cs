using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Tests.Api;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Postgres;

/// <summary>
/// The task list's pages on PostgreSQL: the overdue ranges' UNION ALL with its per-range ORDER BY … LIMIT, and the
/// key of the next page (docs/decisions/0007), give every overdue task once and in order, as on SQLite.
/// </summary>
[Trait("Category", "Postgres")]
public sealed partial class TaskListPostgresTests(PostgresTestServer postgres) : IClassFixture<PostgresTestServer>
{
    [Fact]
    public async Task ListTasks_OverdueOnPostgresFollowingTheLinks_GivesEveryOverdueTaskOnceInOrder()
    {
        await postgres.CreateDatabaseAsync("tasklist");
        using var factory = new WorkflowHostFactory(testAuth: true, new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Postgres"] = postgres.ConnectionString("tasklist"),
        });
        using var client = factory.CreateClient();
        var started = await client.PostAsJsonAsync("/api/instances", new { definitionId = "tuan-giao-2021-2025", directory = "tuan-giao", instanceId = "pg" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        await factory.AdvanceToAsync(PlanTime.AtLocal(new DateOnly(2021, 10, 3), new TimeOnly(9, 0)));

        async Task<(List<JsonNode> Tasks, string? Next)> PageAsync(string url)
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var tasks = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(t => t!).ToList();
            return (tasks, response.Headers.TryGetValues("Link", out var links) ? NextLink().Match(links.Single()).Groups[1].Value : null);
        }

        var (everything, none) = await PageAsync("/api/tasks?overdue=true&limit=10000");
        Assert.Null(none);
        Assert.True(everything.Count > 14, $"{everything.Count} overdue tasks");
        Assert.All(everything, t => Assert.True((bool)t["overdue"]!));
        var dueAts = everything.Select(t => DateTimeOffset.Parse((string)t["dueAt"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(dueAts.Order(), dueAts);

        var walked = new List<string>();
        for (string? next = "/api/tasks?overdue=true&limit=7"; next is not null;)
        {
            (var tasks, next) = await PageAsync(next);
            walked.AddRange(tasks.Select(t => (string)t["id"]!));
        }
        Assert.Equal(everything.Select(t => (string)t["id"]!), walked);
    }

    [GeneratedRegex("^<([^>]+)>; rel=\"next\"$")]
    private static partial Regex NextLink();
}
