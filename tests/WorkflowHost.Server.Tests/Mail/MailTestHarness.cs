using WorkflowHost.Engine.Timeline;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Mail;

/// <summary>
/// The mail feature wired as the server wires it (<see cref="MailServiceCollectionExtensions.AddMailDelivery"/>),
/// on a real SQLite file, a virtual clock and a log collector.
/// </summary>
internal sealed class MailTestHarness : IAsyncDisposable
{
    private MailTestHarness(Dictionary<string, string?> mailSettings)
    {
        PickupFolder = Path.Combine(Database.Folder, "pickup");
        mailSettings.TryAdd("PickupDirectory", PickupFolder);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(mailSettings.Select(kv => new KeyValuePair<string, string?>("Mail:" + kv.Key, kv.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddDbContext<WorkflowHostDbContext>(Database.Configure);
        services.AddSingleton<TimeProvider>(Clock);
        services.AddMailDelivery(configuration);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public TestDatabase Database { get; } = new();

    public VirtualTimeProvider Clock { get; } = new VirtualTimeProvider(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));

    public ListLoggerProvider Logs { get; } = new();

    public ServiceProvider Services { get; }

    /// <summary>Default pickup folder (not created: the transport must create it).</summary>
    public string PickupFolder { get; }

    /// <summary>SMTP mode against <paramref name="server"/> (read its port after its first start), default delays.</summary>
    public static MailTestHarness ForSmtp(SmtpTestServer server, Dictionary<string, string?>? overrides = null) =>
        Create(new()
        {
            ["Mode"] = "Smtp",
            ["Host"] = server.Host,
            ["Port"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SendTimeout"] = "00:00:10",
        }, overrides);

    /// <summary>Pickup mode into <see cref="PickupFolder"/> (inside the test's temp folder).</summary>
    public static MailTestHarness ForPickup(Dictionary<string, string?>? overrides = null) =>
        Create(new() { ["Mode"] = "Pickup" }, overrides);

    public static MailTestHarness Create(Dictionary<string, string?> settings, Dictionary<string, string?>? overrides = null)
    {
        foreach (var kv in overrides ?? [])
        {
            settings[kv.Key] = kv.Value;
        }

        return new MailTestHarness(settings);
    }

    /// <summary>An outbox row due now.</summary>
    public OutboxMessage NewMessage(
        string key,
        string to = "vanphong@sogiaoduc.example",
        string subject = "Nhắc hạn nộp hồ sơ",
        string? html = null,
        string? text = null) => new()
        {
            IdempotencyKey = key,
            To = to,
            Subject = subject,
            HtmlBody = html ?? $"<p>Nội dung <b>{key}</b></p>",
            TextBody = text ?? $"Nội dung {key}",
            Kind = MailKind.Reminder,
            CreatedAt = Clock.GetUtcNow(),
            NextAttemptAt = Clock.GetUtcNow(),
        };

    public async Task EnqueueAsync(params OutboxMessage[] messages)
    {
        await using var db = Database.CreateContext();
        db.OutboxMessages.AddRange(messages);
        await db.SaveChangesAsync();
    }

    /// <summary>Runs one <see cref="OutboxDispatcher.DispatchDueAsync"/> in its own scope, as the job does.</summary>
    public async Task<DispatchResult> DispatchAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
    }

    /// <summary>The row with <paramref name="key"/>, read fresh from the database.</summary>
    public async Task<OutboxMessage> GetAsync(string key)
    {
        await using var db = Database.CreateContext();
        return await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.IdempotencyKey == key);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Database.Dispose();
    }
}
