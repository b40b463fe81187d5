using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Query.Models;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Query;

/// <summary>
/// Suppression is consistent across views of the same data: what one list suppresses cannot be worked out from
/// filtered overviews, filtered lists or series of the same range.
/// </summary>
public sealed class CrossViewSuppressionTests
{
    private static readonly DateTimeOffset s_now = new(2025, 3, 10, 14, 30, 0, TimeSpan.Zero);
    private static int s_next;

    [Fact]
    public async Task FilteredOverviews_IssueAttack_DoNotRevealTheSingleSafariVisitor()
    {
        // 17 visitors on /about: Chrome 10, Firefox 6, Safari 1.
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        Add(records, 10, route: "/about", browser: "Chrome");
        Add(records, 6, route: "/about", browser: "Firefox");
        Add(records, 1, route: "/about", browser: "Safari");
        await h.FoldAsync([.. records]);
        var range = DashboardRange.Resolve("24h", s_now)!;

        var browsers = await h.Query.TopAsync("browser", range, new DashboardFilter("/about", null, null, null), 10, default);
        var about = await h.Query.OverviewAsync(range, new DashboardFilter("/about", null, null, null), default);
        var chrome = await h.Query.OverviewAsync(range, new DashboardFilter("/about", null, "Chrome", null), default);
        var firefox = await h.Query.OverviewAsync(range, new DashboardFilter("/about", null, "Firefox", null), default);
        var safari = await h.Query.OverviewAsync(range, new DashboardFilter("/about", null, "Safari", null), default);

        // The list shows Chrome and folds Firefox and Safari into Other.
        Assert.Equal(["Chrome"], browsers.Rows.Select(r => r.Label));
        Assert.Equal(7, browsers.Other!.Value);

        // A filtered overview releases no figure its own list suppresses.
        Assert.True(firefox.Totals.Suppressed);
        Assert.Null(firefox.Totals.PageViews);
        Assert.All(firefox.Series, p => Assert.True(p.PageViews is null or 0));
        Assert.True(safari.Totals.Suppressed);
        Assert.Equal(17, about.Totals.PageViews);
        Assert.Equal(10, chrome.Totals.PageViews);

        // Whatever is released, Safari's single visitor is not the difference of released figures.
        var released = new[] { about.Totals.PageViews, chrome.Totals.PageViews, firefox.Totals.PageViews };
        Assert.Contains(null, released);
    }

    [Fact]
    public async Task MultiDayRange_OnePersonOnFiveDays_IsOnePersonNotFive()
    {
        // Sketches hash pseudonyms under each day's secret, so one visitor on five days is five entries in a 30-day union.
        // k must count people: the rare campaign of one person who came back on five days stays in Other, while a campaign
        // of five people on one day is listed (five one-person campaigns of that day make Other releasable on its own).
        var start = s_now.AddDays(-6);
        using var h = new DashboardHarness(start);
        for (var day = 0; day < 5; day++)
        {
            var at = start.AddDays(day);
            h.Time.SetUtcNow(at);
            var records = new List<RequestRecord> { View(at, "returning-person", campaign: "rare-one-person") };
            for (var i = 0; i < 6; i++)
            {
                records.Add(View(at, $"p-{Interlocked.Increment(ref s_next)}", campaign: "common"));
            }

            if (day == 2)
            {
                for (var i = 0; i < 5; i++)
                {
                    records.Add(View(at, $"p-{Interlocked.Increment(ref s_next)}", campaign: "five-on-one-day"));
                    records.Add(View(at, $"p-{Interlocked.Increment(ref s_next)}", campaign: $"solo-{i}"));
                }
            }

            await h.FoldAsync([.. records]);
        }

        h.Time.SetUtcNow(s_now);
        var range = DashboardRange.Resolve("30d", s_now)!;
        var campaigns = await h.Query.TopAsync("utm_campaign", range, default, 10, default);

        Assert.Contains(campaigns.Rows, r => r.Label == "common");
        Assert.Contains(campaigns.Rows, r => r.Label == "five-on-one-day");
        Assert.DoesNotContain(campaigns.Rows, r => r.Label == "rare-one-person");
        Assert.DoesNotContain(campaigns.Rows, r => r.Label.StartsWith("solo-", StringComparison.Ordinal));
        Assert.Equal(10, campaigns.Other!.Value);
    }

