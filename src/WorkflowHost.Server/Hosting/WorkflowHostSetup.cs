using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Amendments;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Features.Definitions;
using WorkflowHost.Server.Features.Designer;
using WorkflowHost.Server.Features.Instances;
using WorkflowHost.Server.Features.Localization;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Features.Portal;
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
        if (!string.IsNullOrWhiteSpace(app.CalendarFile)) app.CalendarFile = Path.GetFullPath(app.CalendarFile, FindRoot(app.CalendarFile));
        configuration["App:WorkflowsPath"] = app.WorkflowsPath;
        configuration["App:UnitsPath"] = app.UnitsPath;
        if (demo.Enabled)
        {
            app.DataDirectory = Path.Combine(app.DataDirectory, "demo");
            configuration["App:DataDirectory"] = app.DataDirectory;
            configuration["Mail:PickupDirectory"] ??= Path.Combine(app.DataDirectory, "mail");
            configuration["ConnectionStrings:Sqlite"] = null;
            configuration["Database:Provider"] = "Sqlite";
            // The demo clock runs 43,200× faster: a 30-day link would expire within a minute of real time.
            configuration["Portal:LinkLifetimeDays"] ??= "36500";
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

        builder.AddWorkflowLogging();

        var services = builder.Services;
        services.Configure<AppOptions>(configuration.GetSection("App"));
        services.Configure<DemoOptions>(configuration.GetSection("Demo"));
        TimeProvider time = TimeProvider.System;
        if (demo.Enabled)
        {
            var start = DateTime.Parse(demo.VirtualStart, System.Globalization.CultureInfo.InvariantCulture); // local Asia/Ho_Chi_Minh
            // Held at its start until the demo plan has started (InitializeWorkflowHostAsync): start-up takes no virtual time.
            var accelerated = new AcceleratedTimeProvider(TimeProvider.System, PlanTime.AtLocal(DateOnly.FromDateTime(start), TimeOnly.FromDateTime(start)), demo.Speed, held: true);
            services.AddSingleton(accelerated);
            time = accelerated;
        }
        services.AddWorkflowDatabase(configuration, app.DataDirectory);
        services.AddSingleton<IWorkflowStore, EfWorkflowStore>();
        services.AddSingleton<DbDefinitionSource>();
        services.AddSingleton<IWorkflowDefinitionSource>(sp => sp.GetRequiredService<DbDefinitionSource>());
        // Task links in emails are signed, expiring portal links (Features/Portal/UnitLinkSigner).
        var calendar = LoadCalendar(app.CalendarFile);
        services.AddSingleton(sp => new RuntimeOptions
        {
            BaseUrl = app.BaseUrl,
            NotificationHour = app.NotificationHour,
            Calendar = calendar,
            // Group commit of the due-timer sweep (docs/benchmarks.md, P2 and P4).
            MaxInstancesPerTransaction = configuration.GetValue("Workflow:MaxInstancesPerTransaction", 64),
        }.WithSignedLinks(sp));
        services.AddPortal(configuration, app.DataDirectory);
        services.AddScoped<Features.Console.UnitDirectoryStore>();
        services.AddSingleton<Features.Console.ITaskAmendments, Features.Console.RuntimeTaskAmendments>();
        services.AddScoped<Features.Dashboard.DashboardData>();
        services.AddSingleton(sp => new WorkflowRuntime(sp.GetRequiredService<IWorkflowStore>(), sp.GetRequiredService<IWorkflowDefinitionSource>(),
            sp.GetRequiredService<ApplicationClock>(), sp.GetRequiredService<RuntimeOptions>())
            .WithStepLog(sp.GetRequiredService<ILoggerFactory>().CreateLogger("WorkflowHost.Steps")));
        services.AddSingleton<CatalogSeeder>();
        services.AddMailDelivery(configuration);
        services.AddSingleton<RuntimeMailComposer>();
        services.AddSingleton<DeliveryFailureSummary>();
        services.AddWorkflowScheduling(configuration, app);
        var clock = new ApplicationClock(time);
        services.AddSingleton(clock);
        // The dispatcher stamps rows on the application clock (the demo's accelerated one included).
        services.AddScoped(sp => new OutboxDispatcher(sp.GetRequiredService<WorkflowHostDbContext>(), sp.GetRequiredService<IMailTransport>(),
            sp.GetRequiredService<ApplicationClock>(), sp.GetRequiredService<IOptions<MailOptions>>(), sp.GetRequiredService<ILogger<OutboxDispatcher>>()));
        services.AddWorkflowAuth();
        services.AddSecurityPolicies(configuration);
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

    /// <summary>Reads the working-day calendar; an empty path means none.</summary>
    /// <exception cref="InvalidOperationException">The configured file is missing or invalid (the message names it).</exception>
    private static WorkingDayCalendar? LoadCalendar(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        try
        {
            return WorkingDayCalendar.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"App:CalendarFile \"{path}\": {e.Message}", e);
        }
    }

    private static void AddSingleNodeGuard(WebApplicationBuilder builder, string dataDirectory) =>
        builder.Services.AddSingleton(SingleNodeGuard.Acquire(dataDirectory));

    // "/" sends each caller to its screen: units to the portal, the secretariat to the console, leaders to the dashboard.
    private static IResult HomeRedirect(HttpContext context)
    {
        var user = context.User;
        if (user.UnitCode() is not null) return Results.Redirect("/portal");
        if (user.IsInRole(AuthPolicies.SecretariatRole)) return Results.Redirect("/console");
        if (user.IsInRole(AuthPolicies.LeaderRole)) return Results.Redirect("/dashboard");
        return Results.Redirect("/signin?returnUrl=%2F");
    }

    /// <summary>The nearest folder, from the working directory then the program's folder upwards, holding <paramref name="probe"/>.</summary>
    private static string FindRoot(string probe)
    {
        if (Path.IsPathRooted(probe)) return Directory.GetCurrentDirectory();
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (Path.Exists(Path.Combine(dir.FullName, probe))) return dir.FullName;
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
        var dataDirectory = app.Configuration["App:DataDirectory"]!;
        var accounts = await DemoAccounts.CreateAsync(app.Services, dataDirectory, app.Lifetime.ApplicationStopping);
        foreach (var account in accounts)
            app.Logger.LogInformation("Demo account ({Role}): user {User}, password {Password}; valid for this demo database only", account.Role, account.UserName, account.Password);
        var runtime = app.Services.GetRequiredService<WorkflowRuntime>();
        var instance = await runtime.StartAsync(new StartWorkflowRequest { DefinitionId = demo.DefinitionId, Directory = demo.Directory, InstanceId = "demo" }, app.Lifetime.ApplicationStopping);
        app.Logger.LogInformation("Demo: plan {Definition} started as instance {Instance} at virtual {Now} ({Speed}× real time); mail goes to {Mail}",
            demo.DefinitionId, instance.Id, PlanTime.Format(runtime.Time.GetUtcNow()), demo.Speed, app.Configuration["Mail:PickupDirectory"]);
        app.Services.GetService<AcceleratedTimeProvider>()?.Release();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var url = app.Urls.FirstOrDefault() ?? app.Configuration["App:BaseUrl"] ?? "http://127.0.0.1:5080";
            Console.Out.Write(DemoAccounts.Banner(accounts, url, dataDirectory));
            Console.Out.Flush();
        });
    }

    /// <summary>Maps the API, OpenAPI document and health endpoint.</summary>
    public static WebApplication MapWorkflowHost(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseSecurityHeaders();
        app.UseWorkflowRequestLogging();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseStudioBundle();
        app.UseUiLanguage();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapOpenApi().RequireAuthorization(AuthPolicies.Staff);
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadinessChecks.Tag),
            ResponseWriter = (context, report) => context.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
            }),
        }).AllowAnonymous();
        app.MapSignInEndpoints();
        app.MapJobDashboard();
        app.MapDesignerPages();
        app.MapGet("/api/clock", (ApplicationClock time) => new { utc = time.GetUtcNow(), local = PlanTime.Format(time.GetUtcNow()) }).WithTags("Health").WithName("GetClock").RequireAuthorization(AuthPolicies.SignedIn);
        app.MapTaskEndpoints();
        app.MapInstanceEndpoints();
        app.MapAmendmentEndpoints();
        app.MapNextPeriodEndpoints();
        app.MapDefinitionEndpoints();
        app.MapOutboxEndpoints();
        app.MapElsaApi();
        app.MapPortalEndpoints();
        Features.Console.ConsoleEndpoints.MapConsoleEndpoints(app);
        Features.Dashboard.DashboardEndpoints.MapDashboardEndpoints(app);
        app.MapGet("/", HomeRedirect).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
