using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Portal;
using WorkflowHost.Server.Tests.Api;

namespace WorkflowHost.Server.Tests.Screens;

/// <summary>
/// The in-process host with the real cookie scheme (no test authentication) and the Tuần Giáo plan started as
/// instance "s"; helpers to open a unit's signed link, read pages and post forms with their anti-forgery token.
/// </summary>
internal sealed partial class ScreensHost : IAsyncDisposable
{
    public const string Instance = "s";
    public const string UnitPlanPnv = "s.task-unit-plan-2021.PNV";

    private readonly WebApplicationFactory<Program> _app;

    private ScreensHost(WorkflowHostFactory factory, WebApplicationFactory<Program> app)
    {
        Factory = factory;
        _app = app;
    }

    public WorkflowHostFactory Factory { get; }

    public IServiceProvider Services => _app.Services;

    public WorkflowRuntime Runtime => Services.GetRequiredService<WorkflowRuntime>();

    public static async Task<ScreensHost> StartAsync(params (string Key, string Value)[] settings)
    {
        var factory = new WorkflowHostFactory();
        // One host only: the factory itself unless settings need a derived one.
        WebApplicationFactory<Program> app = settings.Length == 0 ? factory : factory.WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in settings) b.UseSetting(key, value);
        });
        var host = new ScreensHost(factory, app);
        await host.Runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "tuan-giao-2021-2025", Directory = "tuan-giao", InstanceId = Instance }, CancellationToken.None);
        return host;
    }

    /// <summary>A client that keeps cookies and does not follow redirects.</summary>
    public HttpClient NewClient() => _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public string SignedLink(string unit, string taskId) => Services.GetRequiredService<UnitLinkSigner>().TaskLink(unit, taskId);

    /// <summary>A client signed in as <paramref name="unit"/> through its signed link to <paramref name="taskId"/>.</summary>
    public async Task<HttpClient> UnitClientAsync(string unit, string taskId)
    {
        var client = NewClient();
        using var response = await client.GetAsync(new Uri(SignedLink(unit, taskId)).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"content=\"0;url=/portal/tasks/{taskId}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        return client;
    }

    public async Task<T> DbAsync<T>(Func<WorkflowHostDbContext, Task<T>> read)
    {
        using var scope = Services.CreateScope();
        return await read(scope.ServiceProvider.GetRequiredService<WorkflowHostDbContext>());
    }

    public Task<List<Engine.Mail.OutboxMessage>> OutboxToAsync(string to) => DbAsync(db => db.OutboxMessages.AsNoTracking().Where(m => m.To == to).OrderBy(m => m.Id).ToListAsync());

    public static string Token(string html) => TokenPattern().Match(html).Groups[1].Value;

    /// <summary>GETs <paramref name="pagePath"/>, then POSTs <paramref name="fields"/> (plus its anti-forgery token) to <paramref name="action"/>.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string pagePath, string action, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var page = await client.GetStringAsync(pagePath);
        using var content = new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", Token(page))));
        return await client.PostAsync(action, content);
    }

    /// <summary>The same as multipart, with an optional file.</summary>
    public static async Task<HttpResponseMessage> PostMultipartAsync(HttpClient client, string pagePath, string action, IEnumerable<KeyValuePair<string, string>> fields,
        (string Name, byte[] Bytes)? file = null)
    {
        var page = await client.GetStringAsync(pagePath);
        using var content = new MultipartFormDataContent();
        foreach (var (key, value) in fields) content.Add(new StringContent(value), key);
        content.Add(new StringContent(Token(page)), "__RequestVerificationToken");
        if (file is { } f)
        {
            var bytes = new ByteArrayContent(f.Bytes);
            bytes.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            content.Add(bytes, "file", f.Name);
        }
        return await client.PostAsync(action, content);
    }

    public static byte[] Pdf(int size = 2000)
    {
        var bytes = new byte[size];
        "%PDF-1.7\n"u8.CopyTo(bytes);
        for (var i = 9; i < size; i++) bytes[i] = (byte)('a' + (i % 26));
        return bytes;
    }

    /// <summary>Moves the virtual clock and runs the due-timer sweep.</summary>
    public async Task AdvanceToAsync(DateTimeOffset instant)
    {
        Factory.Clock.SetUtcNow(instant);
        await Runtime.ResumeDueTimersAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (!ReferenceEquals(_app, Factory)) await _app.DisposeAsync();
        await Factory.DisposeAsync();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
