using WorkflowHost.Cli;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Golden;

/// <summary>
/// Golden replay of every seed plan: simulating a plan with its checked-in typical scenario, on a real
/// SQLite file (in the PostgreSQL pass, a fresh PostgreSQL database) and the working-day calendar, must reproduce the checked-in event log
/// (<c>Golden/{scenario}.events.jsonl</c>) byte for byte. A deliberate change regenerates the snapshots
/// with <c>UPDATE_GOLDEN=1 ./test.sh --filter "FullyQualifiedName~Server.Tests.Golden"</c> in the same commit.
/// </summary>
public sealed class PlanGoldenTests : IDisposable
{
    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("wfh-golden-");

    [Theory]
    [InlineData("tuan-giao-2021-2025", "tuan-giao", "tuan-giao-typical")]
    [InlineData("huu-lung-2021-2025", "huu-lung", "huu-lung-typical")]
    [InlineData("ia-bang-2021-2025", "ia-bang", "ia-bang-typical")]
    public async Task Simulate_TypicalScenario_MatchesGoldenEventLog(string workflow, string units, string scenario)
    {
        using var postgres = TestDatabase.UsePostgres ? TestDatabase.ForServer(_out.FullName) : null;
        var exit = await SimulateCommand.RunAsync(new SimulateCommand.Options(
            new FileInfo(RepoPaths.Of($"workflows/{workflow}.json")),
            new FileInfo(RepoPaths.Of($"config/units/{units}.json")),
            new FileInfo(RepoPaths.Of($"config/scenarios/{scenario}.json")),
            _out, Start: null, InMemory: false, Quiet: true, Postgres: postgres?.ConnectionString, Calendar: new FileInfo(RepoPaths.Of("config/calendar/vn-working-days.json"))), TextWriter.Null, CancellationToken.None);
        Assert.Equal(0, exit);

        var actual = await File.ReadAllTextAsync(Path.Combine(_out.FullName, "events.jsonl"));
        var goldenPath = RepoPaths.Of($"tests/WorkflowHost.Server.Tests/Golden/{scenario}.events.jsonl");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1") await File.WriteAllTextAsync(goldenPath, actual);
        var expected = await File.ReadAllTextAsync(goldenPath);
        if (expected == actual) return;
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var first = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
        Assert.Fail($"{scenario}: event log differs from the golden snapshot at line {first + 1} ({e.Length} vs {a.Length} lines).\nexpected: {e.ElementAtOrDefault(first)}\nactual:   {a.ElementAtOrDefault(first)}");
    }

    public void Dispose() => _out.Delete(recursive: true);
}
