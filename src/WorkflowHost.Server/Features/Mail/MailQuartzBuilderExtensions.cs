using Quartz;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>Schedules <see cref="OutboxDispatchJob"/> on a Quartz scheduler.</summary>
public static class MailQuartzBuilderExtensions
{
    /// <summary>Job and trigger name of the outbox dispatch.</summary>
    public const string JobName = "outbox-dispatch";

    /// <summary>
    /// Adds <see cref="OutboxDispatchJob"/> with a trigger that fires now and then every
    /// <paramref name="interval"/> (default 30 s). Use inside <c>services.AddQuartz(q => …)</c>, together with
    /// <see cref="MailServiceCollectionExtensions.AddMailDelivery"/>.
    /// </summary>
    /// <param name="quartz">The scheduler being configured.</param>
    /// <param name="interval">Time between runs; null for 30 s.</param>
    /// <returns><paramref name="quartz"/>.</returns>
    public static IQuartzBuilder AddOutboxDispatchJob(this IQuartzBuilder quartz, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(quartz);
        var every = interval ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(every, TimeSpan.Zero, nameof(interval));

        quartz.ScheduleJob<OutboxDispatchJob>(
            trigger => trigger
                .WithIdentity(JobName)
                .StartNow()
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(every).RepeatForever()),
            job => job
                .WithIdentity(JobName)
                .WithDescription("Delivers due rows of the email outbox."));
        return quartz;
    }
}
