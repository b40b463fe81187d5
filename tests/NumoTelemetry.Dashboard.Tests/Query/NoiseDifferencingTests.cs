using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Query;

/// <summary>
/// With noise on, no two released figures may differ by an exact (noise-free) count: the noise of a figure must follow
/// what it counts, not only the name of the row that shows it.
/// </summary>
public sealed class NoiseDifferencingTests
{
    private static readonly DateTimeOffset s_now = new(2025, 3, 10, 14, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task TopAsync_OtherAtNeighbouringLimits_DoesNotDifferByTheExactCountOfARow()
    {
        // Twelve campaigns of 6..17 people, five page views each; noise of scale 10.
        using var h = new DashboardHarness(s_now, o => o.NoiseEpsilon = 0.1);
        var records = new List<RequestRecord>();
        var exact = new Dictionary<string, long>();
        for (var c = 0; c < 12; c++)
        {
            for (var p = 0; p < 6 + c; p++)
            {
                for (var v = 0; v < 5; v++)
                {
                    records.Add(View(s_now.AddMinutes(-30).AddSeconds(v), $"c{c}-p{p}", campaign: "campaign" + c));
                }
            }

            exact["campaign" + c] = 5 * (6 + c);
        }

        await h.FoldAsync([.. records]);
        var range = DashboardRange.Resolve("24h", s_now)!;

        // "Other" of limit L minus "Other" of limit L + 1 is the (L + 1)-th row; if both carry the same noise, it is exact.
        var others = new long?[13];
        var labels = new string?[13];
        for (var limit = 1; limit <= 12; limit++)
        {
            var list = await h.Query.TopAsync(DashboardDimensions.UtmCampaign, range, default, limit, default);
            others[limit] = list.Other?.Value;
            labels[limit] = list.Rows[^1].Label;
        }

        var exactDifferences = 0;
        for (var limit = 1; limit < 11; limit++)
        {
            if (others[limit] - others[limit + 1] == exact[labels[limit + 1]!])
            {
                exactDifferences++;
            }
        }

        // Independent noise makes an exact difference rare (a few percent each); here every one of ten is exact.
        Assert.True(exactDifferences < 5, $"{exactDifferences} of 10 differences of Other are the exact page views of a row");
    }

    [Fact]
    public async Task TopAsync_CubeOtherAtNeighbouringLimits_DoesNotDifferByTheExactCountOfARow()
    {
        // The same twelve groups as routes: a cube list, whose "Other" is released from the lattice.
        using var h = new DashboardHarness(s_now, o => o.NoiseEpsilon = 0.1);
        var records = new List<RequestRecord>();
        var exact = new Dictionary<string, long>();
        for (var c = 0; c < 12; c++)
        {
            for (var p = 0; p < 6 + c; p++)
            {
                for (var v = 0; v < 5; v++)
                {
                    records.Add(View(s_now.AddMinutes(-30).AddSeconds(v), $"c{c}-p{p}", route: "/r" + c));
                }
            }

            exact["/r" + c] = 5 * (6 + c);
        }

        await h.FoldAsync([.. records]);
        var range = DashboardRange.Resolve("24h", s_now)!;

        var others = new long?[13];
        var labels = new string?[13];
        for (var limit = 1; limit <= 12; limit++)
        {
            var list = await h.Query.TopAsync(DashboardDimensions.Route, range, default, limit, default);
            others[limit] = list.Other?.Value;
            labels[limit] = list.Rows[^1].Label;
        }

        var exactDifferences = 0;
        for (var limit = 1; limit < 11; limit++)
        {
            if (others[limit] - others[limit + 1] == exact[labels[limit + 1]!])
            {
                exactDifferences++;
            }
        }

        Assert.True(exactDifferences < 5, $"{exactDifferences} of 10 differences of Other are the exact page views of a row");
    }

    [Fact]
    public async Task TopAsync_OtherOfTheSameValues_CarriesTheSameNoiseEveryTime()
    {
        // Asking again for the same "Other" (the same values summed) must not give a fresh sample to average.
        using var h = new DashboardHarness(s_now, o => o.NoiseEpsilon = 0.1);
        var records = new List<RequestRecord>();
        for (var c = 0; c < 4; c++)
        {
            for (var p = 0; p < 8; p++)
            {
                records.Add(View(s_now.AddMinutes(-30), $"c{c}-p{p}", route: "/r" + c, campaign: "campaign" + c));
            }
        }

        await h.FoldAsync([.. records]);
        var range = DashboardRange.Resolve("24h", s_now)!;

        foreach (var dimension in new[] { DashboardDimensions.UtmCampaign, DashboardDimensions.Route })
        {
            var first = await h.Query.TopAsync(dimension, range, default, 2, default);
            var again = await h.Query.TopAsync(dimension, range, default, 2, default);
            Assert.NotNull(first.Other);
            Assert.Equal(first.Other, again.Other);
        }
    }

    [Fact]
    public async Task TopAsync_ValueLabelledTotal_DoesNotShareTheTotalsNoise()
    {
        // Clients choose campaign names: a campaign named "(total)" must not carry the list total's noise, or total
        // minus that row would be the exact page views of every other campaign. Ten processes, each its own noise key.
        var exactDifferences = 0;
        for (var run = 0; run < 10; run++)
        {
            using var h = new DashboardHarness(s_now, o => o.NoiseEpsilon = 0.1);
            var records = new List<RequestRecord>();
            for (var p = 0; p < 6; p++)
            {
                for (var v = 0; v < 5; v++)
                {
                    records.Add(View(s_now.AddMinutes(-30).AddSeconds(v), "a" + p, campaign: "(total)"));
                    records.Add(View(s_now.AddMinutes(-30).AddSeconds(v), "b" + p, campaign: "newsletter"));
                }
            }

            await h.FoldAsync([.. records]);
            var list = await h.Query.TopAsync(DashboardDimensions.UtmCampaign, DashboardRange.Resolve("24h", s_now)!, default, 10, default);
            var labelled = list.Rows.Single(r => r.Label == "(total)");
            if (list.Total.Value - labelled.Value == 30)
            {
                exactDifferences++;
            }
        }

        Assert.True(exactDifferences < 5, $"{exactDifferences} of 10 differences of the total and the row (total) are exact");
    }
}
