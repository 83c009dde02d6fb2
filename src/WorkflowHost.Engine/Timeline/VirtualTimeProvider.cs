namespace WorkflowHost.Engine.Timeline;

/// <summary>
/// A clock that only moves when told to: the simulation's virtual clock (five years in seconds) and
/// the tests' fake clock. Timers created through it are not supported: the engine never waits on
/// timers in-process; it persists bookmarks and a sweep resumes the due ones.
/// </summary>
public sealed class VirtualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start.ToUniversalTime();

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => PlanTime.Zone;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock to <paramref name="instant"/>; it never moves backwards.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The instant is earlier than now.</exception>
    public void SetUtcNow(DateTimeOffset instant)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instant, _now);
        _now = instant.ToUniversalTime();
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>.</summary>
    public void Advance(TimeSpan delta) => SetUtcNow(_now + delta);
}
