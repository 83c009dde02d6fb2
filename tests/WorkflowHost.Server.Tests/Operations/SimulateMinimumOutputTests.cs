using System.Text.Json.Nodes;
using WorkflowHost.Cli;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Operations;

/// <summary>
/// Issue 15.1 and 15.5 through <c>workflowhost simulate</c>: the task's minimum and the rows counted against it
/// appear in summary.txt, timeline.txt and tasks.csv; an instance kept open by a unit that never submits is named.
/// </summary>
[Trait("Database", "None")] // in-memory store: the PostgreSQL pass skips it
public sealed class SimulateMinimumOutputTests : IDisposable
{
    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("wfh-sim-minimum-");

    public void Dispose() => _out.Delete(recursive: true);

    private static JsonObject Input(string type, string value, string syntax = "Literal") => new() { ["typeName"] = type, ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = value } };

    private static JsonObject Connection(string source, string target) => new() { ["source"] = new JsonObject { ["activity"] = source, ["port"] = "Done" }, ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" } };

    /// <summary>A nomination "ít nhất 03 điển hình" due 15/03/2024 for VPHU, BTCHU and BTGHU of Tuần Giáo.</summary>
    private static string Plan() => new JsonObject
    {
        ["definitionId"] = "minimum-test",
        ["version"] = 1,
        ["createdAt"] = "2024-03-01T08:00:00+07:00",
        ["root"] = new JsonObject
        {
            ["id"] = "root",
            ["type"] = "Elsa.Flowchart",
            ["activities"] = new JsonArray(
                new JsonObject { ["id"] = "start", ["type"] = "Elsa.Start" },
                new JsonObject
                {
                    ["id"] = "each",
                    ["type"] = "ThiDua.ForEachUnit",
                    ["unitCodes"] = Input("String[]", "[\"VPHU\",\"BTCHU\",\"BTGHU\"]", "Object"),
                    ["body"] = new JsonObject
                    {
                        ["id"] = "body",
                        ["type"] = "Elsa.Flowchart",
                        ["activities"] = new JsonArray(new JsonObject
                        {
                            ["id"] = "nominate",
                            ["type"] = "ThiDua.UnitTask",
                            ["kind"] = Input("String", "Nomination"),
                            ["milestone"] = Input("String", "nomination-2024"),
                            ["title"] = Input("String", "Giới thiệu điển hình năm 2024"),
                            ["dueDate"] = Input("DateOnly", "2024-03-15"),
                            ["minimum"] = Input("String", "ít nhất 03 điển hình"),
                        }),
                        ["connections"] = new JsonArray(),
                    },
                }),
            ["connections"] = new JsonArray(Connection("start", "each")),
        },
    }.ToJsonString();

    private const string Scenario = """
        {
          "rules": [{ "milestone": "nomination-2024", "units": ["BTGHU"], "action": "never" }],
          "exemplars": [
            { "milestone": "nomination-2024", "rows": [{ "kind": "collective", "name": "Tập thể", "count": 3 }] },
            { "milestone": "nomination-2024", "units": ["BTCHU"], "rows": [{ "kind": "collective", "name": "Tập thể", "count": 2 }] }
          ]
        }
        """;

    [Fact]
    public async Task Simulate_ShortNominationAndAUnitThatNeverSubmits_OutputsSayBoth()
    {
        var workflow = Path.Combine(_out.FullName, "plan.json");
        var scenario = Path.Combine(_out.FullName, "scenario.json");
        await File.WriteAllTextAsync(workflow, Plan());
        await File.WriteAllTextAsync(scenario, Scenario);
        var stdout = new StringWriter();

        var exit = await SimulateCommand.RunAsync(new SimulateCommand.Options(new FileInfo(workflow), new FileInfo(RepoPaths.Of("config/units/tuan-giao.json")), new FileInfo(scenario),
            _out, Start: null, InMemory: true, Quiet: true, Calendar: new FileInfo(RepoPaths.Of("config/calendar/vn-working-days.json"))), stdout, CancellationToken.None);

        Assert.True(exit == 0, stdout.ToString());
        var csv = (await File.ReadAllLinesAsync(Path.Combine(_out.FullName, "tasks.csv"))).ToList();
        Assert.EndsWith(",returns,minimum,counted,shortfall", csv[0], StringComparison.Ordinal);
        Assert.EndsWith(",any:3,collective:2,any:1", Assert.Single(csv, l => l.Contains(",BTCHU,", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.EndsWith(",any:3,collective:3,", Assert.Single(csv, l => l.Contains(",VPHU,", StringComparison.Ordinal)), StringComparison.Ordinal);
        var timeline = await File.ReadAllTextAsync(Path.Combine(_out.FullName, "timeline.txt"));
        Assert.Contains("MinimumShortfall BTCHU: cần ít nhất 3 điển hình, đã khai 2 tập thể (thiếu 1 điển hình)", timeline, StringComparison.Ordinal);
        var summary = await File.ReadAllTextAsync(Path.Combine(_out.FullName, "summary.txt"));
        Assert.Contains("nomination-2024: tối thiểu 3 điển hình; 2 được chấp thuận, 1 đủ, 1 thiếu", summary, StringComparison.Ordinal);
        Assert.Contains("thiếu BTCHU: đã khai 2 tập thể / tối thiểu 3 điển hình", summary, StringComparison.Ordinal);
        Assert.Contains("WorkflowFinished not reached", summary, StringComparison.Ordinal);
        Assert.Contains("BTGHU — nomination-2024 — hạn 15/03/2024 — Open", summary, StringComparison.Ordinal);
    }
}
