using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Mail;
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
    public async Task AddOutboxDispatchJob_QuartzScheduler_DeliversQueuedMessage()
    {
        using var database = new TestDatabase();
        var pickup = Path.Combine(database.Folder, "pickup");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mail:Mode"] = "Pickup",
            ["Mail:PickupDirectory"] = pickup,
        });
        builder.Services.AddDbContext<WorkflowHostDbContext>(database.Configure);
        builder.Services.AddMailDelivery(builder.Configuration);
        builder.Services.AddQuartz(q => q.AddOutboxDispatchJob(TimeSpan.FromMilliseconds(200)));
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        using var host = builder.Build();

        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await using (var db = database.CreateContext())
        {
            db.OutboxMessages.Add(new OutboxMessage
            {
                IdempotencyKey = "quartz-1",
                To = "quartz@x.example",
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
