using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;

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
        var before = GC.GetAllocatedBytesForCurrentThread();
        NumoRisk risk = default;
        for (var i = 0; i < 10_000; i++)
        {
            risk = harness.RiskProvider.GetRisk(record);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.False(risk.HasRisk);
    }

    [Fact]
    public void GetRisk_RiskyIp_ReturnsDecayedScoreBandAndReasonWithoutAllocating()
    {
        using var harness = new FraudHarness();
        var record = harness.Record(new SimRequest(FraudHarness.Start, "81.2.3.4", "/") { Session = "s1", Visitor = "v1" });
        harness.Cache.Set(SubjectKey.From(SubjectKind.Ip, record.Ip), 100, ReasonCodes.CredentialStuffing, FraudHarness.Start);
        harness.RiskProvider.GetRisk(record);
        var before = GC.GetAllocatedBytesForCurrentThread();
        NumoRisk risk = default;
        for (var i = 0; i < 10_000; i++)
        {
            risk = harness.RiskProvider.GetRisk(record);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
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
            records.Add(harness.Record(new SimRequest(FraudHarness.Start + TimeSpan.FromSeconds(i), "185.220.1.20", "/login") { Method = "POST", Signal = NumoTelemetry.Capture.SignalKind.LoginFailed, User = $"victim{i}" }));
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
