using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// Crawling and scanning spread over hours or over the addresses of a prefix (the long window), and the shared addresses that must stay quiet
/// in it: a carrier-grade NAT with and without cookies, a heavy human reader.
/// </summary>
public sealed class LongWindowTests
{
    private static readonly DateTimeOffset T0 = FraudHarness.Start;
    private static readonly GeoFacts s_home = new() { Latitude = 48.86, Longitude = 2.35, AccuracyRadiusKm = 20, Asn = 3215, CountryIsoCode = "FR" };
    private static readonly GeoFacts s_carrier = new() { Latitude = 48.86, Longitude = 2.35, AccuracyRadiusKm = 100, Asn = 20810, CountryIsoCode = "FR", Flags = NetworkFlags.Cellular };
    private static readonly GeoFacts s_cloud = new() { Latitude = 50.11, Longitude = 8.68, AccuracyRadiusKm = 50, Asn = 14061, CountryIsoCode = "DE", Flags = NetworkFlags.Hosting };

    [Fact]
    public void Crawling_OneResidentialIpAPageEvery8SecondsForHours_IsFlaggedOnTheIp()
    {
        using var h = new FraudHarness();
        // 75 pages per 10 minutes, far below the analysis window's 200, but 1,800 distinct products in 4 hours.
        var requests = Enumerable.Range(0, 1_800).Select(i => new SimRequest(T0.AddSeconds(i * 8), "81.2.3.4", $"/product/{i}") { Geo = s_home });
        Run(h, requests);
        Assert.True(Score(h, SubjectKind.Ip, "81.2.3.4", ReasonCodes.Crawling, T0.AddHours(4)) >= 40);
        h.FlushAlerts();
        var ip = h.Subject(SubjectKind.Ip, "81.2.3.4").ToString();
        Assert.Contains(h.Alerts.All, a => a.Rule == ReasonCodes.Crawling && a.Subject == ip);
    }

    [Fact]
    public void Crawling_EightCloudIpsOfOnePrefixWithANewUserAgentPerRequest_IsFlaggedOnThePrefix()
    {
        using var h = new FraudHarness();
        // 15 pages a minute per address for 40 minutes: 600 per address, 4,800 for the /24.
        var requests = new List<SimRequest>();
        for (var i = 0; i < 4_800; i++)
        {
            var at = T0.AddSeconds(i * 0.5);
            requests.Add(new SimRequest(at, $"203.0.113.{10 + (i % 8)}", $"/item/{i}") { Geo = s_cloud, UserAgent = $"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/{100 + (i % 997)}.0.{i}" });
        }

        Run(h, requests);
        var at40 = T0.AddMinutes(40);
        Assert.Equal(0, Score(h, SubjectKind.Ip, "203.0.113.10", ReasonCodes.Crawling, at40));
        Assert.True(Score(h, SubjectKind.IpPrefix, "203.0.113.10", ReasonCodes.Crawling, at40) >= 40);
    }

