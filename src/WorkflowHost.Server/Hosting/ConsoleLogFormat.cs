using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace WorkflowHost.Server.Hosting;

/// <summary>
/// The console's human-readable line (appsettings.json, <c>Serilog:WriteTo:0:Args:formatter</c>):
/// <c>[08:00:01 INF] WorkflowHost.Steps: Step committed in demo: … {"InstanceId": "demo"}</c> — time (local
/// to the machine), level, source, message, then every property as JSON (instance, task and unit ids).
/// A formatter rather than an <c>outputTemplate</c> so that one environment variable swaps it for compact
/// JSON: <c>Serilog__WriteTo__0__Args__formatter=Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact</c>
/// (a template and a formatter side by side would make Serilog pick the template's overload).
/// </summary>
public sealed class ConsoleLogFormat : ITextFormatter
{
    /// <summary>The line's template.</summary>
    public const string Template = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}";

    private readonly MessageTemplateTextFormatter _inner = new(Template, System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Format(LogEvent logEvent, TextWriter output) => _inner.Format(logEvent, output);
}
