using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

[Collection(AllocationCollection.Name)]
public sealed class RiskProviderTests
{
    [Fact]
    public void GetRisk_NoRiskKnown_ReturnsNoneWithoutAllocating()
    {
        using var harness = new FraudHarness();
        var record = harness.Record(new SimRequest(FraudHarness.Start, "81.2.3.4", "/") { Session = "s1", Visitor = "v1" });
        harness.RiskProvider.GetRisk(record);
        NumoRisk risk = default;
        Assert.Equal(0, AllocationCollection.SteadyStateBytes(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                risk = harness.RiskProvider.GetRisk(record);
            }
        }));
        Assert.False(risk.HasRisk);
    }

    [Fact]
    public void GetRisk_RiskyIp_ReturnsDecayedScoreBandAndReasonWithoutAllocating()
    {
        using var harness = new FraudHarness();
        var record = harness.Record(new SimRequest(FraudHarness.Start, "81.2.3.4", "/") { Session = "s1", Visitor = "v1" });
        harness.Cache.Set(SubjectKey.From(SubjectKind.Ip, record.Ip), 100, ReasonCodes.CredentialStuffing, FraudHarness.Start);
        harness.RiskProvider.GetRisk(record);
        NumoRisk risk = default;
        Assert.Equal(0, AllocationCollection.SteadyStateBytes(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                risk = harness.RiskProvider.GetRisk(record);
            }
        }));
        Assert.Equal(100, risk.Score);
        Assert.Equal(RiskBand.Page, risk.Band);
        Assert.Equal(ReasonCodes.CredentialStuffing, risk.TopReason);

        record.Timestamp = FraudHarness.Start + TimeSpan.FromHours(1); // one half-life later
        risk = harness.RiskProvider.GetRisk(record);
        Assert.Equal(50, risk.Score);
        Assert.Equal(RiskBand.Alert, risk.Band);
    }

    [Fact]
    public void ProcessAsync_StuffingAttack_RaisesTheRiskOfTheAttackersNextRequest()
    {
        using var harness = new FraudHarness();
        var records = new List<RequestRecord>();
        for (var i = 0; i < 30; i++)
        {
            records.Add(harness.Record(new SimRequest(FraudHarness.Start + TimeSpan.FromSeconds(i), "185.220.1.20", "/login") { Method = "POST", Signal = NumoTelemetry.Records.SignalKind.LoginFailed, User = $"victim{i}" }));
        }

        harness.Run([.. records]);
        var next = harness.Record(new SimRequest(FraudHarness.Start + TimeSpan.FromMinutes(1), "185.220.1.20", "/"));
        var risk = harness.RiskProvider.GetRisk(next);
        Assert.True(risk.Band >= RiskBand.Alert, $"band {risk.Band}, score {risk.Score}");
        Assert.Equal(ReasonCodes.CredentialStuffing, risk.TopReason);
        var bystander = harness.Record(new SimRequest(FraudHarness.Start + TimeSpan.FromMinutes(1), "81.2.3.4", "/"));
        Assert.False(harness.RiskProvider.GetRisk(bystander).HasRisk);
    }

    [Fact]
    public void Subject_FromPseudonym_TextEqualsThePseudonymText()
    {
        using var harness = new FraudHarness();
        var p = harness.P(PseudonymKind.User, "Alice@Example.com ");
        Assert.Equal(p.ToString(), SubjectKey.From(SubjectKind.User, p).ToString());
        Assert.Equal(p, SubjectKey.From(SubjectKind.User, p).ToPseudonym());
        Assert.Equal("15169", SubjectKey.ForAsn(15169).ToString());
    }
}

public sealed class AccountRiskPropagationTests
{
    private static List<RequestRecord> BruteForce(FraudHarness harness, string session, string visitor)
    {
        var records = new List<RequestRecord>();
        for (var i = 0; i < 12; i++)
        {
            records.Add(harness.Record(new SimRequest(FraudHarness.Start + TimeSpan.FromSeconds(45 * i), "31.13.1.1", "/login")
            {
                Method = "POST",
                Signal = NumoTelemetry.Records.SignalKind.LoginFailed,
                User = "dave",
                Session = session,
                Visitor = visitor,
            }));
        }

        return records;
    }

