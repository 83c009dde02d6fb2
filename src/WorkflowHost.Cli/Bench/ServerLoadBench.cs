using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;

namespace WorkflowHost.Cli.Bench;

/// <summary>
/// IDLE, start-up and P5 on one seeded database: <c>instances</c> running instances of a plan with one
/// UnitTask for each of 10 units (so 10 × <c>instances</c> tasks), started through the engine on the
/// server's own database file, with due dates spread over 400 days around today so that about half of
/// the tasks are overdue. The ladder timers are then deleted, so that the server does not spend the
/// measurement sending a hundred thousand stale overdue notices (P4 measures that burst). Then the
/// server starts on that folder: start-up is the time from process start until <c>/health/ready</c>
/// answers; idle memory is its resident set after 10 s without requests; P5 is
/// <c>wrk -t2 -c8 -d30s</c> on <c>GET /api/tasks?overdue=true</c> (the leaders' overdue list: its first page,
/// the 100 oldest overdue tasks), with p50 and p95 from wrk's latency histogram.
/// </summary>
public static class ServerLoadBench
{
    /// <summary>Debian's wrk.</summary>
    public const string Wrk = "/usr/bin/wrk";

    /// <summary>Runs IDLE (with start-up) and, when <paramref name="withLoad"/>, P5.</summary>
    public static async Task<IReadOnlyList<BenchFigures>> RunAsync(int instances, bool withLoad, string folder, CancellationToken cancellationToken)
    {
        if (withLoad && !File.Exists(Wrk)) throw new InvalidOperationException($"{Wrk} is missing: apt-get install wrk (bench.sh does).");
        const int unitsPerInstance = 10;
        var baseDue = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime).AddDays(-200);
        var directory = BenchPlan.Directory("bench-load", unitsPerInstance);
        var definition = BenchPlan.TaskDefinition("bench-load", baseDue, null);
        var (settings, data) = BurstBench.PrepareFolder(folder, "bench-load", definition, directory);
        var seed = Stopwatch.StartNew();
        await SeedAsync(Path.Combine(data, "workflowhost.db"), definition, directory, baseDue, instances, cancellationToken);
        // The overdue list is for signed-in leaders: a leader account, signed in over HTTP before the load.
        var password = "bench-" + Guid.NewGuid().ToString("N");
        var accounts = await BenchDatabase.OpenAsync(Path.Combine(data, "workflowhost.db"), cancellationToken);
        await using (var db = await accounts.CreateDbContextAsync(cancellationToken))
            await new AccountService(db, TimeProvider.System).CreateAsync(LeaderUser, "Lãnh đạo (benchmark)", AuthPolicies.LeaderRole, password, cancellationToken);
        SqliteConnection.ClearAllPools();
        var seeding = seed.Elapsed;

        var stopwatch = Stopwatch.StartNew();
        await using var server = BenchServer.Start(settings, Path.Combine(folder, "server.log"));
        var startup = await server.WaitReadyAsync(stopwatch, TimeSpan.FromMinutes(5), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
        var (rss, _) = server.Memory();
        var results = new List<BenchFigures>
        {
            new("IDLE")
            {
                ["instances"] = instances,
                ["tasks"] = instances * unitsPerInstance,
                ["seed_seconds"] = seeding.TotalSeconds,
                ["startup_s"] = startup.TotalSeconds,
                ["idle_rss_mb"] = rss,
            },
        };
        if (withLoad)
        {
            var script = Path.Combine(folder, "p95.lua");
            await File.WriteAllTextAsync(script, """
                done = function(summary, latency, requests)
                  io.write(string.format("PCT p50=%.3f p95=%.3f p99=%.3f max=%.3f requests=%d errors=%d\n",
                    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
                    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
                end
                """, cancellationToken);
            var url = new Uri(server.BaseAddress, "api/tasks?overdue=true").ToString();
            var cookie = await SignInAsync(server.BaseAddress, LeaderUser, password, cancellationToken);
            using (var warm = new HttpClient())
            {
                warm.DefaultRequestHeaders.Add("Cookie", cookie);
                for (var i = 0; i < 20; i++) await warm.GetStringAsync(new Uri(url), cancellationToken);
            }
            // 10 s of the same load, not counted: 20 requests left the JIT's tiering unfinished on a busy machine.
            await WrkAsync(url, cookie, script, cancellationToken, seconds: 10);
            var values = await WrkAsync(url, cookie, script, cancellationToken);
            var (rssLoaded, peak) = server.Memory();
            // The same load on 1,000 tasks an answer (the default page size before 22/11/2026), for comparison.
            var thousand = await WrkAsync(url + "&limit=1000", cookie, script, cancellationToken);
            results.Add(new BenchFigures("P5")
            {
                ["tasks"] = instances * unitsPerInstance,
                ["overdue_tasks"] = CountOverdue(Path.Combine(data, "workflowhost.db")),
                ["page"] = 100,
                ["p50_ms"] = values["p50"],
                ["p95_ms"] = values["p95"],
                ["p99_ms"] = values["p99"],
                ["max_ms"] = values["max"],
                ["requests_per_s"] = values["requests"] / 30.0,
                ["errors"] = values["errors"],
                ["server_rss_mb"] = rssLoaded,
                ["server_peak_mb"] = peak,
                ["limit1000_p50_ms"] = thousand["p50"],
                ["limit1000_p95_ms"] = thousand["p95"],
                ["limit1000_requests_per_s"] = thousand["requests"] / 30.0,
                ["limit1000_errors"] = thousand["errors"],
            });
        }
        return results;
    }

