namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>
/// A settable <see cref="TimeProvider"/>: <see cref="GetUtcNow"/> returns what the test says. Timers and
/// timestamps still come from the real clock (nothing under test schedules timers on it).
/// </summary>
public sealed class TestClock : TimeProvider
{
    /// <summary>A fixed, arbitrary start: 2 March 2026, 08:00 in Hà Nội.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private DateTimeOffset _utcNow;

    /// <summary>Starts at <see cref="DefaultStart"/>.</summary>
    public TestClock()
        : this(DefaultStart)
    {
    }

    /// <summary>Starts at <paramref name="start"/>.</summary>
    public TestClock(DateTimeOffset start) => _utcNow = start.ToUniversalTime();

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _utcNow;
        }
    }

    /// <summary>Moves the clock forward (or back, with a negative span).</summary>
    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _utcNow += by;
        }
    }

    /// <summary>Sets the clock.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        lock (_gate)
        {
            _utcNow = value.ToUniversalTime();
        }
    }
}
