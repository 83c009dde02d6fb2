using HangfireLog = Hangfire.Logging;

namespace WorkflowHost.Server.Features.Scheduling;

/// <summary>
/// Hangfire's log lines into the host's <see cref="ILoggerFactory"/> (Serilog), categories named after
/// Hangfire's classes (<c>Hangfire.*</c>, level Warning in appsettings.json). Hangfire keeps one log
/// provider for the whole process; when the host that set it has been disposed (in-process test hosts
/// come and go side by side) its lines are dropped instead of throwing <see cref="ObjectDisposedException"/>
/// into Hangfire's workers.
/// </summary>
internal sealed class HangfireLogBridge(ILoggerFactory factory) : HangfireLog.ILogProvider
{
    /// <inheritdoc />
    public HangfireLog.ILog GetLogger(string name) => new BridgedLog(factory, name);

    private sealed class BridgedLog(ILoggerFactory factory, string name) : HangfireLog.ILog
    {
        private ILogger? _logger;

        public bool Log(HangfireLog.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            var level = logLevel switch
            {
                HangfireLog.LogLevel.Trace => LogLevel.Trace,
                HangfireLog.LogLevel.Debug => LogLevel.Debug,
                HangfireLog.LogLevel.Info => LogLevel.Information,
                HangfireLog.LogLevel.Warn => LogLevel.Warning,
                HangfireLog.LogLevel.Error => LogLevel.Error,
                HangfireLog.LogLevel.Fatal => LogLevel.Critical,
                _ => LogLevel.None,
            };
            try
            {
                var logger = _logger ??= factory.CreateLogger(name);
                if (messageFunc is null) return logger.IsEnabled(level);
                if (!logger.IsEnabled(level)) return false;
#pragma warning disable CA1848, CA2254 // Hangfire hands over finished text, not a template.
                logger.Log(level, exception, "{HangfireMessage}", messageFunc());
#pragma warning restore CA1848, CA2254
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
