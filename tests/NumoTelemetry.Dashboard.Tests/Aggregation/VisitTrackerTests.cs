using System.Globalization;
using NumoTelemetry.Dashboard.Aggregation;

namespace NumoTelemetry.Dashboard.Tests.Aggregation;

public sealed class VisitTrackerTests
{
    private static readonly long s_t0 = new DateTime(2025, 3, 10, 8, 0, 0, DateTimeKind.Utc).Ticks;

    private static void View(VisitTracker tracker, ulong visitor, long ticks, out bool started) =>
        tracker.PageView(visitor, ticks, "/p" + visitor.ToString(CultureInfo.InvariantCulture), default, out started, out _, out _);

    [Fact]
    public void PageView_OverTheBound_ClosesTheOldestVisitsAndKeepsTheRecentOnes()
    {
        var tracker = new VisitTracker(TimeSpan.FromMinutes(30), maxTracked: 80);
        for (var i = 0UL; i <= 80; i++)
        {
            View(tracker, i, s_t0 + ((long)i * TimeSpan.TicksPerSecond), out _);
        }

        // 81 open visits, none idle: the 11 oldest close, so an eighth of the bound is free.
        Assert.Equal(70, tracker.Count);
        Assert.True(tracker.Closed.Select(c => c.ExitPage).ToHashSet().SetEquals(Enumerable.Range(0, 11).Select(i => "/p" + i)));
        View(tracker, 11, s_t0 + (100 * TimeSpan.TicksPerSecond), out var started);
        Assert.False(started); // a recent visit goes on
        View(tracker, 0, s_t0 + (100 * TimeSpan.TicksPerSecond), out started);
        Assert.True(started); // a closed one starts again
    }

    [Fact]
    public void PageView_NewVisitorsAtTheRateTheTimeoutFrees_MakeRoomOncePerEighthOfTheBound()
    {
        // New visitors arrive just as fast as old visits go idle, so each sweep frees one visit: the tracker stays at its bound,
        // and making room by sweeping alone would search every visit on every new visitor's page view.
        const int Bound = 1_000;
        var timeout = TimeSpan.FromMinutes(30);
        var tracker = new VisitTracker(timeout, Bound);
        var step = (timeout.Ticks / Bound) + 1;
        for (var i = 0UL; i < 10_000; i++)
        {
            View(tracker, i, s_t0 + ((long)i * step), out var started);
            Assert.True(started);
            Assert.InRange(tracker.Count, 1, Bound);
        }

        Assert.InRange(tracker.Overflows, 1, (10_000 / (Bound / 8)) + 1);
        View(tracker, 9_999, s_t0 + (10_000 * step), out var again);
        Assert.False(again); // the newest visit is still open
    }
}
