using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Definitions;
using WorkflowHost.Server.Tests.Api;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Designer;

/// <summary>
/// The real server in-process (<see cref="WorkflowHostFactory"/>: SQLite file, seeded Tuần Giáo plan and
/// directory, virtual clock) with a signed-in secretariat user, and a client rooted at <c>/elsa/api/</c>.
/// </summary>
internal sealed class DesignerHost : IDisposable
{
    public const string TuanGiao = "tuan-giao-2021-2025";

    public DesignerHost()
    {
        App = TestAuthHandler.WithTestUser(Factory);
        Client = App.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://localhost/elsa/api/") });
    }

    public WorkflowHostFactory Factory { get; } = new();

    public WebApplicationFactory<Program> App { get; }

    public HttpClient Client { get; }

    public WorkflowRuntime Runtime => App.Services.GetRequiredService<WorkflowRuntime>();

    public WorkflowHostDbContext Db() => App.Services.GetRequiredService<IDbContextFactory<WorkflowHostDbContext>>().CreateDbContext();

    public async Task<List<StoredWorkflowDefinition>> VersionsAsync(string definitionId)
    {
        await using var db = Db();
        return await db.Definitions.AsNoTracking().Where(d => d.DefinitionId == definitionId).OrderBy(d => d.Version).ToListAsync();
    }

    public async Task<JsonNode> GetJsonAsync(string url)
    {
        var response = await Client.GetAsync(new Uri(url, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string url, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative));
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text));
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string url, JsonNode? body) => SendAsync(HttpMethod.Post, url, body);

    /// <summary>POST /workflow-definitions as the studio does: <c>{"model": …, "publish": …}</c>.</summary>
    public Task<(HttpStatusCode Status, JsonNode? Body)> SaveAsync(JsonObject model, bool? publish) =>
        PostAsync("workflow-definitions", new JsonObject { ["model"] = model.DeepClone(), ["publish"] = publish });

    /// <summary>Every message in a 400 body's <c>errors</c>, with its key.</summary>
    public static List<string> Errors(JsonNode? body) =>
        [.. (body?["errors"]?.AsObject() ?? []).SelectMany(e => e.Value!.AsArray().Select(m => $"{e.Key} => {m}"))];

    public void Dispose()
    {
        Client.Dispose();
        App.Dispose();
        Factory.Dispose();
    }
}
