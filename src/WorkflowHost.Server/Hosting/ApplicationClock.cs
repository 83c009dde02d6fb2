using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Server.Hosting;

/// <summary>
/// The application's clock: the system clock, or the accelerated demo clock (43,200× real time). A type of
/// its own so that nothing that takes <see cref="TimeProvider"/> from DI (ASP.NET Core, the mail transport's
/// timeouts) runs on the accelerated clock by accident; the Hangfire loops measure their intervals on the
/// real clock and their work reads this one (docs/decisions/0009).
/// </summary>
public sealed class ApplicationClock(TimeProvider inner) : TimeProvider
{
    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => PlanTime.Zone;
}
