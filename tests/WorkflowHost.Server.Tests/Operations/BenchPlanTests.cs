using System.Text.Json.Nodes;
using WorkflowHost.Cli.Bench;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Operations;

/// <summary>
/// The P1 benchmark's inputs (issue 13): its generated directory names every unit the Tuần Giáo plan assigns a
/// task to by code, so that no activity faults and the figures measure the whole plan.
/// </summary>
[Trait("Database", "None")] // in-memory store: the PostgreSQL pass skips it
public sealed class BenchPlanTests
{
    [Fact]
    public void Directory_HasEveryUnitThePlanNamesByCode()
    {
        var plan = JsonNode.Parse(File.ReadAllText(RepoPaths.Of(BenchPlan.WorkflowPath)))!;
        var named = new SortedSet<string>(StringComparer.Ordinal);
        Walk(plan);
        var codes = BenchPlan.Directory("bench", 20, withHomeAffairs: true).Units.Select(u => u.Code).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(["PNV"], named); // the plan's own district-level tasks
        Assert.DoesNotContain(named, c => !codes.Contains(c));
        Assert.DoesNotContain(BenchPlan.Directory("bench", 20).Units, u => u.Code == "PNV"); // the other benchmarks' directories are unchanged

        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["unitCode"]?["expression"]?["value"] is JsonValue v && v.TryGetValue<string>(out var code)) named.Add(code);
                    foreach (var (_, child) in o) Walk(child);
                    break;
                case JsonArray a:
                    foreach (var child in a) Walk(child);
                    break;
            }
        }
    }

    [Fact]
    public async Task InMemoryRun_OfThePlan_FaultsNothing()
    {
        var figures = await SimulationBench.RunAsync(40, Path.GetTempPath(), inMemory: true, CancellationToken.None);

        Assert.Equal(0, figures["faults"]);
        Assert.True(figures["tasks"] > 40 * 9, $"tasks={figures["tasks"]}"); // each unit's nine milestones at least
        Assert.True(figures["emails"] > 0);
    }
}
