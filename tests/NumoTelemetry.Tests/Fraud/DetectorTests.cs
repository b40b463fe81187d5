using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.Detectors;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

public sealed class DetectorTests
{
    private static readonly DateTimeOffset T0 = FraudHarness.Start;

    private static GeoFacts Geo(double lat, double lon, int radius, long asn, string country) =>
        new() { Latitude = lat, Longitude = lon, AccuracyRadiusKm = radius, Asn = asn, CountryIsoCode = country };

    private static double Score(FraudHarness h, SubjectKind kind, string value, string reason, DateTimeOffset at) =>
        h.Processor.Scores.ValueOf(h.Subject(kind, value), reason, at);

    [Fact]
    public void GreatCircleKm_ParisToNewYork_IsAbout5840()
    {
        Assert.InRange(ImpossibleTravelDetector.GreatCircleKm(48.86, 2.35, 40.71, -74.00), 5_800, 5_880);
    }

    [Fact]
    public void ImpossibleTravel_DistanceWithinAccuracyRadii_IsNotFlagged()
    {
        using var h = new FraudHarness();
        // Paris to Brussels (~265 km) in 5 minutes, but 1000 km radii (country-level locations).
        h.Run(
            h.Record(new SimRequest(T0, "81.2.3.4", "/login") { Signal = SignalKind.LoginSucceeded, User = "u", Geo = Geo(48.86, 2.35, 1000, 1, "FR") }),
            h.Record(new SimRequest(T0.AddMinutes(5), "81.9.9.9", "/login") { Signal = SignalKind.LoginSucceeded, User = "u", Geo = Geo(50.85, 4.35, 1000, 2, "BE") }));
        Assert.Equal(0, Score(h, SubjectKind.User, "u", ReasonCodes.ImpossibleTravel, T0.AddMinutes(5)));
    }

    [Fact]
    public void ImpossibleTravel_LondonThenSydneyInAnHour_IsFlagged()
    {
        using var h = new FraudHarness();
        h.Run(
            h.Record(new SimRequest(T0, "81.2.3.4", "/login") { Signal = SignalKind.LoginSucceeded, User = "u", Geo = Geo(51.51, -0.13, 20, 1, "GB") }),
            h.Record(new SimRequest(T0.AddHours(1), "120.1.2.3", "/login") { Signal = SignalKind.LoginSucceeded, User = "u", Geo = Geo(-33.87, 151.21, 20, 2, "AU") }));
        Assert.True(Score(h, SubjectKind.User, "u", ReasonCodes.ImpossibleTravel, T0.AddHours(1)) >= 60);
    }

    [Fact]
    public void ImpossibleTravel_LateOlderLogin_UsesTheTimeBetweenThem()
    {
        using var h = new FraudHarness();
        // The New York login is recorded after the London one that happened 20 hours later (another node, a late batch):
        // 5,570 km in 20 hours is a flight, not an impossible trip, whichever order the records arrive in.
        h.Run(
            h.Record(new SimRequest(T0.AddHours(20), "81.2.3.4", "/login") { Signal = SignalKind.LoginSucceeded, User = "u", Geo = Geo(51.51, -0.13, 20, 1, "GB") }),
            h.Record(new SimRequest(T0, "23.1.2.3", "/login") { Signal = SignalKind.LoginSucceeded, User = "u", Geo = Geo(40.71, -74.00, 20, 2, "US") }));
        Assert.Equal(0, Score(h, SubjectKind.User, "u", ReasonCodes.ImpossibleTravel, T0.AddHours(20)));
    }

