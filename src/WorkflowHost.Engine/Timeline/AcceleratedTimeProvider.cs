namespace WorkflowHost.Engine.Timeline;

/// <summary>
/// A live clock that runs <see cref="Speed"/> times faster than real time from a chosen virtual start,
/// for the demo mode of the server (e.g. one plan day every two seconds). Real elapsed time comes
/// from <paramref name="inner"/>, normally <see cref="TimeProvider.System"/>.
/// </summary>
public sealed class AcceleratedTimeProvider(TimeProvider inner, DateTimeOffset virtualStart, double speed) : TimeProvider
{
    private readonly DateTimeOffset _realStart = inner.GetUtcNow();

    /// <summary>Virtual seconds per real second.</summary>
    public double Speed { get; } = speed > 0 ? speed : throw new ArgumentOutOfRangeException(nameof(speed), "Speed must be positive.");

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => PlanTime.Zone;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        var real = inner.GetUtcNow() - _realStart;
        return virtualStart.ToUniversalTime() + TimeSpan.FromTicks((long)(real.Ticks * Speed));
    }
}
