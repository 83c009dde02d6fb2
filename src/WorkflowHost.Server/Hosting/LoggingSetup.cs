using Serilog;
using Serilog.Events;

namespace WorkflowHost.Server.Hosting;

/// <summary>
/// Serilog 4 for the server and the CLI (one configuration): sinks, levels and format come from section
/// <c>"Serilog"</c> of appsettings.json and the environment (e.g. <c>Serilog__MinimumLevel__Default=Debug</c>;
/// compact JSON lines with <c>Serilog__WriteTo__0__Args__formatter=Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact</c>),
/// enriched with the Microsoft.Extensions.Logging scopes, so <c>InstanceId</c>, <c>TaskId</c> and
/// <c>UnitCode</c> (<see cref="StepLog"/>) and the request's <c>RequestId</c> are properties of each event.
/// </summary>
public static class LoggingSetup
{
    /// <summary>Applies the shared configuration to <paramref name="logger"/>.</summary>
    public static LoggerConfiguration Configure(LoggerConfiguration logger, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(configuration);
        return logger.ReadFrom.Configuration(configuration).Enrich.FromLogContext();
    }

    /// <summary>Serilog as the host's only logger, and its request logging options (one line per request).</summary>
    public static WebApplicationBuilder AddWorkflowLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        builder.Logging.ClearProviders();
        // writeToProviders: providers that tests or hosts add (ConfigureLogging) still receive the events.
        // preserveStaticLogger: this host's logger stays its own (Log.Logger is process-wide, and in-process test hosts run side by side).
        builder.Services.AddSerilog((services, logger) => Configure(logger, configuration).ReadFrom.Services(services), preserveStaticLogger: true, writeToProviders: true);
        return builder;
    }

    /// <summary>
    /// One Information line per request (<c>HTTP GET /console responded 200 in 3.2 ms</c>) with
    /// <c>RequestMethod</c>, <c>RequestPath</c>, <c>StatusCode</c>, <c>Elapsed</c> (ms) and <c>UserName</c>
    /// as properties; health probes and static assets of the designer at Debug.
    /// </summary>
    public static IApplicationBuilder UseWorkflowRequestLogging(this IApplicationBuilder app) => app.UseSerilogRequestLogging(o =>
    {
        // The host's own logger, not the static Log.Logger the middleware would use otherwise.
        o.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
        o.EnrichDiagnosticContext = (diagnostics, context) =>
        {
            if (context.User.Identity?.IsAuthenticated == true) diagnostics.Set("UserName", context.User.Identity.Name);
        };
        o.GetLevel = (context, _, exception) =>
            exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error
            : context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments(Features.Studio.StudioBundle.BasePath.TrimEnd('/')) ? LogEventLevel.Debug
            : LogEventLevel.Information;
    });
}