    [Fact]
    public async Task FilteredList_CellSuppressedInTheOtherAxisList_IsNotReleasedThere()
    {
        // Routes A and B × browsers X and Y: (A, Y) has one visitor. The browser list of A suppresses (A, Y) and,
        // to protect it, (A, X). The route list filtered by X would otherwise show (A, X), and A − (A, X) = (A, Y).
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        Add(records, 10, route: "/a", browser: "X");
        Add(records, 1, route: "/a", browser: "Y");
        Add(records, 10, route: "/b", browser: "X");
        Add(records, 10, route: "/b", browser: "Y");
        await h.FoldAsync([.. records]);
        var range = DashboardRange.Resolve("24h", s_now)!;

        var routes = await h.Query.TopAsync("route", range, default, 10, default);
        var browsersOfA = await h.Query.TopAsync("browser", range, new DashboardFilter("/a", null, null, null), 10, default);
        var routesOfX = await h.Query.TopAsync("route", range, new DashboardFilter(null, null, "X", null), 10, default);
        var routesOfY = await h.Query.TopAsync("route", range, new DashboardFilter(null, null, "Y", null), 10, default);
        var ax = await h.Query.OverviewAsync(range, new DashboardFilter("/a", null, "X", null), default);

        Assert.Equal(11, routes.Rows.Single(r => r.Label == "/a").Value);
        Assert.Empty(browsersOfA.Rows);
        Assert.DoesNotContain(routesOfX.Rows, r => r.Label == "/a");
        Assert.DoesNotContain(routesOfY.Rows, r => r.Label == "/a");
        Assert.True(ax.Totals.Suppressed);

        // No released figure equals (A, X) = 10 by subtraction either: X's list shows no route individually.
        Assert.Empty(routesOfX.Rows);
    }

    [Fact]
    public async Task FilteredList_OfAComplementarySuppressedValue_ReleasesNoTotal()
    {
        // Routes: /big 20, /mid 6 (suppressed to protect /rare), /rare 1. The browser list filtered by /mid would
        // release /mid's total, and Other − /mid = /rare.
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        Add(records, 20, route: "/big");
        Add(records, 6, route: "/mid");
        Add(records, 1, route: "/rare");
        await h.FoldAsync([.. records]);
        var range = DashboardRange.Resolve("24h", s_now)!;

        var routes = await h.Query.TopAsync("route", range, default, 10, default);
        var browsersOfMid = await h.Query.TopAsync("browser", range, new DashboardFilter("/mid", null, null, null), 10, default);
        var mid = await h.Query.OverviewAsync(range, new DashboardFilter("/mid", null, null, null), default);

        Assert.Equal(["/big"], routes.Rows.Select(r => r.Label));
        Assert.True(browsersOfMid.Total.Suppressed);
        Assert.Null(browsersOfMid.Total.Value);
        Assert.True(mid.Totals.Suppressed);
    }

    [Fact]
    public async Task FilteredSeries_PointWhoseComplementInTheBucketIsSmall_IsSuppressed()
    {
        // In one hour /about has 10 Chrome visitors and 1 Safari visitor; in another, 12 Chrome visitors only.
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        Add(records, 10, route: "/about", browser: "Chrome", at: s_now.AddHours(-3));
        Add(records, 1, route: "/about", browser: "Safari", at: s_now.AddHours(-3));
        Add(records, 12, route: "/about", browser: "Chrome", at: s_now.AddHours(-2));
        Add(records, 12, route: "/about", browser: "Safari", at: s_now.AddHours(-1));
        await h.FoldAsync([.. records]);
        var range = DashboardRange.Resolve("24h", s_now)!;

        var about = await h.Query.OverviewAsync(range, new DashboardFilter("/about", null, null, null), default);
        var chrome = await h.Query.OverviewAsync(range, new DashboardFilter("/about", null, "Chrome", null), default);
        var total = await h.Query.OverviewAsync(range, default, default);

        // Per bucket, the route's point minus its Chrome point is 0 or at least k whenever both are released.
        AssertNoSmallDifference(about.Series, chrome.Series, 5);
        AssertNoSmallDifference(total.Series, chrome.Series, 5);
        Assert.Contains(chrome.Series, p => p.Suppressed);
    }

    [Fact]
    public async Task Overview_BucketWithRequestsButNoPageViews_IsZeroAndCostsNoOtherBucket()
    {
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        Add(records, 12, at: s_now.AddHours(-3));
        for (var i = 0; i < 3; i++)
        {
            records.Add(View(s_now.AddHours(-1), "crawler" + i, bot: true));
        }

        await h.FoldAsync([.. records]);

        var overview = await h.Query.OverviewAsync(DashboardRange.Resolve("24h", s_now)!, default, default);

        Assert.DoesNotContain(overview.Series, p => p.Suppressed);
        Assert.Equal(12, overview.Series.Sum(p => p.PageViews));
        Assert.Equal(12, overview.Totals.PageViews);
    }