    [Fact]
    public void Scanner_OneProbeEverySixMinutes_IsFlaggedOnTheIp()
    {
        using var h = new FraudHarness();
        string[] probes = ["/.env", "/wp-login.php", "/.git/config", "/phpmyadmin/", "/server-status", "/backup.zip", "/config.php.bak", "/admin/"];
        var requests = Enumerable.Range(0, 30).Select(i => new SimRequest(T0.AddMinutes(i * 6), "81.2.3.9", $"{probes[i % probes.Length]}{i}") { Status = 404, Geo = s_home });
        Run(h, requests);
        Assert.True(Score(h, SubjectKind.Ip, "81.2.3.9", ReasonCodes.Scanner, T0.AddHours(3)) >= 50);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LongWindow_CarrierGradeNatWithHundredsOfUsersForHours_RaisesNothing(bool cookies)
    {
        using var h = new FraudHarness();
        // 400 users on one address over 6 hours, 25 pages each from a catalogue of 50,000 (10,000 distinct pages), 40 phone builds, a few 404s.
        var random = new Random(11);
        var requests = new List<SimRequest>();
        for (var u = 0; u < 400; u++)
        {
            var start = T0.AddMinutes(random.NextDouble() * 330);
            var ua = $"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{u % 40} like Mac OS X) Mobile Safari/604.1";
            for (var k = 0; k < 25; k++)
            {
                var missing = random.NextDouble() < 0.03;
                requests.Add(new SimRequest(start.AddSeconds(k * 20), "100.64.1.1", missing ? $"/old/{random.Next(5_000)}" : $"/product/{random.Next(50_000)}")
                {
                    Geo = s_carrier,
                    UserAgent = ua,
                    Status = missing ? 404 : 200,
                    Visitor = cookies ? $"v{u}" : null,
                    Session = cookies ? $"s{u}" : null,
                });
            }
        }

        requests.Sort(static (a, b) => a.At.CompareTo(b.At));
        Run(h, requests);
        h.FlushAlerts();
        Assert.Empty(h.Alerts.All);
        Assert.Equal(0, Score(h, SubjectKind.Ip, "100.64.1.1", ReasonCodes.Crawling, T0.AddHours(6)));
        Assert.Equal(0, Score(h, SubjectKind.IpPrefix, "100.64.1.1", ReasonCodes.Crawling, T0.AddHours(6)));
        Assert.Equal(0, Score(h, SubjectKind.Ip, "100.64.1.1", ReasonCodes.Scanner, T0.AddHours(6)));
    }

    [Fact]
    public void LongWindow_HeavyHumanReadingAllDay_RaisesNothing()
    {
        using var h = new FraudHarness();
        // A page every 20-40 seconds for 9 hours (about 1,100 views) over 900 distinct pages, with bursts of tabs and a few dead links.
        var random = new Random(5);
        var requests = new List<SimRequest>();
        var at = T0;
        while (at < T0.AddHours(9))
        {
            at = at.AddSeconds(20 + (random.NextDouble() * 20));
            var missing = random.NextDouble() < 0.02;
            requests.Add(new SimRequest(at, "81.2.3.7", missing ? $"/gone/{random.Next(100)}" : $"/article/{random.Next(900)}") { Geo = s_home, Visitor = "reader", Session = "reading", Status = missing ? 404 : 200 });
        }

        Run(h, requests);
        h.FlushAlerts();
        Assert.Empty(h.Alerts.All);
    }

    [Fact]
    public void LongWindow_TurnedOff_PlansNoLongWindowStateAndSeesNoSlowCrawl()
    {
        using var h = new FraudHarness(static o => o.Fraud.LongAnalysisWindow = TimeSpan.Zero);
        var requests = Enumerable.Range(0, 1_800).Select(i => new SimRequest(T0.AddSeconds(i * 8), "81.2.3.4", $"/product/{i}") { Geo = s_home });
        Run(h, requests);
        Assert.Equal(0, Score(h, SubjectKind.Ip, "81.2.3.4", ReasonCodes.Crawling, T0.AddHours(4)));

        var batch = new FraudStateBatch();
        var record = h.Record(new SimRequest(T0, "81.2.3.4", "/"));
        new NumoTelemetry.Fraud.Sessions.AccessPatternTracker(h.Options.Fraud).Plan(in record, batch);
        for (var i = 0; i < batch.Count; i++)
        {
            Assert.DoesNotContain(".long", FraudFeatures.WireName(batch.Operations[i].Feature), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(6 * 60, true)]
    [InlineData(5, false)]
    [InlineData(8 * 24 * 60, false)]
    public void Validate_LongAnalysisWindow_ZeroOrBetweenTheAnalysisWindowAnd7Days(int minutes, bool valid)
    {
        var options = new NumoTelemetryOptions();
        options.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
        options.Fraud.LongAnalysisWindow = TimeSpan.FromMinutes(minutes);
        var result = new FraudOptionsValidator().Validate(null, options);
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains(result.Failures!, static f => f.StartsWith("NumoTelemetry:Fraud:LongAnalysisWindow", StringComparison.Ordinal));
        }
    }

    private static void Run(FraudHarness h, IEnumerable<SimRequest> requests)
    {
        var batch = new List<RequestRecord>(256);
        foreach (var request in requests)
        {
            batch.Add(h.Record(request));
            if (batch.Count == 256)
            {
                h.Run([.. batch]);
                batch.Clear();
            }
        }

        h.Run([.. batch]);
    }

    private static double Score(FraudHarness h, SubjectKind kind, string value, string reason, DateTimeOffset at) =>
        h.Processor.Scores.ValueOf(h.Subject(kind, value), reason, at);
}
