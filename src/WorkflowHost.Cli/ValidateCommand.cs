using System.CommandLine;

namespace WorkflowHost.Cli;

/// <summary><c>workflowhost validate FILE…</c>: reads each workflow definition and lists every problem; exit 2 if any is invalid.</summary>
public static class ValidateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Workflow definition JSON files.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("validate", "Validates workflow definitions.") { files };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(files)!, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>Validates the files; returns 0 when all are valid, 2 otherwise (problems on <paramref name="stderr"/>, one per line, naming the file).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<FileInfo> files, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var failed = 0;
        foreach (var file in files)
        {
            if (!file.Exists)
            {
                await stderr.WriteLineAsync($"{file.FullName}: file not found");
                failed++;
                continue;
            }
            var read = Engine.Definitions.WorkflowDefinitionReader.Default.Read(await File.ReadAllTextAsync(file.FullName, cancellationToken));
            if (read.IsValid)
            {
                await stdout.WriteLineAsync($"{file.Name}: OK ({read.Blueprint!.AllActivities.Count()} activities)");
                continue;
            }
            failed++;
            await stderr.WriteLineAsync($"{file.Name}: {read.Problems.Count} problem(s)\n  " + string.Join("\n  ", read.Problems));
        }
        return failed == 0 ? 0 : 2;
    }
}
