using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using WorkflowHost.Server.Features.Studio;
using WorkflowHost.Server.Tests.Api;
using WorkflowHost.Server.Tests.Auth;

namespace WorkflowHost.Server.Tests.Studio;

/// <summary>The Elsa Studio bundle (installed by the build's npm ci) served under /designer/.</summary>
public sealed class StudioStaticFilesTests : IDisposable
{
    private readonly WorkflowHostFactory _host = new();

    public void Dispose() => _host.Dispose();

    private HttpClient Client() => _host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private string BundleFile(string relative) => Path.Combine(_host.Services.GetRequiredService<StudioBundle>().Directory!, relative);

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        return await client.SendAsync(request);
    }

    [Fact]
    public void Bundle_InstalledByTheBuild_IsFound()
    {
        var bundle = _host.Services.GetRequiredService<StudioBundle>();
        Assert.True(bundle.IsInstalled, "npm ci should have installed @elsa-workflows/elsa-studio-wasm in src/WorkflowHost.Server/ClientApp");
        Assert.True(File.Exists(Path.Combine(bundle.Directory!, "_framework", "dotnet.js")));
    }

    [Theory]
    [InlineData("br, gzip, deflate", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip;q=0.5, br;q=0", "gzip")]
    [InlineData(null, null)]
    [InlineData("identity", null)]
    public async Task Framework_Script_ServedPrecompressedWhenAccepted(string? acceptEncoding, string? expectedEncoding)
    {
        using var client = Client();
        using var response = await GetAsync(client, "/designer/_framework/blazor.webassembly.js", acceptEncoding);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(expectedEncoding is null ? [] : [expectedEncoding], response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        var expectedFile = BundleFile("_framework/blazor.webassembly.js") + expectedEncoding switch { "br" => ".br", "gzip" => ".gz", _ => "" };
        Assert.Equal(new FileInfo(expectedFile).Length, response.Content.Headers.ContentLength);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task Wasm_HasWasmTypeAndFingerprintedOnesAreImmutable()
    {
        var name = Path.GetFileName(Directory.GetFiles(BundleFile("_framework"), "System.Private.CoreLib.*.wasm").Single());
        using var client = Client();
        using var response = await GetAsync(client, "/designer/_framework/" + name, "br");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/wasm", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
        Assert.True(response.Headers.CacheControl!.Public);
        Assert.Equal(TimeSpan.FromDays(365), response.Headers.CacheControl.MaxAge);
    }

    [Fact]
    public async Task IcuData_DatFileIsServedAsOctetStream()
    {
        var name = Path.GetFileName(Directory.GetFiles(BundleFile("_framework"), "icudt*.dat").First());
        using var client = Client();
        using var response = await GetAsync(client, "/designer/_framework/" + name, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(new FileInfo(BundleFile("_framework/" + name)).Length, response.Content.Headers.ContentLength);
    }

    [Theory]
    [InlineData("/designer/appsettings.json", "application/json")]
    [InlineData("/designer/Elsa.Studio.Host.CustomElements.styles.css", "text/css")]
    [InlineData("/designer/_content/MudBlazor/MudBlazor.min.css", "text/css")]
    [InlineData("/designer/_content/BlazorMonaco/lib/monaco-editor/min/vs/loader.js", "text/javascript")]
    public async Task BundleEntries_AreServedAnonymously(string path, string contentType)
    {
        using var client = Client();
        using var response = await GetAsync(client, path, "br");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("/designer/_framework/blazor.webassembly.js.br")]
    [InlineData("/designer/_framework/blazor.webassembly.js.gz")]
    [InlineData("/designer/_framework/no-such-file.js")]
    [InlineData("/designer/_content/..%2Fpackage.json")]
    public async Task SiblingsAndUnknownFiles_Are404(string path)
    {
        using var client = Client();
        using var response = await GetAsync(client, path, "br");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/designer/index.html")]
    [InlineData("/designer/package.json")]
    public async Task PackageFilesOutsideTheServedEntries_AreNotServed(string path)
    {
        using var client = Client();
        using var response = await GetAsync(client, path, null);
        // They fall to the designer's editor route, which wants a signed-in secretariat.
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task DesignerPage_BundleMissing_Says503()
    {
        using var factory = _host.WithSecretariat(("Studio:BundlePath", Path.Combine(Path.GetTempPath(), "no-studio-here")));
        using var client = factory.NewClient();
        await SignInHttp.SignInAsync(client);
        using var response = await client.GetAsync(new Uri("/designer/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Chưa cài trình thiết kế", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void IsBundleRequest_OnlyTheServedEntries()
    {
        Assert.True(StudioStaticFiles.IsBundleRequest("/designer/_framework/dotnet.js"));
        Assert.True(StudioStaticFiles.IsBundleRequest("/designer/_content/MudBlazor/MudBlazor.min.js"));
        Assert.True(StudioStaticFiles.IsBundleRequest("/designer/appsettings.json"));
        Assert.False(StudioStaticFiles.IsBundleRequest("/designer/"));
        Assert.False(StudioStaticFiles.IsBundleRequest("/designer/tuan-giao-2021-2025"));
        Assert.False(StudioStaticFiles.IsBundleRequest("/designer/index.html"));
        Assert.False(StudioStaticFiles.IsBundleRequest("/_framework/dotnet.js"));
        Assert.False(StudioStaticFiles.IsBundleRequest("/designerx/_framework/dotnet.js"));
    }
}
