using System.Net;
using System.Text;
using WorkflowHost.Engine.Tests.Definitions;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Api;

/// <summary>The same generated hostile definitions through the HTTP API: every one gets a 200 or a 400 naming problems, never a 500.</summary>
public sealed class DefinitionFuzzApiTests : IDisposable
{
    private readonly WorkflowHostFactory _factory = new(testAuth: true);

    [Fact]
    public async Task ValidateWorkflow_GeneratedHostileDefinitions_NeverAnswers500()
    {
        using var client = _factory.CreateClient();
        var valid = await File.ReadAllTextAsync(RepoPaths.Of("workflows/tuan-giao-2021-2025.json"));
        var counts = new Dictionary<HttpStatusCode, int>();
        foreach (var (name, json) in DefinitionFuzzer.Generate(valid, 1_000, seed: 7))
        {
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            var response = await client.PostAsync("/api/workflows/validate", content);
            counts[response.StatusCode] = counts.GetValueOrDefault(response.StatusCode) + 1;
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"case {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
                Assert.Contains("\"errors\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.True(counts.GetValueOrDefault(HttpStatusCode.BadRequest) > 500);
    }

    public void Dispose() => _factory.Dispose();
}
