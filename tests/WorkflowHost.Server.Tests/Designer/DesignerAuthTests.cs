using System.Net;
using WorkflowHost.Server.Tests.Api;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Designer;

public sealed class DesignerAuthTests : IDisposable
{
    private readonly WorkflowHostFactory _factory = new();

    [Theory]
    [InlineData("GET", "/elsa/api/descriptors/activities")]
    [InlineData("GET", "/elsa/api/descriptors/expression-descriptors")]
    [InlineData("GET", "/elsa/api/features/installed")]
    [InlineData("GET", "/elsa/api/workflow-definitions")]
    [InlineData("GET", "/elsa/api/workflow-definitions/by-definition-id/tuan-giao-2021-2025?versionOptions=Latest")]
    [InlineData("POST", "/elsa/api/workflow-definitions")]
    [InlineData("POST", "/elsa/api/workflow-definitions/tuan-giao-2021-2025/publish")]
    [InlineData("POST", "/elsa/api/workflow-definitions/tuan-giao-2021-2025/execute")]
    [InlineData("DELETE", "/elsa/api/workflow-definitions/tuan-giao-2021-2025")]
    public async Task ElsaApi_AnonymousClient_Returns401(string method, string url)
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(url, UriKind.Relative));
        if (method == "POST") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // Nothing changed: the seeded plan is still there for a signed-in secretariat user.
        using var app = TestAuthHandler.WithTestUser(_factory);
        using var secretariat = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await secretariat.GetAsync(new Uri("/elsa/api/workflow-definitions/by-definition-id/tuan-giao-2021-2025", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task ElsaApi_LeaderRole_Returns403()
    {
        using var app = TestAuthHandler.WithTestUser(_factory);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add(TestAuthHandler.RoleHeader, Server.Features.Auth.AuthPolicies.LeaderRole);
        var response = await client.GetAsync(new Uri("/elsa/api/descriptors/activities", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    public void Dispose() => _factory.Dispose();
}
