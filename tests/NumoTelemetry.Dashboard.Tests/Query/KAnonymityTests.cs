using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Query;

public sealed class KAnonymityTests
{
    private static readonly DateTimeOffset s_now = new(2025, 3, 10, 14, 30, 0, TimeSpan.Zero);
    private static int s_next;

    [Fact]
    public void Apply_OneSmallGroup_SuppressesItAndTheSmallestOtherGroup()
    {
        var groups = new[] { Group("DE", 50), Group("FR", 20), Group("IT", 8), Group("LI", 2) };

        var result = KAnonymity.Apply(groups, k: 5, limit: 10, pageViews: true);

        // LI alone would be total − DE − FR − IT: IT (the smallest shown) is suppressed with it.
        Assert.Equal(["DE", "FR"], result.Shown.Select(g => g.Label));
        Assert.True(groups[2].Suppressed);
        Assert.True(groups[3].Suppressed);
        Assert.True(result.RemainderReleasable);
        Assert.Equal(10, result.RemainderTotal.Contributors.Count());
    }

    [Fact]
    public void Apply_SmallGroupsThatTogetherMeetK_NeedNoComplementarySuppression()
    {
        var groups = new[] { Group("DE", 50), Group("FR", 20), Group("LI", 3), Group("MC", 3) };

        var result = KAnonymity.Apply(groups, k: 5, limit: 10, pageViews: true);

        Assert.Equal(["DE", "FR"], result.Shown.Select(g => g.Label));
        Assert.True(result.RemainderReleasable);
        Assert.Equal(2, result.Remainder.Count);
    }

    [Fact]
    public void Apply_TailBeyondLimit_JoinsTheRemainder()
    {
        var groups = new[] { Group("a", 30), Group("b", 20), Group("c", 10), Group("d", 2) };

        var result = KAnonymity.Apply(groups, k: 5, limit: 2, pageViews: true);

        // Not shown: c (10) and d (2, suppressed): together 12 ≥ k, so nothing more is suppressed.
        Assert.Equal(["a", "b"], result.Shown.Select(g => g.Label));
        Assert.False(groups[2].Suppressed);
        Assert.True(groups[3].Suppressed);
        Assert.True(result.RemainderReleasable);
    }

    [Fact]
    public void Apply_NothingSmall_SuppressesNothing()
    {
        var groups = new[] { Group("a", 5), Group("b", 6) };

        var result = KAnonymity.Apply(groups, k: 5, limit: 10, pageViews: true);

        Assert.Equal(2, result.Shown.Count);
        Assert.Empty(result.Remainder);
        Assert.False(result.RemainderReleasable);
    }

    [Fact]
    public void Apply_EveryGroupSmallButTotalLarge_ReleasesOnlyTheRemainder()
    {
        var groups = new[] { Group("a", 2), Group("b", 2), Group("c", 2) };

        var result = KAnonymity.Apply(groups, k: 5, limit: 10, pageViews: true);

        Assert.Empty(result.Shown);
        Assert.True(result.RemainderReleasable);
    }

    [Fact]
    public async Task TopAsync_SmallCountry_IsSuppressedAndCannotBeDerivedBySubtraction()
    {
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        AddVisitors(records, "DE", 12);
        AddVisitors(records, "FR", 7);
        AddVisitors(records, "IT", 6);
        AddVisitors(records, "LI", 1);
        await h.FoldAsync([.. records]);

        var list = await h.Query.TopAsync("country", DashboardRange.Resolve("24h", s_now)!, default, 10, default);

        // IT and LI are folded into Other: no row carries their labels.
        var shown = list.Rows.ToList();
        Assert.Equal(["DE", "FR"], shown.Select(r => r.Label));
        Assert.All(list.Rows, r => Assert.False(r.Suppressed));

        // Subtraction gives only IT + LI together (7 people), never LI alone.
        Assert.Equal(26, list.Total.Value);
        Assert.Equal(7, list.Total.Value - shown.Sum(r => r.Value));
        Assert.Equal(7, list.Other!.Value);
    }

    [Fact]
    public async Task TopAsync_WholeListBelowK_ReleasesNothing()
    {
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        AddVisitors(records, "DE", 3);
        await h.FoldAsync([.. records]);

        var list = await h.Query.TopAsync("country", DashboardRange.Resolve("24h", s_now)!, default, 10, default);

        Assert.Empty(list.Rows);
        Assert.True(list.Total.Suppressed);
        Assert.Null(list.Total.Value);
    }

    [Fact]
    public async Task TopAsync_ManyViewsByOnePerson_AreSuppressed()
    {
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        AddVisitors(records, "DE", 10);
        for (var i = 0; i < 40; i++)
        {
            records.Add(View(s_now.AddMinutes(-10), "lonely", country: "IS"));
        }

        await h.FoldAsync([.. records]);

        var list = await h.Query.TopAsync("country", DashboardRange.Resolve("24h", s_now)!, default, 10, default);

        // 40 views, one person: folded into Other (with DE, so that Other is not IS alone).
        Assert.DoesNotContain(list.Rows, r => r.Label == "IS");
        Assert.Equal(50, list.Other!.Value);
    }

    [Fact]
    public async Task OverviewAsync_OneSmallBucket_SuppressesASecondBucketSoTheTotalDoesNotRevealIt()
    {
        var now = new DateTimeOffset(2025, 3, 10, 14, 59, 30, TimeSpan.Zero);
        using var h = new DashboardHarness(now);
        var records = new List<RequestRecord>();
        AddVisitors(records, "DE", 9, now.AddMinutes(-30));
        AddVisitors(records, "DE", 6, now.AddMinutes(-20));
        AddVisitors(records, "DE", 2, now.AddMinutes(-10));
        await h.FoldAsync([.. records]);

        var overview = await h.Query.OverviewAsync(DashboardRange.Resolve("1h", now)!, default, default);

        var busy = overview.Series.Where(p => p.PageViews > 0).ToList();
        Assert.Equal([9L], busy.Select(p => p.PageViews!.Value));
        Assert.Equal(2, overview.Series.Count(p => p.Suppressed));
        Assert.Equal(17, overview.Totals.PageViews);
    }

    [Fact]
    public async Task OverviewAsync_Filtered_UsesTheCubeAndOmitsVisits()
    {
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        AddVisitors(records, "DE", 8);
        AddVisitors(records, "FR", 6);
        await h.FoldAsync([.. records]);

        var overview = await h.Query.OverviewAsync(DashboardRange.Resolve("24h", s_now)!, new DashboardFilter(null, "FR", null, null), default);

        Assert.True(overview.Filtered);
        Assert.Equal(6, overview.Totals.PageViews);
        Assert.Equal(6, overview.Totals.Visitors);
        Assert.Null(overview.Totals.Visits);
    }

    private static void AddVisitors(List<RequestRecord> records, string country, int people, DateTimeOffset? at = null)
    {
        for (var i = 0; i < people; i++)
        {
            records.Add(View(at ?? s_now.AddMinutes(-10), $"{country}-{i}-{Interlocked.Increment(ref s_next)}", country: country));
        }
    }

    private static Aggregate Group(string label, int people)
    {
        var group = new Aggregate(label);
        var cell = new DashboardCell { Dimension = "country", Key = label, PageViews = people * 2, Requests = people * 2 };
        var hll = new NumoTelemetry.Dashboard.Sketches.HyperLogLog();
        for (var i = 0; i < people; i++)
        {
            hll.Add((ulong)Interlocked.Increment(ref s_next));
        }

        cell.Visitors = hll.ToBytes();
        cell.Contributors = hll.ToBytes();
        group.Add(cell);
        return group;
    }
}
