using System.CommandLine;

namespace WorkflowHost.Cli;

/// <summary>The <c>workflowhost</c> command line: simulate, validate, user, backup, data export|import, bench.</summary>
public static class CliProgram
{
    /// <summary>Entry point.</summary>
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("WorkflowHost: emulation & commendation plans as durable workflows.")
        {
            SimulateCommand.Create(),
            ValidateCommand.Create(),
            UnitsCommand.Create(),
            UserCommand.Create(),
            BackupCommand.Create(),
            DataCommand.Create(),
            Bench.BenchCommand.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
