using WorkflowHost.Cli;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Golden;

/// <summary>
/// Golden replay: simulating the Tuần Giáo plan with the checked-in scenario, on a real SQLite file,
/// must reproduce the checked-in event log byte for byte. A deliberate change regenerates the snapshot
/// with <c>UPDATE_GOLDEN=1 ./test.sh --filter Golden</c> in the same commit.
/// </summary>
public sealed class TuanGiaoGoldenTests : IDisposable
{
    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("wfh-golden-");

    [Fact]
    public async Task Simulate_TuanGiaoTypicalScenario_MatchesGoldenEventLog()
    {
        var exit = await SimulateCommand.RunAsync(new SimulateCommand.Options(
            new FileInfo(RepoPaths.Of("workflows/tuan-giao-2021-2025.json")),
            new FileInfo(RepoPaths.Of("config/units/tuan-giao.json")),
            new FileInfo(RepoPaths.Of("config/scenarios/tuan-giao-typical.json")),
            _out, Start: null, InMemory: false, Quiet: true, Calendar: new FileInfo(RepoPaths.Of("config/calendar/vn-working-days.json"))), TextWriter.Null, CancellationToken.None);
        Assert.Equal(0, exit);

        var actual = await File.ReadAllTextAsync(Path.Combine(_out.FullName, "events.jsonl"));
        var goldenPath = RepoPaths.Of("tests/WorkflowHost.Server.Tests/Golden/tuan-giao-typical.events.jsonl");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1") await File.WriteAllTextAsync(goldenPath, actual);
        var expected = await File.ReadAllTextAsync(goldenPath);
        if (expected == actual) return;
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var first = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
        Assert.Fail($"Event log differs from the golden snapshot at line {first + 1} ({e.Length} vs {a.Length} lines).\nexpected: {e.ElementAtOrDefault(first)}\nactual:   {a.ElementAtOrDefault(first)}");
    }

    public void Dispose() => _out.Delete(recursive: true);
}
