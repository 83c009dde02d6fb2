namespace WorkflowHost.Engine.Timeline;

/// <summary>
/// A live clock that runs <see cref="Speed"/> times faster than real time from a chosen virtual start,
/// for the demo mode of the server (e.g. one plan day every two seconds). Real elapsed time comes
/// from the inner clock, normally <see cref="TimeProvider.System"/>.
/// </summary>
/// <remarks>
/// A clock made <em>held</em> stands still at its virtual start until <see cref="Release"/> is called, so that the
/// server's start-up (database, seeding, the demo plan's first step) takes no virtual time: at 43,200× each real
/// second of start-up would otherwise move the demo half a plan day past its documented start.
/// </remarks>
public sealed class AcceleratedTimeProvider : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly DateTimeOffset _virtualStart;
    private long _realStartTicks; // UTC ticks of the real instant the clock started running; 0 while held

    /// <summary>A clock at <paramref name="virtualStart"/> that runs at once, or after <see cref="Release"/> when <paramref name="held"/>.</summary>
    /// <param name="inner">The real clock.</param>
    /// <param name="virtualStart">The virtual instant the clock starts at.</param>
    /// <param name="speed">Virtual seconds per real second, positive.</param>
    /// <param name="held">Stand still at <paramref name="virtualStart"/> until <see cref="Release"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="speed"/> is not positive.</exception>
    public AcceleratedTimeProvider(TimeProvider inner, DateTimeOffset virtualStart, double speed, bool held = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Speed = speed > 0 ? speed : throw new ArgumentOutOfRangeException(nameof(speed), "Speed must be positive.");
        _inner = inner;
        _virtualStart = virtualStart.ToUniversalTime();
        if (!held) _realStartTicks = inner.GetUtcNow().UtcTicks;
    }

    /// <summary>Virtual seconds per real second.</summary>
    public double Speed { get; }

    /// <summary>Whether the clock still stands at its virtual start.</summary>
    public bool IsHeld => Interlocked.Read(ref _realStartTicks) == 0;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => PlanTime.Zone;

    /// <summary>Starts a held clock running from its virtual start; does nothing if it already runs.</summary>
    public void Release() => Interlocked.CompareExchange(ref _realStartTicks, _inner.GetUtcNow().UtcTicks, 0);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        var start = Interlocked.Read(ref _realStartTicks);
        if (start == 0) return _virtualStart;
        var real = _inner.GetUtcNow().UtcTicks - start;
        return _virtualStart + TimeSpan.FromTicks((long)(real * Speed));
    }
}
