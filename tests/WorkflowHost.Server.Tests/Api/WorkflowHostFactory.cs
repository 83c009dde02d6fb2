using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Api;

/// <summary>
/// The real server in-process on a real SQLite file in a temp folder (or a fresh PostgreSQL database in the
/// PostgreSQL pass, see <see cref="TestDatabase"/>), loading the repository's
/// Tuần Giáo plan and unit directory (copied to the temp folder: the API and designer tests are written
/// against one seeded plan and one directory; the other seed plans have their own golden and engine
/// tests), with a virtual clock the test moves. Hangfire runs on its in-memory store (Hangfire.InMemory)
/// with an hour's interval: the loops sweep and dispatch once at start, then the tests drive the sweeps themselves.
/// </summary>
public sealed class WorkflowHostFactory : WebApplicationFactory<Program>
{
    private readonly bool _testAuth;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("wfh-api-");
    private readonly Lazy<TestDatabase> _database;

    /// <summary>The factory's database (SQLite: <c>workflowhost.db</c> in <see cref="DataDirectory"/>).</summary>
    public TestDatabase Database => _database.Value;

    /// <summary>A host on a fresh data folder and database.</summary>
    /// <param name="testAuth">Authenticate requests with <see cref="TestAuthHandler"/> (secretariat unless the headers say otherwise);
    /// challenges and forbids still go through the host's cookie scheme.</param>
    /// <param name="settings">More configuration, applied last (e.g. the PostgreSQL provider of a test's own cluster).</param>
    public WorkflowHostFactory(bool testAuth = false, IReadOnlyDictionary<string, string>? settings = null)
    {
        _testAuth = testAuth;
        _settings = settings ?? new Dictionary<string, string>();
        _database = new(() => TestDatabase.ForServer(_data.FullName));
    }

    public VirtualTimeProvider Clock { get; } = new(PlanTime.AtLocal(new DateOnly(2021, 8, 1), new TimeOnly(8, 0)));

    public string DataDirectory => _data.FullName;

    public WorkflowRuntime Runtime => Services.GetRequiredService<WorkflowRuntime>();

    /// <summary>Moves the virtual clock and runs the due-timer sweep.</summary>
    public async Task AdvanceToAsync(DateTimeOffset instant)
    {
        Clock.SetUtcNow(instant);
        await Runtime.ResumeDueTimersAsync(CancellationToken.None);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("App:DataDirectory", _data.FullName);
        foreach (var (key, value) in Database.ServerSettings) builder.UseSetting(key, value);
        var workflows = Directory.CreateDirectory(Path.Combine(_data.FullName, "seed", "workflows"));
        var units = Directory.CreateDirectory(Path.Combine(_data.FullName, "seed", "units"));
        File.Copy(RepoPaths.Of("workflows/tuan-giao-2021-2025.json"), Path.Combine(workflows.FullName, "tuan-giao-2021-2025.json"), overwrite: true);
        File.Copy(RepoPaths.Of("config/units/tuan-giao.json"), Path.Combine(units.FullName, "tuan-giao.json"), overwrite: true);
        builder.UseSetting("App:WorkflowsPath", workflows.FullName);
        builder.UseSetting("App:UnitsPath", units.FullName);
        builder.UseSetting("App:SweepIntervalSeconds", "3600");
        builder.UseSetting("App:DispatchIntervalSeconds", "3600");
        builder.UseSetting("Scheduling:Store", "Memory");
        // Some tests open a second in-process host on the same folder on purpose (e.g. with a test user).
        builder.UseSetting("App:SingleNodeGuard", "false");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(new ApplicationClock(Clock));
            if (_testAuth) TestAuthHandler.Install(services, cookieChallenges: true);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            if (_database.IsValueCreated) _database.Value.Dispose(); // SQLite: releases the pooled connections; PostgreSQL: drops the database
            try
            {
                _data.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a finishing background job; the temp folder is left behind.
            }
        }
    }
}