    [Fact]
    public void ProcessAsync_BruteForceOnAccount_RaisesTheRiskOfTheAttackersSessionAndVisitor()
    {
        using var harness = new FraudHarness();
        harness.Run([.. BruteForce(harness, "s-attacker", "v-attacker")]);
        var at = FraudHarness.Start + TimeSpan.FromMinutes(10);

        // The attacker's next request from another IP: only the session or only the visitor cookie carries the account's risk.
        var bySession = harness.RiskProvider.GetRisk(harness.Record(new SimRequest(at, "81.2.3.4", "/account") { Session = "s-attacker" }));
        var byVisitor = harness.RiskProvider.GetRisk(harness.Record(new SimRequest(at, "81.2.3.4", "/account") { Visitor = "v-attacker" }));
        Assert.True(bySession.HasRisk);
        Assert.Equal(ReasonCodes.AccountBruteForce, bySession.TopReason);
        Assert.True(byVisitor.HasRisk);
        Assert.Equal(ReasonCodes.AccountBruteForce, byVisitor.TopReason);

        // Smaller than the account's own score, and no alert on the session or visitor.
        var account = harness.Processor.Scores.ValueOf(harness.Subject(NumoTelemetry.Fraud.State.SubjectKind.User, "dave"), ReasonCodes.AccountBruteForce, at);
        Assert.InRange(bySession.Score, 1, account - 1);
        harness.FlushAlerts();
        Assert.DoesNotContain(harness.Alerts.All, a => a.SubjectKind is "session" or "visitor");
        Assert.False(harness.RiskProvider.GetRisk(harness.Record(new SimRequest(at, "81.2.3.4", "/account") { Session = "s-bystander", Visitor = "v-bystander" })).HasRisk);
    }

    [Fact]
    public void ProcessAsync_AccountRiskShareZero_SessionGetsNoRisk()
    {
        using var harness = new FraudHarness(o => o.Fraud.AccountRiskShare = 0);
        harness.Run([.. BruteForce(harness, "s-attacker", "v-attacker")]);
        var at = FraudHarness.Start + TimeSpan.FromMinutes(10);
        Assert.False(harness.RiskProvider.GetRisk(harness.Record(new SimRequest(at, "81.2.3.4", "/account") { Session = "s-attacker", Visitor = "v-attacker" })).HasRisk);
    }

    [Fact]
    public void ProcessAsync_ImpossibleTravel_RaisesTheRiskOfTheSecondLoginsSession()
    {
        using var harness = new FraudHarness();
        var london = new NumoTelemetry.Records.GeoFacts { CountryIsoCode = "GB", Latitude = 51.51, Longitude = -0.13, AccuracyRadiusKm = 20, Asn = 2856 };
        var sydney = new NumoTelemetry.Records.GeoFacts { CountryIsoCode = "AU", Latitude = -33.87, Longitude = 151.21, AccuracyRadiusKm = 20, Asn = 1221 };
        harness.Run(harness.Record(new SimRequest(FraudHarness.Start, "81.2.3.4", "/login") { Method = "POST", Status = 302, Signal = NumoTelemetry.Records.SignalKind.LoginSucceeded, User = "bob", Session = "s-london", Geo = london }));
        harness.Run(harness.Record(new SimRequest(FraudHarness.Start + TimeSpan.FromMinutes(40), "120.1.2.3", "/login") { Method = "POST", Status = 302, Signal = NumoTelemetry.Records.SignalKind.LoginSucceeded, User = "bob", Session = "s-sydney", Geo = sydney }));
        var risk = harness.RiskProvider.GetRisk(harness.Record(new SimRequest(FraudHarness.Start + TimeSpan.FromMinutes(41), "120.1.2.3", "/payout") { Session = "s-sydney" }));
        Assert.True(risk.HasRisk);
        Assert.Equal(ReasonCodes.ImpossibleTravel, risk.TopReason);
    }
}
