using Microsoft.Extensions.Options;
using Serilog;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Features.Definitions;
using WorkflowHost.Server.Features.Designer;
using WorkflowHost.Server.Features.Instances;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Features.Scheduling;
using WorkflowHost.Server.Features.Studio;
using WorkflowHost.Server.Features.Tasks;

namespace WorkflowHost.Server.Hosting;

/// <summary>Composition of the host: logging, database, engine, mail, scheduler, API.</summary>
public static class WorkflowHostSetup
{
    /// <summary>The command-line switch for demo mode (remove it from the args given to CreateBuilder).</summary>
    public const string DemoFlag = "--demo";

    /// <summary>Registers every service. <c>--demo</c> in <paramref name="args"/> turns demo mode on.</summary>
    public static WebApplicationBuilder AddWorkflowHost(this WebApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (args.Contains(DemoFlag)) configuration["Demo:Enabled"] = "true";
        var demo = configuration.GetSection("Demo").Get<DemoOptions>() ?? new DemoOptions();
        var app = configuration.GetSection("App").Get<AppOptions>() ?? new AppOptions();
        // Relative folders are relative to the repository (or install) root, whatever the working directory.
        var root = FindRoot(app.WorkflowsPath);
        app.WorkflowsPath = Path.GetFullPath(app.WorkflowsPath, root);
        app.UnitsPath = Path.GetFullPath(app.UnitsPath, root);
        app.DataDirectory = Path.GetFullPath(app.DataDirectory, root);
        configuration["App:WorkflowsPath"] = app.WorkflowsPath;
        configuration["App:UnitsPath"] = app.UnitsPath;
        if (demo.Enabled)
        {
            app.DataDirectory = Path.Combine(app.DataDirectory, "demo");
            configuration["App:DataDirectory"] = app.DataDirectory;
            configuration["Mail:PickupDirectory"] ??= Path.Combine(app.DataDirectory, "mail");
            configuration["ConnectionStrings:Sqlite"] = null;
            configuration["Database:Provider"] = "Sqlite";
        }
        configuration["Mail:PickupDirectory"] ??= Path.Combine(app.DataDirectory, "mail");
        configuration["App:DataDirectory"] = app.DataDirectory;
        Directory.CreateDirectory(app.DataDirectory);
        if (!DatabaseSetup.IsPostgres(configuration) && app.SingleNodeGuard) AddSingleNodeGuard(builder, app.DataDirectory);
        if (demo.Enabled)
        {
            // A fresh demo every run (the accelerated clock restarts at its virtual start); the lock is
            // taken first, so a second demo cannot wipe a running one.
            foreach (var entry in new DirectoryInfo(app.DataDirectory).EnumerateFileSystemInfos().Where(e => e.Name != "workflowhost.lock"))
            {
                if (entry is DirectoryInfo folder) folder.Delete(recursive: true);
                else entry.Delete();
            }
        }

        var logger = new LoggerConfiguration().ReadFrom.Configuration(configuration).Enrich.FromLogContext().CreateLogger();
        builder.Logging.ClearProviders().AddSerilog(logger, dispose: true);

        var services = builder.Services;
        services.Configure<AppOptions>(configuration.GetSection("App"));
        services.Configure<DemoOptions>(configuration.GetSection("Demo"));
        TimeProvider time = TimeProvider.System;
        if (demo.Enabled)
        {
            var start = DateTime.Parse(demo.VirtualStart, System.Globalization.CultureInfo.InvariantCulture); // local Asia/Ho_Chi_Minh
            time = new AcceleratedTimeProvider(TimeProvider.System, PlanTime.AtLocal(DateOnly.FromDateTime(start), TimeOnly.FromDateTime(start)), demo.Speed);
        }
        services.AddWorkflowDatabase(configuration, app.DataDirectory);
        services.AddSingleton<IWorkflowStore, EfWorkflowStore>();
        services.AddSingleton<DbDefinitionSource>();
        services.AddSingleton<IWorkflowDefinitionSource>(sp => sp.GetRequiredService<DbDefinitionSource>());
        services.AddSingleton(new RuntimeOptions
        {
            BaseUrl = app.BaseUrl,
            // Group commit of the due-timer sweep (docs/benchmarks.md, P2 and P4).
            MaxInstancesPerTransaction = configuration.GetValue("Workflow:MaxInstancesPerTransaction", 64),
        });
        services.AddSingleton(sp => new WorkflowRuntime(sp.GetRequiredService<IWorkflowStore>(), sp.GetRequiredService<IWorkflowDefinitionSource>(),
            sp.GetRequiredService<ApplicationClock>(), sp.GetRequiredService<RuntimeOptions>()));
        services.AddSingleton<CatalogSeeder>();
        services.AddMailDelivery(configuration);
        services.AddWorkflowScheduling(configuration, app);
        var clock = new ApplicationClock(time);
        services.AddSingleton(clock);
        // The dispatcher stamps rows on the application clock (the demo's accelerated one included).
        services.AddScoped(sp => new OutboxDispatcher(sp.GetRequiredService<WorkflowHostDbContext>(), sp.GetRequiredService<IMailTransport>(),
            sp.GetRequiredService<ApplicationClock>(), sp.GetRequiredService<IOptions<MailOptions>>(), sp.GetRequiredService<ILogger<OutboxDispatcher>>()));
        services.AddWorkflowAuth();
        services.AddElsaApi();
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddOpenApi();
        services.AddHealthChecks().AddReadinessChecks();
        services.AddWorkflowAccounts(configuration);
        services.AddStudio(configuration);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        return builder;
    }

