using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Query;

/// <summary>
/// Filters on every page-view dimension (here referrer, UTM campaign and device, beyond the first cube's four) and on
/// two at once: every released figure is k-anonymous, also after subtracting filtered and unfiltered views; and the
/// cube's storage stays within its stated bound.
/// </summary>
public sealed class FilterLatticeTests
{
    private const int K = 5;
    private static readonly DateTimeOffset s_now = new(2025, 3, 10, 14, 30, 0, TimeSpan.Zero);
    private static readonly string[] s_referrers = ["news.example", "search.example", "social.example"];
    private static readonly string[] s_campaigns = ["spring", "summer"];
    private static readonly string[] s_devices = [DeviceTypes.Desktop, DeviceTypes.Mobile];
    private static readonly string[] s_dimensions = [DashboardDimensions.Referrer, DashboardDimensions.UtmCampaign, DashboardDimensions.Device];
    private static int s_next;

    [Fact]
    public async Task Top_TwoFiltersOnNewDimensions_CountTheMatchingViewsOnly()
    {
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        Add(records, 9, "news.example", "spring", DeviceTypes.Desktop);
        Add(records, 6, "news.example", "spring", DeviceTypes.Mobile);
        Add(records, 7, "news.example", "summer", DeviceTypes.Desktop);
        Add(records, 8, "search.example", "spring", DeviceTypes.Desktop);
        await h.FoldAsync([.. records]);
        var range = DashboardRange.Resolve("24h", s_now)!;

        var devices = await h.Query.TopAsync(DashboardDimensions.Device, range, Filter(("referrer", "news.example"), ("utm_campaign", "spring")), 10, default);
        var campaigns = await h.Query.TopAsync(DashboardDimensions.UtmCampaign, range, Filter(("referrer", "news.example")), 10, default);
        var overview = await h.Query.OverviewAsync(range, Filter(("referrer", "search.example"), ("device", DeviceTypes.Desktop)), default);

        Assert.True(devices.Filtered);
        Assert.Equal(15, devices.Total.Value);
        Assert.Equal(9, devices.Rows.Single(r => r.Label == DeviceTypes.Desktop).Value);
        Assert.Equal(6, devices.Rows.Single(r => r.Label == DeviceTypes.Mobile).Value);
        Assert.Equal(15, campaigns.Rows.Single(r => r.Label == "spring").Value);
        Assert.Equal(7, campaigns.Rows.Single(r => r.Label == "summer").Value);
        Assert.Equal(8, overview.Totals.PageViews);
    }

    [Fact]
    public async Task FilteredAndUnfilteredViews_AnyDifference_NeverRevealsACellOfFewerThanK()
    {
        // Referrer × campaign × device cells of 1–13 people; some below k.
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var seed = 5;
        foreach (var r in s_referrers)
        {
            foreach (var c in s_campaigns)
            {
                foreach (var d in s_devices)
                {
                    seed = (seed * 37 + 13) % 101;
                    var n = seed % 3 == 0 ? 1 + (seed % 3) : 5 + (seed % 9);
                    counts[Cell((0, r), (1, c), (2, d))] = n;
                    Add(records, n, r, c, d);
                }
            }
        }

        await h.FoldAsync([.. records]);
        var range = DashboardRange.Resolve("24h", s_now)!;

        // Every view an analyst can ask for: no filter, one or two filters, each list under them, each overview.
        var released = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var fixedAxes in Subsets())
        {
            foreach (var filter in Assignments(fixedAxes))
            {
                var f = Filter([.. filter.Select(p => (Dimension: s_dimensions[p.Axis], p.Value))]);
                if ((await h.Query.OverviewAsync(range, f, default)).Totals.PageViews is { } views)
                {
                    Remember(released, Cell([.. filter]), views);
                }

                for (var axis = 0; axis < s_dimensions.Length; axis++)
                {
                    var parent = filter.Where(p => p.Axis != axis).ToArray();
                    var list = await h.Query.TopAsync(s_dimensions[axis], range, f, 100, default);
                    if (list.Total.Value is { } total)
                    {
                        Remember(released, Cell(parent), total);
                    }

                    foreach (var row in list.Rows)
                    {
                        Remember(released, Cell([.. parent, (axis, row.Label)]), row.Value!.Value);
                    }
                }
            }
        }

        // Close them under "a parent is the sum of its children": what an adversary derives by subtraction.
        var known = new Dictionary<string, long>(released, StringComparer.Ordinal);
        bool changed;
        do
        {
            changed = false;
            foreach (var (cell, value) in known.ToList())
            {
                var pairs = Parse(cell);
                for (var axis = 0; axis < s_dimensions.Length; axis++)
                {
                    if (pairs.Any(p => p.Axis == axis))
                    {
                        continue;
                    }

                    var values = axis switch { 0 => s_referrers, 1 => s_campaigns, _ => s_devices };
                    var missing = values.Where(v => !known.ContainsKey(Cell([.. pairs, (axis, v)]))).ToList();
                    if (missing.Count == 1)
                    {
                        known[Cell([.. pairs, (axis, missing[0])])] = value - values.Where(v => v != missing[0]).Sum(v => known[Cell([.. pairs, (axis, v)])]);
                        changed = true;
                    }
                }
            }
        }
        while (changed);

