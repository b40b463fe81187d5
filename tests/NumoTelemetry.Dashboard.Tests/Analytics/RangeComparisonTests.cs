using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Analytics;

/// <summary>Custom ranges and comparisons add up with the day buckets; whole-day ranges never differ by a day of fewer than k people.</summary>
public sealed class RangeComparisonTests
{
    private static readonly DateOnly Day1 = new(2026, 3, 10);
    private static readonly DateOnly Day2 = new(2026, 3, 11);

    private static DateTimeOffset Noon(DateOnly day) => new(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

    private static DashboardRange Custom(DateOnly from, DateOnly to) => DashboardRange.Custom(from, to, TimeZoneInfo.Utc, Noon(Day2).AddHours(6), 45);

    private static async Task<DashboardHarness> SeedAsync()
    {
        // Each day is folded while it is open (a closed day's secret is gone: its records would reach no sketch).
        var harness = new DashboardHarness(Noon(Day1).AddHours(6));
        var records = new List<RequestRecord>();
        for (var v = 0; v < 8; v++)
        {
            records.Add(View(Noon(Day1).AddMinutes(v), "d1-" + v, "/a"));
            records.Add(View(Noon(Day1).AddMinutes(v).AddSeconds(5), "d1-" + v, "/a"));
        }

        for (var v = 0; v < 6; v++)
        {
            records.Add(View(Noon(Day1).AddMinutes(20 + v), "r1-" + v, "/rare"));
        }

        await harness.FoldAsync([.. records]);
        records.Clear();
        harness.Time.SetUtcNow(Noon(Day2).AddHours(6));
        for (var v = 0; v < 7; v++)
        {
            records.Add(View(Noon(Day2).AddMinutes(v), "d2-" + v, "/a"));
        }

        for (var v = 0; v < 6; v++)
        {
            records.Add(View(Noon(Day2).AddMinutes(30 + v), "b2-" + v, "/b"));
        }

        for (var v = 0; v < 2; v++)
        {
            records.Add(View(Noon(Day2).AddMinutes(20 + v), "r2-" + v, "/rare")); // two people on day 2: fewer than k
        }

        await harness.FoldAsync([.. records]);
        return harness;
    }

    [Fact]
    public async Task CustomRange_TwoDays_AddsUpWithEachDayAndItsSeries()
    {
        using var harness = await SeedAsync();

        var both = await harness.Query.OverviewAsync(Custom(Day1, Day2), default, default);
        var first = await harness.Query.OverviewAsync(Custom(Day1, Day1), default, default);
        var second = await harness.Query.OverviewAsync(Custom(Day2, Day2), default, default);

        Assert.Equal("day", both.Granularity);
        Assert.Equal(22, first.Totals.PageViews);
        Assert.Equal(15, second.Totals.PageViews);
        Assert.Equal(first.Totals.PageViews + second.Totals.PageViews, both.Totals.PageViews);
        Assert.Equal([first.Totals.PageViews, second.Totals.PageViews], both.Series.Select(p => p.PageViews));
    }

    [Fact]
    public async Task CompareWithPrevious_IsTheDayBefore_AsAskedDirectly()
    {
        using var harness = await SeedAsync();
        var range = Custom(Day2, Day2);

        var overview = await harness.Query.OverviewAsync(range, default, range.Compared("previous"), "previous", default);
        var direct = await harness.Query.OverviewAsync(Custom(Day1, Day1), default, default);
        var routes = await harness.Query.TopAsync("route", range, default, 10, range.Compared("previous"), default);

        Assert.NotNull(overview.Previous);
        Assert.Equal(Noon(Day1).Date, overview.Previous!.From.UtcDateTime);
        Assert.Equal(direct.Totals.PageViews, overview.Previous.PageViews);
        Assert.Equal(direct.Totals.Visitors, overview.Previous.Visitors);
        Assert.Equal(direct.Series.Select(p => p.PageViews), overview.Previous.Series.Select(p => p.PageViews));
        var a = routes.Rows.Single(r => r.Label == "/a");
        Assert.Equal(7, a.Value);
        Assert.Equal(16, a.PreviousValue);
        Assert.Equal(Math.Round((7 - 16) / 16.0, 4), a.Change);
    }

    [Fact]
    public void CompareWithYear_NeedsDayBuckets()
    {
        Assert.Null(DashboardRange.Resolve("24h", Noon(Day2))!.Compared("year"));
        Assert.Equal(Noon(Day1).Date.AddYears(-1), Custom(Day1, Day1).Compared("year")!.From.UtcDateTime);
    }

    [Fact]
    public async Task WholeDayRanges_ValueWithADayOfFewerThanKPeople_IsWithheldOverBothDays()
    {
        // /rare: 6 people on day 1, 2 on day 2. Released over both days, it minus day 1 alone would give day 2's two people.
        using var harness = await SeedAsync();

        var dayOne = await harness.Query.TopAsync("route", Custom(Day1, Day1), default, 10, default);
        var both = await harness.Query.TopAsync("route", Custom(Day1, Day2), default, 10, default);
        var filtered = await harness.Query.OverviewAsync(Custom(Day1, Day2), new DashboardFilter("/rare", null, null, null), default);

        Assert.Contains(dayOne.Rows, r => r.Label == "/rare" && r.Value == 6);
        Assert.DoesNotContain(both.Rows, r => r.Label == "/rare");
        Assert.True(filtered.Totals.Suppressed);
    }

    [Fact]
    public void CustomRange_InAZoneOtherThanUtc_UsesHourBucketsFromLocalMidnight()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

        var range = DashboardRange.Custom(Day1, Day1, berlin, Noon(Day2), 45);

        Assert.Equal(DashboardGranularity.Hour, range.Granularity);
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 23, 0, 0, TimeSpan.Zero), range.From);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 23, 0, 0, TimeSpan.Zero), range.To);
    }
}
