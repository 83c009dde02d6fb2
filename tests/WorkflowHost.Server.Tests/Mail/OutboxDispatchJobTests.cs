using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Hangfire;
using Hangfire.Storage.SQLite;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Features.Scheduling;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Mail;

public sealed class OutboxDispatchJobTests
{
    [Fact]
    public async Task RunAsync_MoreThanOneBatch_DrainsAllDueMessages()
    {
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var mail = MailTestHarness.ForSmtp(smtp, new() { ["BatchSize"] = "2" });
        await mail.EnqueueAsync([.. Enumerable.Range(1, 5).Select(i => mail.NewMessage($"job-{i}"))]);
        var job = ActivatorUtilities.CreateInstance<OutboxDispatchJob>(mail.Services);

        var total = await job.RunAsync(CancellationToken.None);

        Assert.Equal(new DispatchResult(5, 0, 0), total);
        Assert.Equal(5, smtp.Messages.Count);
        Assert.Equal(DispatchResult.Empty, await job.RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_ServerDown_StopsAfterFirstFailure()
    {
        await using var smtp = new SmtpTestServer(); // never started
        await using var mail = MailTestHarness.ForSmtp(smtp, new() { ["BatchSize"] = "2" });
        await mail.EnqueueAsync([.. Enumerable.Range(1, 5).Select(i => mail.NewMessage($"down-{i}"))]);
        var job = ActivatorUtilities.CreateInstance<OutboxDispatchJob>(mail.Services);

        var total = await job.RunAsync(CancellationToken.None);

        Assert.Equal(new DispatchResult(0, 1, 0, Deferred: 1), total);
    }

    [Fact]
    public async Task HangfireServer_SqliteJobStore_RunsTheDispatchLoopAndDeliversQueuedMessage()
    {
        using var database = new TestDatabase();
        var pickup = Path.Combine(database.Folder, "pickup");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mail:Mode"] = "Pickup",
            ["Mail:PickupDirectory"] = pickup,
            ["App:DispatchIntervalSeconds"] = "0.2",
        });
        builder.Services.AddLogging();
        builder.Services.Configure<AppOptions>(builder.Configuration.GetSection("App"));
        builder.Services.AddDbContext<WorkflowHostDbContext>(database.Configure);
        builder.Services.AddMailDelivery(builder.Configuration);
        builder.Services.Configure<SchedulingOptions>(_ => { });
        builder.Services.AddSingleton<JobLoop>();
        builder.Services.AddTransient<OutboxDispatchJob>();
        builder.Services.AddTransient<OutboxDispatchLoopJob>();
        // As the server registers them (SchedulingSetup): this host's own storage and activator, since Hangfire's
        // defaults are process-wide and other hosts run in this process at the same time; its log provider is
        // process-wide too, bridged so that lines are dropped once this host is gone.
        builder.Services.AddSingleton<JobStorage>(new SQLiteStorage(Path.Combine(database.Folder, SchedulingSetup.SqliteFileName), new SQLiteStorageOptions { QueuePollInterval = TimeSpan.FromMilliseconds(200) }));
        builder.Services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire((sp, c) => c.UseLogProvider(new HangfireLogBridge(sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>())));
        builder.Services.AddHangfireServer((sp, o) =>
        {
            o.WorkerCount = 2;
            o.Activator = sp.GetRequiredService<JobActivator>();
        });
        using var host = builder.Build();

        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await using (var db = database.CreateContext())
        {
            db.OutboxMessages.Add(new OutboxMessage
            {
                IdempotencyKey = "hangfire-1",
                To = "hangfire@x.example",
                Subject = "Lịch nhắc",
                HtmlBody = "<p>Lịch nhắc</p>",
                TextBody = "Lịch nhắc",
                CreatedAt = now,
                NextAttemptAt = now,
            });
            await db.SaveChangesAsync();
        }

        await host.StartAsync();
        try
        {
            host.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<OutboxDispatchLoopJob>(j => j.RunAsync(CancellationToken.None));
            var deadline = Stopwatch.StartNew();
            OutboxStatus status;
            do
            {
                await Task.Delay(50);
                await using var db = database.CreateContext();
                status = (await db.OutboxMessages.AsNoTracking().SingleAsync()).Status;
            }
            while (status != OutboxStatus.Sent && deadline.Elapsed < TimeSpan.FromSeconds(20));

            Assert.Equal(OutboxStatus.Sent, status);
            Assert.Single(Directory.GetFiles(pickup, "*.eml"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task JobLoop_TwoRunsAtOnce_OnlyOneHoldsTheLockAndIterates()
    {
        var storage = new Hangfire.InMemory.InMemoryStorage();
        var loop = new JobLoop(storage, Options.Create(new SchedulingOptions { LoopRunSeconds = 1 }), Microsoft.Extensions.Logging.Abstractions.NullLogger<JobLoop>.Instance);
        var running = 0;
        var maxRunning = 0;
        async Task Iteration(TimeSpan left, CancellationToken token)
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            await Task.Delay(20, token);
            Interlocked.Decrement(ref running);
        }

        // Two runs of the same loop (two nodes, or a run and its successor): the second waits for the lock.
        var first = Task.Run(() => loop.RunAsync("test-loop", TimeSpan.FromMilliseconds(100), Iteration, CancellationToken.None));
        var second = Task.Run(() => loop.RunAsync("test-loop", TimeSpan.FromMilliseconds(100), Iteration, CancellationToken.None));
        var iterations = await Task.WhenAll(first, second);

        Assert.Equal(1, maxRunning);
        Assert.All(iterations, n => Assert.InRange(n, 1, 12));
        Assert.InRange(iterations.Sum(), 14, 22); // ~10 a second over two one-second runs, one after the other
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    [Fact]
    public void AddMailDelivery_ModeSelectsTransport()
    {
        static IMailTransport Resolve(Dictionary<string, string?> settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            using var services = new ServiceCollection().AddLogging().AddMailDelivery(configuration).BuildServiceProvider();
            return services.GetRequiredService<IMailTransport>();
        }

        Assert.IsType<PickupDirectoryMailTransport>(Resolve([]));
        Assert.IsType<SmtpMailTransport>(Resolve(new() { ["Mail:Mode"] = "Smtp", ["Mail:Host"] = "smtp.x.example" }));
    }

    [Fact]
    public void AddMailDelivery_SmtpWithoutHost_FailsValidation()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Mail:Mode"] = "Smtp", ["Mail:MaxAttempts"] = "0" })
            .Build();
        using var services = new ServiceCollection().AddMailDelivery(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<MailOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("Mail:Host", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Mail:MaxAttempts", StringComparison.Ordinal));
    }

    [Fact]
    public void MailOptions_Defaults_MatchTheSpecification()
    {
        var o = new MailOptions();

        Assert.Equal(MailDeliveryMode.Pickup, o.Mode);
        Assert.Equal("./data/mail", o.PickupDirectory);
        Assert.Equal(25, o.Port);
        Assert.Equal("thiduakhenthuong@workflowhost.example", o.FromAddress);
        Assert.Equal("Thường trực Hội đồng Thi đua – Khen thưởng", o.FromDisplayName);
        Assert.Equal(8, o.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(30), o.BaseRetryDelay);
        Assert.Equal(TimeSpan.FromHours(1), o.MaxRetryDelay);
        Assert.Equal(200, o.BatchSize);
        Assert.Equal(TimeSpan.FromSeconds(30), o.SendTimeout);
    }
}