    private static void AddSingleNodeGuard(WebApplicationBuilder builder, string dataDirectory) =>
        builder.Services.AddSingleton(SingleNodeGuard.Acquire(dataDirectory));

    /// <summary>The nearest folder, from the working directory then the program's folder upwards, holding <paramref name="probe"/>.</summary>
    private static string FindRoot(string probe)
    {
        if (Path.IsPathRooted(probe)) return Directory.GetCurrentDirectory();
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (Directory.Exists(Path.Combine(dir.FullName, probe))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    /// <summary>Creates the database, loads workflows and unit directories, and in demo mode starts the demo plan.</summary>
    public static async Task InitializeWorkflowHostAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.Services.InitializeDatabaseAsync(app.Lifetime.ApplicationStopping);
        await app.Services.GetRequiredService<CatalogSeeder>().SeedAsync(app.Lifetime.ApplicationStopping);
        await app.Services.EnsureBootstrapAccountAsync(app.Logger, app.Lifetime.ApplicationStopping);
        var demo = app.Services.GetRequiredService<IOptions<DemoOptions>>().Value;
        if (!demo.Enabled) return;
        var runtime = app.Services.GetRequiredService<WorkflowRuntime>();
        var instance = await runtime.StartAsync(new StartWorkflowRequest { DefinitionId = demo.DefinitionId, Directory = demo.Directory, InstanceId = "demo" }, app.Lifetime.ApplicationStopping);
        app.Logger.LogInformation("Demo: plan {Definition} started as instance {Instance} at virtual {Now} ({Speed}× real time); mail goes to {Mail}",
            demo.DefinitionId, instance.Id, PlanTime.Format(runtime.Time.GetUtcNow()), demo.Speed, app.Configuration["Mail:PickupDirectory"]);
    }

    /// <summary>Maps the API, OpenAPI document and health endpoint.</summary>
    public static WebApplication MapWorkflowHost(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseStudioBundle();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadinessChecks.Tag),
            ResponseWriter = (context, report) => context.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
            }),
        });
        app.MapSignInEndpoints();
        app.MapDesignerPages();
        app.MapGet("/api/clock", (ApplicationClock time) => new { utc = time.GetUtcNow(), local = PlanTime.Format(time.GetUtcNow()) }).WithTags("Health").WithName("GetClock");
        app.MapTaskEndpoints();
        app.MapInstanceEndpoints();
        app.MapDefinitionEndpoints();
        app.MapOutboxEndpoints();
        app.MapElsaApi();
        return app;
    }
}
