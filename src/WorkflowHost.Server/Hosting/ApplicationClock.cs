using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Server.Hosting;

/// <summary>
/// The application's clock: the system clock, or the accelerated demo clock. A type of its own so that
/// Quartz, which takes <see cref="TimeProvider"/> from DI for its own triggers, keeps real time.
/// </summary>
public sealed class ApplicationClock(TimeProvider inner) : TimeProvider
{
    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => PlanTime.Zone;
}
