namespace WorkflowHost.Engine.Timeline;

/// <summary>
/// A clock that only moves when told to: the simulation's virtual clock (five years in seconds) and
/// the tests' fake clock. Timers created through it are not supported: the engine never waits on
/// timers in-process; it persists bookmarks and a sweep resumes the due ones.
/// </summary>
public sealed class VirtualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start.ToUniversalTime();

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => PlanTime.Zone;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        // A DateTimeOffset is two words: read and write it under the lock so other threads never see half of it.
        lock (_gate) return _now;
    }

    /// <summary>Moves the clock to <paramref name="instant"/>; it never moves backwards.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The instant is earlier than now.</exception>
    public void SetUtcNow(DateTimeOffset instant)
    {
        lock (_gate)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(instant, _now);
            _now = instant.ToUniversalTime();
        }
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    public void Advance(TimeSpan delta)
    {
        lock (_gate)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
            _now += delta;
        }
    }
}
