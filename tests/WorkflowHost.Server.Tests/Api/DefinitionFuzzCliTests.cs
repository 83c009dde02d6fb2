using WorkflowHost.Cli;
using WorkflowHost.Engine.Tests.Definitions;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Api;

/// <summary>The same 1,000 generated hostile definitions through the CLI: each file is either valid or refused with exit 2 and its problems named; never a crash.</summary>
[Trait("Database", "None")] // touches no database: the PostgreSQL pass skips it
public sealed class DefinitionFuzzCliTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("wfh-fuzz-cli-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Validate_GeneratedHostileDefinitionFiles_ExitTwoNamingTheProblemNeverThrows()
    {
        var valid = await File.ReadAllTextAsync(RepoPaths.Of("workflows/tuan-giao-2021-2025.json"));
        var refused = 0;
        var i = 0;
        foreach (var (name, json) in DefinitionFuzzer.Generate(valid, 1_000, seed: 11))
        {
            var file = new FileInfo(Path.Combine(_folder.FullName, $"case-{i++:0000}.json"));
            await File.WriteAllTextAsync(file.FullName, json);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = await ValidateCommand.RunAsync([file], stdout, stderr, CancellationToken.None);
            Assert.True(exit is 0 or 2, $"case {name}: exit {exit}");
            if (exit == 2)
            {
                refused++;
                Assert.StartsWith(file.Name + ": ", stderr.ToString(), StringComparison.Ordinal);
                Assert.Contains("problem(s)", stderr.ToString(), StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains(": OK (", stdout.ToString(), StringComparison.Ordinal);
            }
        }
        Assert.True(refused > 500, $"{refused} of 1,000 refused");
    }
}