    [Fact]
    public void ImpossibleTravel_ViaVpn_IsLeftToTheNetworkRiskFactors()
    {
        using var h = new FraudHarness();
        var vpn = new GeoFacts { Latitude = -33.87, Longitude = 151.21, AccuracyRadiusKm = 20, Asn = 9009, CountryIsoCode = "AU", Flags = NetworkFlags.AnonymousVpn };
        h.Run(
            h.Record(new SimRequest(T0, "81.2.3.4", "/login") { Signal = SignalKind.LoginSucceeded, User = "u", Geo = Geo(51.51, -0.13, 20, 1, "GB") }),
            h.Record(new SimRequest(T0.AddHours(1), "120.1.2.3", "/login") { Signal = SignalKind.LoginSucceeded, User = "u", Geo = vpn }));
        Assert.Equal(0, Score(h, SubjectKind.User, "u", ReasonCodes.ImpossibleTravel, T0.AddHours(1)));
        Assert.True(Score(h, SubjectKind.Ip, "120.1.2.3", ReasonCodes.AnonymousNetwork, T0.AddHours(1)) > 0);
    }

    [Fact]
    public void SessionHijack_NewNetworkSameUserAgent_IsNotFlagged_NewNetworkAndUserAgent_Is()
    {
        using var h = new FraudHarness();
        h.Run(
            h.Record(new SimRequest(T0, "81.2.3.4", "/") { Session = "s", Geo = Geo(48.86, 2.35, 20, 3215, "FR") }),
            h.Record(new SimRequest(T0.AddMinutes(1), "92.184.1.1", "/") { Session = "s", Geo = Geo(48.86, 2.35, 100, 20810, "FR") }));
        Assert.Equal(0, Score(h, SubjectKind.Session, "s", ReasonCodes.SessionHijack, T0.AddMinutes(1)));
        h.Run(h.Record(new SimRequest(T0.AddMinutes(2), "95.24.1.2", "/") { Session = "s", UserAgent = "curl/8.5", Geo = Geo(55.75, 37.62, 50, 12389, "RU") }));
        Assert.True(Score(h, SubjectKind.Session, "s", ReasonCodes.SessionHijack, T0.AddMinutes(2)) >= 70);
    }

    [Fact]
    public void Logins_MistypeTwiceThenSuccess_RaiseNothing()
    {
        using var h = new FraudHarness();
        h.Run(
            h.Record(new SimRequest(T0, "81.2.3.4", "/login") { Signal = SignalKind.LoginFailed, User = "u" }),
            h.Record(new SimRequest(T0.AddSeconds(10), "81.2.3.4", "/login") { Signal = SignalKind.LoginFailed, User = "u" }),
            h.Record(new SimRequest(T0.AddSeconds(20), "81.2.3.4", "/login") { Signal = SignalKind.LoginSucceeded, User = "u" }));
        h.FlushAlerts();
        Assert.Empty(h.Alerts.All);
        Assert.Equal(0, h.Processor.Scores.Count);
    }

    [Fact]
    public void PasswordSpraying_FastEnoughToBeStuffing_IsReportedOnceAsStuffing()
    {
        using var h = new FraudHarness();
        var records = Enumerable.Range(0, 40).Select(i => h.Record(new SimRequest(T0.AddSeconds(i * 30), "185.1.1.1", "/login") { Signal = SignalKind.LoginFailed, User = $"v{i}" })).ToArray();
        h.Run(records);
        var at = T0.AddMinutes(20);
        Assert.True(Score(h, SubjectKind.Ip, "185.1.1.1", ReasonCodes.CredentialStuffing, at) > 0);
        Assert.Equal(0, Score(h, SubjectKind.Ip, "185.1.1.1", ReasonCodes.PasswordSpraying, at));
    }

    [Fact]
    public void Dispose_GroupStillInItsWait_IsSentNotLost()
    {
        using var h = new FraudHarness();
        var records = Enumerable.Range(0, 20).Select(i => h.Record(new SimRequest(T0.AddSeconds(i), "185.1.1.1", "/login") { Signal = SignalKind.LoginFailed, User = $"v{i}" })).ToArray();
        h.Run(records);
        Assert.Empty(h.Alerts.All);
        h.Processor.Dispose();
        var alert = Assert.Single(h.Alerts.All);
        Assert.Equal(ReasonCodes.CredentialStuffing, alert.Rule);
        Assert.Equal(h.Subject(SubjectKind.Ip, "185.1.1.1").ToString(), alert.Subject);
    }
}
