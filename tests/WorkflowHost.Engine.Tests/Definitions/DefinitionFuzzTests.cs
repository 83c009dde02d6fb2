using System.Text;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Tests.Infrastructure;

namespace WorkflowHost.Engine.Tests.Definitions;

/// <summary>
/// Generated malformed and hostile definitions (seeded, so reproducible): the reader must never throw,
/// and must either accept a definition or name at least one problem. Shared with the API fuzz test.
/// </summary>
public sealed class DefinitionFuzzTests
{
    public const int Cases = 1_000;

    [Fact]
    public void Read_GeneratedHostileDefinitions_NeverThrowsAndNamesProblems()
    {
        var rejected = 0;
        foreach (var (name, json) in DefinitionFuzzer.Generate(RepoFiles.Read("workflows/tuan-giao-2021-2025.json"), Cases, seed: 20261122))
        {
            DefinitionReadResult result;
            try
            {
                result = WorkflowDefinitionReader.Default.Read(json);
            }
            catch (Exception e)
            {
                Assert.Fail($"case {name}: reader threw {e.GetType().Name}: {e.Message}");
                return;
            }
            if (result.IsValid) continue;
            rejected++;
            Assert.All(result.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message), $"case {name}: empty problem message"));
        }
        Assert.True(rejected > Cases / 2, $"only {rejected} of {Cases} generated cases were rejected");
    }
}