        Assert.Contains(counts.Values, n => n < K);
        Assert.Contains(released.Keys, cell => Parse(cell).Length == 2);
        foreach (var (cell, n) in counts)
        {
            if (n < K)
            {
                Assert.False(known.ContainsKey(cell), $"the cell {cell} of {n} people can be derived");
            }
        }
    }

    [Fact]
    public async Task Fold_EveryViewDifferent_CubeAndPathCellsStayWithinTheirBound()
    {
        // 40 visitors, 3 views each, every view with its own referrer, campaign and route: the worst case for the cube.
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        for (var v = 0; v < 40; v++)
        {
            for (var i = 0; i < 3; i++)
            {
                records.Add(View(s_now.AddMinutes(-10), "bound-" + v, route: $"/r{v}-{i}", referrer: $"ref{v}-{i}.example", campaign: $"c{v}-{i}"));
            }
        }

        await h.FoldAsync([.. records]);

        foreach (var granularity in new[] { DashboardGranularity.Minute, DashboardGranularity.Hour, DashboardGranularity.Day })
        {
            var cube = await h.Store.ReadAsync(new DashboardCellQuery(granularity, DashboardDimensions.Cube, DateTimeOffset.UnixEpoch, s_now.AddDays(1)), default);
            var visitPaths = await h.Store.ReadAsync(new DashboardCellQuery(granularity, DashboardDimensions.VisitPath, DateTimeOffset.UnixEpoch, s_now.AddDays(1)), default);
            var dayPaths = await h.Store.ReadAsync(new DashboardCellQuery(granularity, DashboardDimensions.DayPath, DateTimeOffset.UnixEpoch, s_now.AddDays(1)), default);

            // At most one cube cell per page view per bucket, one path cell per distinct item of a visit and of a visitor's day.
            Assert.InRange(cube.Count, 1, records.Count);
            Assert.Equal(cube.Sum(c => c.PageViews), records.Count);
            Assert.InRange(visitPaths.Count, 1, 40 * DashboardProcessor.MaxPathItems);
            Assert.InRange(dayPaths.Count, 1, 40 * DashboardProcessor.MaxPathItems);
            Assert.All(cube, c => Assert.Equal(DashboardDimensions.CubeAxes.Length, c.Key.Split(DashboardDimensions.CubeSeparator).Length));
        }
    }

    private static void Remember(Dictionary<string, long> released, string cell, long value)
    {
        Assert.True(!released.TryGetValue(cell, out var seen) || seen == value, $"{cell}: {seen} and {value}");
        released[cell] = value;
    }

    private static IEnumerable<int[]> Subsets()
    {
        for (var mask = 0; mask < 1 << s_dimensions.Length; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) <= 2)
            {
                yield return [.. Enumerable.Range(0, s_dimensions.Length).Where(a => (mask & (1 << a)) != 0)];
            }
        }
    }

    private static IEnumerable<(int Axis, string Value)[]> Assignments(int[] axes)
    {
        IEnumerable<(int Axis, string Value)[]> result = [[]];
        foreach (var axis in axes)
        {
            var values = axis switch { 0 => s_referrers, 1 => s_campaigns, _ => s_devices };
            result = [.. result.SelectMany(prefix => values.Select(v => (Axis: axis, Value: v)).Select(p => prefix.Append(p).ToArray()))];
        }

        return result;
    }

    private static string Cell(params (int Axis, string Value)[] pairs) =>
        string.Join('|', pairs.OrderBy(p => p.Axis).Select(p => p.Axis + "=" + p.Value));

    private static (int Axis, string Value)[] Parse(string cell) =>
        cell.Length == 0 ? [] : [.. cell.Split('|').Select(p => (int.Parse(p[..1], System.Globalization.CultureInfo.InvariantCulture), p[2..]))];

    private static DashboardFilter Filter(params (string Dimension, string Value)[] pairs) =>
        new(pairs.Select(p => new KeyValuePair<string, string>(p.Dimension, p.Value)));

    private static void Add(List<RequestRecord> records, int people, string referrer, string campaign, string device)
    {
        for (var i = 0; i < people; i++)
        {
            records.Add(View(s_now.AddMinutes(-10), $"f-{Interlocked.Increment(ref s_next)}", referrer: referrer, campaign: campaign, device: device));
        }
    }
}