    [Fact]
    public async Task AllViews_GridOfCells_NoReleasedDifferenceRevealsASmallCell()
    {
        // A route × country × browser grid with a few small cells; every released figure of every view is gathered,
        // and no small (1..k-1) cell equals a released figure or a released figure minus the sum of released rows.
        using var h = new DashboardHarness(s_now);
        var records = new List<RequestRecord>();
        var routes = new[] { "/a", "/b", "/c" };
        var countries = new[] { "DE", "FR" };
        var browsers = new[] { "Chrome", "Firefox", "Safari" };
        var counts = new Dictionary<(string, string, string), int>();
        var seed = 7;
        foreach (var r in routes)
        {
            foreach (var c in countries)
            {
                foreach (var b in browsers)
                {
                    seed = (seed * 31 + 11) % 97;
                    var n = seed % 4 == 0 ? 1 + (seed % 3) : 5 + (seed % 9);
                    counts[(r, c, b)] = n;
                    Add(records, n, route: r, country: c, browser: b);
                }
            }
        }

        await h.FoldAsync([.. records]);
        var range = DashboardRange.Resolve("24h", s_now)!;

        // Every filter combination of the three axes, its overview, and every axis list under it.
        var filters = new List<DashboardFilter>();
        foreach (var r in routes.Append(null))
        {
            foreach (var c in countries.Append(null))
            {
                foreach (var b in browsers.Append(null))
                {
                    filters.Add(new DashboardFilter(r, c, b, null));
                }
            }
        }

        var figures = new Dictionary<(string?, string?, string?), long>();
        foreach (var f in filters)
        {
            var o = await h.Query.OverviewAsync(range, f, default);
            if (o.Totals.PageViews is { } v)
            {
                figures[(f.Route, f.Country, f.Browser)] = v;
            }

            foreach (var dim in new[] { "route", "country", "browser" })
            {
                var list = await h.Query.TopAsync(dim, range, f, 100, default);
                Assert.All(list.Rows, row => Assert.False(row.Suppressed));
                var g = dim switch
                {
                    "route" => f.Without("route"),
                    "country" => f.Without("country"),
                    _ => f.Without("browser"),
                };
                if (list.Total.Value is { } t)
                {
                    Assert.True(!figures.TryGetValue((g.Route, g.Country, g.Browser), out var seen) || seen == t);
                    figures[(g.Route, g.Country, g.Browser)] = t;
                }

                foreach (var row in list.Rows)
                {
                    var cell = dim switch
                    {
                        "route" => (row.Label, g.Country, g.Browser),
                        "country" => (g.Route, row.Label, g.Browser),
                        _ => (g.Route, g.Country, row.Label),
                    };
                    figures[cell] = row.Value!.Value;
                }
            }
        }

        // Close the released figures under the cube's relations: a parent minus all but one of its children.
        var known = new Dictionary<(string?, string?, string?), long>(figures);
        bool changed;
        do
        {
            changed = false;
            foreach (var (parent, value) in known.ToList())
            {
                for (var axis = 0; axis < 3; axis++)
                {
                    if (Get(parent, axis) is not null)
                    {
                        continue;
                    }

                    var values = axis switch { 0 => routes, 1 => countries, _ => browsers };
                    var missing = values.Where(v => !known.ContainsKey(Set(parent, axis, v))).ToList();
                    if (missing.Count == 1)
                    {
                        var sum = values.Where(v => v != missing[0]).Sum(v => known[Set(parent, axis, v)]);
                        known[Set(parent, axis, missing[0])] = value - sum;
                        changed = true;
                    }
                }
            }
        }
        while (changed);

        Assert.Contains(counts.Values, n => n < 5);
        Assert.Contains(known.Keys, cell => (cell.Item1 is null ? 0 : 1) + (cell.Item2 is null ? 0 : 1) + (cell.Item3 is null ? 0 : 1) >= 2);
        foreach (var ((r, c, b), n) in counts)
        {
            if (n < 5)
            {
                Assert.False(known.ContainsKey((r, c, b)), $"the small cell {r} {c} {b} ({n}) can be derived");
            }
        }
    }

    private static (string?, string?, string?) Set((string?, string?, string?) cell, int axis, string value) => axis switch
    {
        0 => (value, cell.Item2, cell.Item3),
        1 => (cell.Item1, value, cell.Item3),
        _ => (cell.Item1, cell.Item2, value),
    };

    private static string? Get((string?, string?, string?) cell, int axis) => axis switch
    {
        0 => cell.Item1,
        1 => cell.Item2,
        _ => cell.Item3,
    };

    private static void AssertNoSmallDifference(IReadOnlyList<SeriesPoint> outer, IReadOnlyList<SeriesPoint> inner, int k)
    {
        for (var i = 0; i < outer.Count; i++)
        {
            if (outer[i].PageViews is { } a && inner[i].PageViews is { } b)
            {
                var difference = a - b;
                Assert.True(difference == 0 || difference >= k, $"bucket {outer[i].T:u}: {a} − {b} = {difference} < k");
            }
        }
    }

    private static void Add(List<RequestRecord> records, int people, string route = "/", string country = "DE", string browser = "Chrome", DateTimeOffset? at = null)
    {
        for (var i = 0; i < people; i++)
        {
            records.Add(View(at ?? s_now.AddMinutes(-10), $"p-{Interlocked.Increment(ref s_next)}", route: route, country: country, browser: browser));
        }
    }
}
