using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Tests.Timeline;

public sealed class AcceleratedTimeProviderTests
{
    private static readonly DateTimeOffset DemoStart = PlanTime.AtLocal(new DateOnly(2021, 9, 20), new TimeOnly(8, 0));

    [Fact]
    public void GetUtcNow_WhenHeld_StaysAtTheVirtualStartHoweverLongStartUpTakes()
    {
        var real = new VirtualTimeProvider(new DateTimeOffset(2026, 12, 2, 13, 0, 0, TimeSpan.Zero));
        var clock = new AcceleratedTimeProvider(real, DemoStart, 43_200, held: true);

        real.Advance(TimeSpan.FromSeconds(1.7)); // the start-up that moved the demo to 21/09 04:10 before

        Assert.True(clock.IsHeld);
        Assert.Equal(DemoStart, clock.GetUtcNow());
        Assert.Equal("20/09/2021 08:00", PlanTime.Format(clock.GetUtcNow()));
    }

    [Fact]
    public void Release_StartsTheClockFromTheVirtualStart_AtItsSpeed()
    {
        var real = new VirtualTimeProvider(new DateTimeOffset(2026, 12, 2, 13, 0, 0, TimeSpan.Zero));
        var clock = new AcceleratedTimeProvider(real, DemoStart, 43_200, held: true);
        real.Advance(TimeSpan.FromSeconds(5));

        clock.Release();
        real.Advance(TimeSpan.FromSeconds(2));
        clock.Release(); // a second release changes nothing

        Assert.False(clock.IsHeld);
        Assert.Equal(DemoStart.AddDays(1), clock.GetUtcNow()); // 2 real seconds × 43,200 = one plan day
    }

    [Fact]
    public void GetUtcNow_WhenNotHeld_RunsFromConstruction()
    {
        var real = new VirtualTimeProvider(new DateTimeOffset(2026, 12, 2, 13, 0, 0, TimeSpan.Zero));
        var clock = new AcceleratedTimeProvider(real, DemoStart, 3_600);

        real.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(DemoStart.AddHours(3), clock.GetUtcNow());
    }

    [Fact]
    public void Constructor_RejectsASpeedThatIsNotPositive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AcceleratedTimeProvider(TimeProvider.System, DemoStart, 0));
}
