using WorkflowHost.Cli;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Postgres;

/// <summary>
/// The same golden simulation on a real PostgreSQL server: the EF store, its mappings (UTC instants,
/// local dates, string enums) and its subtree cancellation must behave exactly as on SQLite, so the
/// event log must equal the SQLite golden snapshot byte for byte.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class PostgresGoldenTests(PostgresTestServer postgres) : IClassFixture<PostgresTestServer>, IDisposable
{
    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("wfh-pg-golden-");

    [Fact]
    public async Task Simulate_TuanGiaoOnPostgres_MatchesSqliteGoldenEventLog()
    {
        await postgres.CreateDatabaseAsync("golden");
        var exit = await SimulateCommand.RunAsync(new SimulateCommand.Options(
            new FileInfo(RepoPaths.Of("workflows/tuan-giao-2021-2025.json")),
            new FileInfo(RepoPaths.Of("config/units/tuan-giao.json")),
            new FileInfo(RepoPaths.Of("config/scenarios/tuan-giao-typical.json")),
            _out, Start: null, InMemory: false, Quiet: true, Postgres: postgres.ConnectionString("golden"),
            Calendar: new FileInfo(RepoPaths.Of("config/calendar/vn-working-days.json"))), TextWriter.Null, CancellationToken.None);
        Assert.Equal(0, exit);
        var actual = await File.ReadAllTextAsync(Path.Combine(_out.FullName, "events.jsonl"));
        var expected = await File.ReadAllTextAsync(RepoPaths.Of("tests/WorkflowHost.Server.Tests/Golden/tuan-giao-typical.events.jsonl"));
        Assert.True(expected == actual, "The PostgreSQL event log differs from the SQLite golden snapshot.");
    }

    public void Dispose() => _out.Delete(recursive: true);
}
