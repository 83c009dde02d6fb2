using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WorkflowHost.Engine.Directory;

namespace WorkflowHost.Cli.Bench;

/// <summary>
/// P4: <paramref name="units"/> tasks due at the same instant on the live server. The server runs as its
/// own process in demo mode (an accelerated clock, <see cref="Speed"/>× real time) on a fresh data
/// folder with one plan: a ForEachUnit over a generated directory with one UnitTask, due the same day for
/// every unit. The plan starts at 20:00 on the due date (the 1-day reminder goes out at once); at 08:00
/// the next morning every task's overdue rung falls due together. The figure is the real time from the
/// moment the server's clock passes that instant until the outbox holds every overdue notice, as read
/// from the database by a separate connection every 50 ms. The due-timer sweep runs every second
/// (App:SweepIntervalSeconds), so up to a second of the figure is the sweep's period.
/// </summary>
public static class BurstBench
{
    /// <summary>Virtual seconds per real second.</summary>
    public const double Speed = 900;

    /// <summary>Runs P4.</summary>
    public static async Task<BenchFigures> RunAsync(int units, string folder, CancellationToken cancellationToken)
    {
        // A Tuesday: the overdue rung at 08:00 the next morning falls on a working day (on a Friday the working-day
        // calendar moves it to Monday, and the benchmark would time the weekend at the demo's speed).
        var due = new DateOnly(2030, 3, 26);
        var (settings, dataFolder) = PrepareFolder(folder, "bench-burst", BenchPlan.TaskDefinition("bench-burst", due, null), BenchPlan.Directory("bench-burst", units));
        settings["Demo:DefinitionId"] = "bench-burst";
        settings["Demo:Directory"] = "bench-burst";
        settings["Demo:VirtualStart"] = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T20:00:00";
        settings["Demo:Speed"] = Speed.ToString(CultureInfo.InvariantCulture);
        // /api/clock needs a sign-in since the screens landed: a bootstrap account of this run's own.
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        settings["Auth:BootstrapSecretariat:UserName"] = "bench-secretariat";
        settings["Auth:BootstrapSecretariat:Password"] = password;
        var overdueAt = Engine.Timeline.PlanTime.AtLocal(due.AddDays(1), new TimeOnly(8, 0));
        var stopwatch = Stopwatch.StartNew();
        await using var server = BenchServer.Start(settings, Path.Combine(folder, "server.log"), "--demo");
        await server.WaitReadyAsync(stopwatch, TimeSpan.FromMinutes(5), cancellationToken);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Add("Cookie", await ServerLoadBench.SignInAsync(server.BaseAddress, "bench-secretariat", password, cancellationToken));
        var database = Path.Combine(dataFolder, "demo", "workflowhost.db");
        TimeSpan? crossed = null;
        var startedTasks = 0L;
        while (stopwatch.Elapsed < TimeSpan.FromMinutes(10))
        {
            var clock = await http.GetFromJsonAsync<JsonElement>(new Uri("api/clock", UriKind.Relative), cancellationToken);
            var now = clock.GetProperty("utc").GetDateTimeOffset();
            if (crossed is null && now >= overdueAt)
            {
                crossed = stopwatch.Elapsed;
                startedTasks = Count(database, "SELECT COUNT(*) FROM \"UnitTasks\"");
                if (startedTasks < units) throw new InvalidOperationException($"Only {startedTasks} of {units} tasks existed when the overdue instant came: the start step was too slow for the demo speed; lower {nameof(Speed)}.");
            }
            if (crossed is not null && Count(database, "SELECT COUNT(*) FROM \"OutboxMessages\" WHERE \"Kind\" = 'OverdueNotice'") >= units)
            {
                var elapsed = stopwatch.Elapsed - crossed.Value;
                var (rss, peak) = server.Memory();
                return new BenchFigures("P4")
                {
                    ["tasks"] = units,
                    ["seconds_to_all_notices"] = elapsed.TotalSeconds,
                    ["server_rss_mb"] = rss,
                    ["server_peak_mb"] = peak,
                };
            }
            await Task.Delay(50, cancellationToken);
        }
        throw new TimeoutException("The overdue notices did not all reach the outbox within 10 minutes.");
    }

    /// <summary>Writes the workflow and the directory into a fresh data folder; returns the server settings for it.</summary>
    public static (Dictionary<string, string> Settings, string DataFolder) PrepareFolder(string folder, string name, string definitionJson, UnitDirectory directory)
    {
        if (System.IO.Directory.Exists(folder)) System.IO.Directory.Delete(folder, recursive: true);
        var workflows = System.IO.Directory.CreateDirectory(Path.Combine(folder, "workflows")).FullName;
        var unitsFolder = System.IO.Directory.CreateDirectory(Path.Combine(folder, "units")).FullName;
        var data = System.IO.Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;
        File.WriteAllText(Path.Combine(workflows, name + ".json"), definitionJson);
        File.WriteAllText(Path.Combine(unitsFolder, name + ".json"), JsonSerializer.Serialize(directory, UnitDirectory.SerializerOptions));
        return (new Dictionary<string, string>
        {
            ["App:WorkflowsPath"] = workflows,
            ["App:UnitsPath"] = unitsFolder,
            ["App:DataDirectory"] = data,
            ["Mail:Mode"] = "Pickup",
        }, data);
    }

    private static long Count(string database, string sql)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return 0; // not created yet
        }
    }
}
