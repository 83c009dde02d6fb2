using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>Registers email delivery from the outbox.</summary>
public static class MailServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MailOptions"/> (section <c>"Mail"</c>, validated at start-up), the
    /// <see cref="IMailTransport"/> chosen by <see cref="MailOptions.Mode"/> (singleton),
    /// <see cref="OutboxDispatcher"/> (scoped) and, if none is registered yet, <see cref="TimeProvider.System"/>.
    /// Requires <c>WorkflowHostDbContext</c> to be registered (AddDbContext). The dispatch is scheduled by
    /// <c>SchedulingSetup.AddWorkflowScheduling</c> (Hangfire recurring job <see cref="OutboxDispatchJob.JobName"/>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application configuration (its <c>"Mail"</c> section is bound).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddMailDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<MailOptions>()
            .Bind(configuration.GetSection(MailOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MailOptions>, MailOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SmtpMailTransport>();
        services.TryAddSingleton<PickupDirectoryMailTransport>();
        services.TryAddSingleton<IMailTransport>(sp =>
            sp.GetRequiredService<IOptions<MailOptions>>().Value.Mode switch
            {
                MailDeliveryMode.Smtp => sp.GetRequiredService<SmtpMailTransport>(),
                _ => sp.GetRequiredService<PickupDirectoryMailTransport>(),
            });
        services.TryAddScoped<OutboxDispatcher>();
        return services;
    }
}
