using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Aggregation;

/// <summary>
/// Client-chosen values (campaigns, referrers) share a per-day cap per dimension. One client sending many junk values
/// must not fill it and push out what many people share.
/// </summary>
public sealed class DimensionPoisoningTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 10, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Fold_OneClientSends500JunkValues_RealCampaignOf12VisitorsIsStillRecorded()
    {
        using var h = new DashboardHarness(s_t0);
        var junk = new RequestRecord[h.Options.MaxValuesPerDimension];
        for (var i = 0; i < junk.Length; i++)
        {
            junk[i] = View(s_t0.AddSeconds(i % 60), "attacker", campaign: "junk" + i, referrer: $"junk{i}.example");
        }

        await h.FoldAsync(junk);
        var real = new RequestRecord[12];
        for (var i = 0; i < real.Length; i++)
        {
            real[i] = View(s_t0.AddMinutes(5).AddSeconds(i), "person" + i, campaign: "spring-sale", referrer: "news.example");
        }

        await h.FoldAsync(real);

        var campaigns = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.UtmCampaign);
        var referrers = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.Referrer);
        Assert.Equal(12, campaigns.Single(c => c.Key == "spring-sale").PageViews);
        Assert.Equal(12, referrers.Single(c => c.Key == "news.example").PageViews);

        // Nothing is lost: every page view is under a value or under (other).
        Assert.Equal(512, campaigns.Sum(c => c.PageViews));
        Assert.True(campaigns.Count(c => c.Key.StartsWith("junk", StringComparison.Ordinal)) <= ValueLimiter.ClaimsPerClient);
    }

    [Fact]
    public async Task Fold_TwoClientsConfirmEachOthersJunk_RealCampaignOf12VisitorsIsStillRecorded()
    {
        // A busy day: half the campaign slots already hold values of real people (one person each).
        using var h = new DashboardHarness(s_t0);
        var max = h.Options.MaxValuesPerDimension;
        var day = new List<RequestRecord>();
        for (var i = 0; i < max / 2; i++)
        {
            day.Add(View(s_t0.AddSeconds(i % 60), "early" + i, campaign: "early" + i));
        }

        // Two attackers (two networks) each send every junk value once: each value has "a second client", and each
        // confirmation gives the first client its claim back, so the pair fills every remaining slot.
        for (var i = 0; i < max; i++)
        {
            day.Add(View(s_t0.AddMinutes(1).AddSeconds(i % 60), "attacker-a", campaign: "junk" + i));
            day.Add(View(s_t0.AddMinutes(1).AddSeconds(i % 60), "attacker-b", campaign: "junk" + i));
        }

        await h.FoldAsync([.. day]);
        var real = new RequestRecord[12];
        for (var i = 0; i < real.Length; i++)
        {
            real[i] = View(s_t0.AddMinutes(5).AddSeconds(i), "person" + i, campaign: "spring-sale");
        }

        await h.FoldAsync(real);

        var campaigns = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.UtmCampaign);
        Assert.True(
            campaigns.Count(c => c.Key.StartsWith("junk", StringComparison.Ordinal)) <= 2 * ValueLimiter.ClaimsPerClient,
            $"two clients hold {campaigns.Count(c => c.Key.StartsWith("junk", StringComparison.Ordinal))} campaign slots");
        Assert.Contains(campaigns, c => c.Key == "spring-sale");
    }

    [Fact]
    public async Task Fold_FloodOfValuesEachFromOneClient_CannotExhaustTheSlots()
    {
        using var h = new DashboardHarness(s_t0, o => o.MaxValuesPerDimension = 20);
        var flood = new RequestRecord[1000];
        for (var i = 0; i < flood.Length; i++)
        {
            flood[i] = View(s_t0.AddSeconds(i % 60), "bot" + i, campaign: "flood" + i);
        }

        await h.FoldAsync(flood);
        var real = new List<RequestRecord>();
        for (var c = 0; c < 5; c++)
        {
            for (var v = 0; v < 3; v++)
            {
                real.Add(View(s_t0.AddMinutes(5), $"reader{c}-{v}", campaign: "real" + c));
            }
        }

        await h.FoldAsync([.. real]);

        // Half the slots went to the first flood values; each real campaign takes one of the others on its second
        // client, the first client's view staying under (other).
        var campaigns = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.UtmCampaign);
        for (var c = 0; c < 5; c++)
        {
            Assert.Equal(2, campaigns.Single(x => x.Key == "real" + c).PageViews);
        }

        Assert.Equal(10, campaigns.Count(x => x.Key.StartsWith("flood", StringComparison.Ordinal)));

        Assert.Equal(1015, campaigns.Sum(c => c.PageViews));
    }

    [Fact]
    public async Task Fold_OptOutVisitorsWithoutAnalyticsPseudonym_StillCountAsDistinctClients()
    {
        using var h = new DashboardHarness(s_t0, o => o.MaxValuesPerDimension = 4);
        var records = new List<RequestRecord>();
        for (var i = 0; i < 4; i++)
        {
            records.Add(View(s_t0, "attacker", consent: ConsentLevel.FraudPreventionOnly, campaign: "junk" + i));
        }

        for (var i = 0; i < 3; i++)
        {
            records.Add(View(s_t0.AddSeconds(1), "gpc" + i, consent: ConsentLevel.FraudPreventionOnly, campaign: "newsletter"));
        }

        await h.FoldAsync([.. records]);

        // Two junk values took the first-sight half of the slots; the newsletter is admitted on its second client.
        var campaigns = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.UtmCampaign);
        Assert.Equal(2, campaigns.Single(c => c.Key == "newsletter").PageViews);
        Assert.Equal(7, campaigns.Sum(c => c.PageViews));
    }

    [Fact]
    public async Task Fold_OneNetworkRotatingAddresses_CountsAsOneClient()
    {
        using var h = new DashboardHarness(s_t0, o => o.MaxValuesPerDimension = 4);
        var records = new List<RequestRecord>();
        for (var i = 0; i < 6; i++)
        {
            // One IPv6 network, a new address (and a new cookieless visitor) for every request.
            var r = View(s_t0, "rotating" + i, campaign: "junk" + (i < 2 ? i : 2));
            r.IpPrefix = Pseudonym(NumoTelemetry.Records.PseudonymKind.IpPrefix, NumoTelemetry.Records.PseudonymScope.Fraud, "2001:db8:1::/48");
            records.Add(r);
        }

        records.Add(View(s_t0.AddSeconds(1), "reader1", campaign: "newsletter"));
        records.Add(View(s_t0.AddSeconds(2), "reader2", campaign: "newsletter"));
        await h.FoldAsync([.. records]);

        var campaigns = await h.ReadAsync(DashboardGranularity.Day, DashboardDimensions.UtmCampaign);
        Assert.DoesNotContain(campaigns, c => c.Key == "junk2");
        Assert.Equal(1, campaigns.Single(c => c.Key == "newsletter").PageViews);
        Assert.Equal(8, campaigns.Sum(c => c.PageViews));
    }
}
