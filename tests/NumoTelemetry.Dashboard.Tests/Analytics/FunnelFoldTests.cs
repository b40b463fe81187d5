using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Query.Models;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Analytics;

/// <summary>Funnel steps folded from records on a fake clock: order, scope and k per step.</summary>
public sealed class FunnelFoldTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static DashboardHarness Harness(string within = "visit") => new(Noon.AddHours(1), o =>
    {
        var funnel = new DashboardFunnel { Name = "f", Within = within };
        funnel.Steps.Add("page:/a");
        funnel.Steps.Add("page:/b");
        funnel.Steps.Add("page:/c");
        o.Funnels.Add(funnel);
    });

    [Fact]
    public async Task Funnel_StepsInOrder_CountEveryVisitor()
    {
        using var harness = Harness();
        var records = new List<RequestRecord>();
        for (var v = 0; v < 20; v++)
        {
            var t = Noon.AddSeconds(v * 10);
            records.Add(View(t, "v" + v, "/a"));
            if (v < 12)
            {
                records.Add(View(t.AddSeconds(1), "v" + v, "/b"));
            }

            if (v < 6)
            {
                records.Add(View(t.AddSeconds(2), "v" + v, "/c"));
            }
        }

        await harness.FoldAsync([.. records]);

        var view = await harness.Query.FunnelAsync(DashboardRange.Resolve("24h", harness.Time.GetUtcNow())!, Steps("page:/a", "page:/b", "page:/c"), null, default);

        AssertVisitors([20L, 12L, 6L], view!.Steps);
    }

    [Fact]
    public async Task Funnel_StepsOutOfOrder_AreNotCounted()
    {
        using var harness = Harness();
        var records = new List<RequestRecord>();
        for (var v = 0; v < 10; v++)
        {
            var t = Noon.AddSeconds(v * 10);
            records.Add(View(t, "v" + v, "/b")); // /b before /a: not the funnel's order
            records.Add(View(t.AddSeconds(1), "v" + v, "/a"));
        }

        await harness.FoldAsync([.. records]);

        var view = await harness.Query.FunnelAsync(DashboardRange.Resolve("24h", harness.Time.GetUtcNow())!, Steps("page:/a", "page:/b"), null, default);

        AssertVisitors([10L, 0L], view!.Steps);
    }

    [Fact]
    public async Task Funnel_VisitScope_NewVisitStartsOver_DayScopeContinues()
    {
        using var visit = Harness("visit");
        using var day = Harness("day");
        var records = new List<RequestRecord>();
        for (var v = 0; v < 6; v++)
        {
            records.Add(View(Noon.AddSeconds(v), "v" + v, "/a"));
            records.Add(View(Noon.AddHours(2).AddSeconds(v), "v" + v, "/b")); // a new visit (30 minutes idle)
        }

        await visit.FoldAsync([.. records]);
        await day.FoldAsync([.. records]);

        var range = DashboardRange.Resolve("24h", Noon.AddHours(3))!;
        var inVisit = await visit.Query.FunnelAsync(range, Steps("page:/a", "page:/b"), null, default);
        var inDay = await day.Query.FunnelAsync(range, Steps("page:/a", "page:/b"), null, default);

        AssertVisitors([6L, 0L], inVisit!.Steps);
        AssertVisitors([6L, 6L], inDay!.Steps);
    }

    [Fact]
    public async Task Funnel_SmallDropOff_WithholdsTheStepAndThoseAfter()
    {
        using var harness = Harness();
        var records = new List<RequestRecord>();
        for (var v = 0; v < 12; v++)
        {
            var t = Noon.AddSeconds(v * 10);
            records.Add(View(t, "v" + v, "/a"));
            if (v < 10)
            {
                records.Add(View(t.AddSeconds(1), "v" + v, "/b")); // 2 people drop off: fewer than k
            }

            if (v < 5)
            {
                records.Add(View(t.AddSeconds(2), "v" + v, "/c"));
            }
        }

        await harness.FoldAsync([.. records]);

        var view = await harness.Query.FunnelAsync(DashboardRange.Resolve("24h", harness.Time.GetUtcNow())!, Steps("page:/a", "page:/b", "page:/c"), null, default);

        // Visitors are a sketch's estimate under a random daily secret: two of 12 people can share a register.
        Assert.InRange(view!.Steps[0].Visitors!.Value, 11, 12);
        Assert.True(view.Steps[1].Suppressed);
        Assert.Null(view.Steps[1].Visitors);
        Assert.True(view.Steps[2].Suppressed);
    }

    [Fact]
    public async Task Funnel_StepAlsoInItsOwnList_WithSmallDifference_IsWithheld()
    {
        // 10 people reach /b after /a, 2 more reach /b without /a: the page list's /b (12) minus the step (10) would be 2 people.
        using var harness = Harness();
        var records = new List<RequestRecord>();
        for (var v = 0; v < 12; v++)
        {
            var t = Noon.AddSeconds(v * 10);
            if (v < 10)
            {
                records.Add(View(t, "v" + v, "/a"));
            }

            records.Add(View(t.AddSeconds(1), "v" + v, "/b"));
        }

        for (var v = 12; v < 20; v++)
        {
            records.Add(View(Noon.AddSeconds(v * 10), "v" + v, "/x"));
        }

        await harness.FoldAsync([.. records]);

        var view = await harness.Query.FunnelAsync(DashboardRange.Resolve("24h", harness.Time.GetUtcNow())!, Steps("page:/a", "page:/b"), null, default);

        Assert.InRange(view!.Steps[0].Visitors!.Value, 9, 10);
        Assert.True(view.Steps[1].Suppressed);
    }

    /// <summary>
    /// Visitors are a sketch's estimate of pseudonyms under a random daily secret: two people can share a register, so each
    /// step is the expected number or one fewer (zero stays zero).
    /// </summary>
    private static void AssertVisitors(long[] expected, IReadOnlyList<FunnelStep> steps)
    {
        Assert.Equal(expected.Length, steps.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.InRange(steps[i].Visitors!.Value, Math.Max(0, expected[i] - 1), expected[i]);
        }
    }

    private static List<NumoTelemetry.Dashboard.Analytics.AnalyticsDefinitions.Step> Steps(params string[] steps) =>
        [.. steps.Select(s => NumoTelemetry.Dashboard.Analytics.AnalyticsDefinitions.Step.TryParse(s, out var step) ? step : throw new ArgumentException(s))];
}
