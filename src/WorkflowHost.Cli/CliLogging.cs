using Microsoft.Extensions.Configuration;
using Serilog;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Cli;

/// <summary>
/// The CLI logs through the server's Serilog configuration (<see cref="LoggingSetup"/>): section
/// <c>"Serilog"</c> of the server's appsettings.json (copied beside the CLI), then the environment
/// (<c>Serilog__…</c>, as for the server). Two CLI defaults come between them, so the environment still
/// overrides them: the minimum level is Warning (commands print their results on standard output; set
/// <c>Serilog__MinimumLevel__Default=Information</c> for a line per command), and the first sink, the
/// console, writes to standard error, so that a log line never mixes into a command's output.
/// </summary>
internal static class CliLogging
{
    /// <summary>The configuration the CLI's logger reads.</summary>
    public static IConfiguration Configuration() => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:WriteTo:0:Args:standardErrorFromLevel"] = "Verbose",
        })
        .AddEnvironmentVariables()
        .Build();

    /// <summary>Creates the logger and makes it <see cref="Log.Logger"/> (flushed by <see cref="Log.CloseAndFlushAsync"/>).</summary>
    public static ILogger Start()
    {
        Log.Logger = LoggingSetup.Configure(new LoggerConfiguration(), Configuration()).CreateLogger();
        return Log.Logger.ForContext("SourceContext", "WorkflowHost.Cli");
    }
}
