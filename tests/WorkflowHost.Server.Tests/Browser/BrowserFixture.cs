using System.Text;
using Microsoft.Playwright;
using WorkflowHost.Cli;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Browser;

/// <summary>
/// One real server (<see cref="DesignerServer"/>) and one headless Debian Chromium (<c>/usr/bin/chromium</c>, driven
/// by Microsoft.Playwright; no browser is downloaded) shared by the browser tests. Each test opens its own
/// browser context: fresh cookies and a cold HTTP cache. Also creates a leader account through the CLI.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium (apt package <c>chromium</c>, installed by test.sh).</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>User name of the leader account.</summary>
    public const string LeaderUser = "lanhdao";

    /// <summary>Flags that work on these machines (closed network: no background connections).</summary>
    public static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The server.</summary>
    public DesignerServer Server { get; } = new();

    /// <summary>The leader account's password.</summary>
    public string LeaderPassword { get; } = "ld-" + Guid.NewGuid().ToString("N");

    /// <summary>The browser.</summary>
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Not started.");

    /// <summary>Screenshots folder (a test artifact): artifacts/screenshots/ of the repository.</summary>
    public static string ScreenshotDirectory => RepoPaths.Of(Path.Combine("artifacts", "screenshots"));

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        await AddLeaderThroughCliAsync();
        _playwright = await Playwright.CreateAsync();
        // Playwright gives each launch a new empty profile (its own --user-data-dir in a temp folder).
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            ChromiumSandbox = false,
            Args = ChromiumArgs,
        });
    }

    /// <summary>A new context (cookies, cache) on the server, desktop-sized, Vietnamese locale.</summary>
    public Task<IBrowserContext> NewContextAsync(int width = 1440, int height = 900) => NewContextAsync(Server.BaseAddress, width, height);

    /// <summary>A new context (cookies, cache) on another server of a test (<paramref name="baseAddress"/>), Vietnamese locale and time zone.</summary>
    public Task<IBrowserContext> NewContextAsync(Uri baseAddress, int width, int height) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "vi-VN",
            TimezoneId = "Asia/Ho_Chi_Minh",
        });

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        await Server.DisposeAsync();
    }

    private Task AddLeaderThroughCliAsync() => AddLeaderThroughCliAsync(Server.DataDirectory, LeaderPassword);

    /// <summary>Adds the leader account (<see cref="LeaderUser"/>) to the database in <paramref name="dataDirectory"/> with <c>workflowhost user add</c>.</summary>
    internal static async Task AddLeaderThroughCliAsync(string dataDirectory, string password)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var root = new System.CommandLine.RootCommand { UserCommand.Create(new StringReader(password + "\n"), stdout, stderr, interactive: false) };
        var code = await root.Parse(["user", "add", "--user", LeaderUser, "--role", "leader", "--display-name", "Lãnh đạo UBND huyện", "--data", dataDirectory]).InvokeAsync();
        if (code != 0) throw new InvalidOperationException($"workflowhost user add exited with {code}: {stdout}{stderr}");
    }
}

/// <summary>The browser tests share one server and one browser, and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserTestGroup : ICollectionFixture<BrowserFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "Browser";
}

/// <summary>What a page did: console messages, failed requests, HTTP errors — printed with a test's output.</summary>
public sealed class PageJournal
{
    private readonly StringBuilder _lines = new();
    private readonly Lock _gate = new();

    /// <summary>Starts recording <paramref name="page"/>.</summary>
    public PageJournal(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        page.Console += (_, m) => Add($"console.{m.Type}: {m.Text}");
        page.PageError += (_, e) => Add($"pageerror: {e}");
        page.RequestFailed += (_, r) => Add($"requestfailed: {r.Method} {r.Url} {r.Failure}");
        page.Response += (_, r) =>
        {
            if (r.Status < 400) return;
            Add($"http {r.Status}: {r.Request.Method} {r.Url}");
            // The answer's body (for our API, the problem details: which field and why), so that a failure says why.
            _ = r.TextAsync().ContinueWith(t => Add($"  answer {r.Status} {r.Request.Method} {r.Url}: {(t.IsCompletedSuccessfully ? Shorten(t.Result) : t.Exception?.GetBaseException().Message)}"), TaskScheduler.Default);
        };
    }

    private static string Shorten(string text) => text.Length <= 2_000 ? text : text[..2_000] + "…";

    /// <summary>Requests answered 4xx/5xx so far (method, status, URL).</summary>
    public List<string> HttpErrors { get; } = [];

    /// <summary>Adds a line.</summary>
    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.AppendLine(line);
            if (line.StartsWith("http ", StringComparison.Ordinal)) HttpErrors.Add(line);
        }
    }

    /// <inheritdoc />
    public override string ToString()
    {
        lock (_gate) return _lines.ToString();
    }
}
