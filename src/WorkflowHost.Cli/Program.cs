using System.CommandLine;
using System.Diagnostics;
using Serilog;

namespace WorkflowHost.Cli;

/// <summary>The <c>workflowhost</c> command line: simulate, validate, user, backup, data export|import, bench.</summary>
public static class CliProgram
{
    /// <summary>Entry point: runs the command and logs its outcome (<see cref="CliLogging"/>).</summary>
    public static async Task<int> Main(string[] args)
    {
        var log = CliLogging.Start();
        var watch = Stopwatch.StartNew();
        var command = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "(none)";
        try
        {
            var exit = await Run(args);
            log.Information("Command {Command} ended with exit code {ExitCode} in {ElapsedMs} ms", command, exit, watch.ElapsedMilliseconds);
            return exit;
        }
        catch (Exception e)
        {
            log.Fatal(e, "Command {Command} failed after {ElapsedMs} ms: {Message}", command, watch.ElapsedMilliseconds, e.Message);
            throw;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    private static Task<int> Run(string[] args)
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
