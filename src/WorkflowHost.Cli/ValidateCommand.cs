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
        command.SetAction(async (result, cancellationToken) =>
        {
            var failed = 0;
            foreach (var file in result.GetValue(files)!)
            {
                if (!file.Exists)
                {
                    await Console.Error.WriteLineAsync($"{file.FullName}: file not found");
                    failed++;
                    continue;
                }
                var read = Engine.Definitions.WorkflowDefinitionReader.Default.Read(await File.ReadAllTextAsync(file.FullName, cancellationToken));
                if (read.IsValid)
                {
                    Console.WriteLine($"{file.Name}: OK ({read.Blueprint!.AllActivities.Count()} activities)");
                    continue;
                }
                failed++;
                await Console.Error.WriteLineAsync($"{file.Name}: {read.Problems.Count} problem(s)\n  " + string.Join("\n  ", read.Problems));
            }
            return failed == 0 ? 0 : 2;
        });
        return command;
    }
}