    private const string LeaderUser = "bench-leader";

    /// <summary><c>wrk -t2 -c8</c> for 30 s (or <paramref name="seconds"/>) with the session cookie; the percentiles (ms), requests and errors of the Lua hook.</summary>
    private static async Task<Dictionary<string, double>> WrkAsync(string url, string cookie, string script, CancellationToken cancellationToken, int seconds = 30)
    {
        var lines = await BenchProcess.RunAsync(Wrk, ["-t2", "-c8", $"-d{seconds}s", "-H", "Cookie: " + cookie, "-s", script, url], TimeSpan.FromMinutes(2), cancellationToken);
        var pct = lines.Single(l => l.StartsWith("PCT ", StringComparison.Ordinal));
        return pct[4..].Split(' ').Select(p => p.Split('=')).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Signs in through the sign-in form; returns the Cookie header value of the session.</summary>
    internal static async Task<string> SignInAsync(Uri baseAddress, string user, string password, CancellationToken cancellationToken)
    {
        var cookies = new System.Net.CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress };
        var form = await http.GetStringAsync(new Uri("signin", UriKind.Relative), cancellationToken);
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["userName"] = user, ["password"] = password, ["__RequestVerificationToken"] = token });
        using var response = await http.PostAsync(new Uri("signin", UriKind.Relative), content, cancellationToken);
        if (response.StatusCode != System.Net.HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in as {user} answered {(int)response.StatusCode}.");
        return cookies.GetCookieHeader(baseAddress);
    }

    private static async Task SeedAsync(string file, string definition, Engine.Directory.UnitDirectory directory, DateOnly baseDue, int instances, CancellationToken cancellationToken)
    {
        var contexts = await BenchDatabase.OpenAsync(file, cancellationToken);
        var clock = new VirtualTimeProvider(PlanTime.AtLocal(baseDue.AddDays(-60), new TimeOnly(8, 0)));
        var runtime = new WorkflowRuntime(new EfWorkflowStore(contexts), new InMemoryDefinitionSource().AddDefinition(definition).AddDirectory(directory), clock);
        for (var i = 0; i < instances; i++)
            await runtime.StartAsync(new StartWorkflowRequest
            {
                DefinitionId = "bench-load",
                Directory = directory.Directory,
                InstanceId = "load" + i.ToString("D5", CultureInfo.InvariantCulture),
                DateShiftDays = i % 400,
            }, cancellationToken);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            await db.Database.ExecuteSqlRawAsync("DELETE FROM \"Bookmarks\" WHERE \"Kind\" = 'Timer'", cancellationToken);
        SqliteConnection.ClearAllPools();
    }

    private static long CountOverdue(string file)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"UnitTasks\" WHERE \"DueAt\" <= $now AND \"Status\" NOT IN ('Done', 'DoneLate', 'Cancelled')";
        command.Parameters.AddWithValue("$now", TimeProvider.System.GetUtcNow().UtcTicks);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
