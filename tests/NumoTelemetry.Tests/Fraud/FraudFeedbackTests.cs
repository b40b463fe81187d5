using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Fraud;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>Allow and deny lists, verdicts and detector modes, on the engine and the hot-path risk provider.</summary>
[Collection(AllocationCollection.Name)]
public sealed class FraudFeedbackTests
{
    private const string AttackerIp = "185.220.1.20";

    private static RequestRecord[] Stuffing(FraudHarness harness, DateTimeOffset from, int count = 30)
    {
        var records = new RequestRecord[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = harness.Record(new SimRequest(from + TimeSpan.FromSeconds(i), AttackerIp, "/login") { Method = "POST", Signal = SignalKind.LoginFailed, User = $"victim{i}" });
        }

        return records;
    }

    private static RequestRecord Next(FraudHarness harness, TimeSpan after, string ip = AttackerIp) =>
        harness.Record(new SimRequest(FraudHarness.Start + after, ip, "/") { Session = "s-" + ip, Visitor = "v-" + ip });

    private static string IpSubject(FraudHarness harness) => harness.Subject(SubjectKind.Ip, AttackerIp).ToString();

    [Fact]
    public async Task MarkAsync_FalsePositive_LiftsRiskAtOnceStopsAlertsAndCountsTheRule()
    {
        using var harness = new FraudHarness(o => o.Fraud.AccountRiskShare = 0);
        using var falsePositives = new MetricCollector<long>(harness.MeterFactory, "NumoTelemetry", "numo.fraud.false_positives");
        using var applied = new MetricCollector<long>(harness.MeterFactory, "NumoTelemetry", "numo.fraud.list.applied");
        harness.Run(Stuffing(harness, FraudHarness.Start));
        Assert.True(harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(1))).Band >= RiskBand.Alert);

        var entry = await harness.Feedback.MarkAsync(FraudVerdict.FalsePositive, SubjectKind.Ip, IpSubject(harness), ReasonCodes.CredentialStuffing, by: "ada");

        // At once, before the engine has seen another batch: the next request is served.
        Assert.NotNull(entry);
        Assert.Equal(FraudListSource.FalsePositive, entry.Source);
        Assert.Equal("ada", entry.CreatedBy);
        Assert.StartsWith("fl_", entry.Id, StringComparison.Ordinal);
        var risk = harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(1)));
        Assert.Equal(RiskBand.None, risk.EnforcementBand);
        Assert.Equal(ReasonCodes.CredentialStuffing, Assert.Single(falsePositives.GetMeasurementSnapshot()).Tags["numo.rule"]);

        // The attack goes on: no alert for the allowed rule, no points back.
        harness.Run(Stuffing(harness, FraudHarness.Start + TimeSpan.FromMinutes(2)));
        harness.FlushAlerts();
        Assert.DoesNotContain(harness.Alerts.All, a => a.Rule == ReasonCodes.CredentialStuffing && a.Subject == IpSubject(harness));
        Assert.False(harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(3))).HasRisk);
        Assert.Contains(applied.GetMeasurementSnapshot(), m => (string?)m.Tags["numo.list"] == "allow" && (string?)m.Tags["numo.rule"] == ReasonCodes.CredentialStuffing);
    }

    [Fact]
    public async Task AddAsync_AllowForOtherRule_KeepsTheRisk()
    {
        using var harness = new FraudHarness(o => o.Fraud.AccountRiskShare = 0);
        harness.Run(Stuffing(harness, FraudHarness.Start));
        await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Ip, Subject = IpSubject(harness), Rule = ReasonCodes.Scanner });
        Assert.True(harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(1))).EnforcementBand >= RiskBand.Alert);
    }

    [Fact]
    public async Task RemoveAsync_AllowEntry_NewAttackCountsAgain()
    {
        using var harness = new FraudHarness(o => o.Fraud.AccountRiskShare = 0);
        var entry = await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Ip, Subject = IpSubject(harness) });
        harness.Run(Stuffing(harness, FraudHarness.Start));
        Assert.False(harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(1))).HasRisk);

        Assert.True(await harness.Feedback.RemoveAsync(entry.Id));
        Assert.False(await harness.Feedback.RemoveAsync(entry.Id));
        harness.Run(Stuffing(harness, FraudHarness.Start + TimeSpan.FromMinutes(2)));
        Assert.True(harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(3))).Band >= RiskBand.Alert);
    }

    [Fact]
    public async Task AddAsync_AllowWithExpiry_AppliesUntilItExpires()
    {
        using var harness = new FraudHarness(o => o.Fraud.AccountRiskShare = 0);
        await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Ip, Subject = IpSubject(harness), Expires = FraudHarness.Start + TimeSpan.FromMinutes(5) });
        harness.Run(Stuffing(harness, FraudHarness.Start));
        Assert.False(harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(1))).HasRisk);

        harness.Run(Stuffing(harness, FraudHarness.Start + TimeSpan.FromMinutes(6)));
        Assert.True(harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(7))).Band >= RiskBand.Alert);
        Assert.Empty(harness.Feedback.GetEntries());
    }

    [Fact]
    public async Task AddAsync_Deny_PutsTheSubjectInThePageBandAndAlerts()
    {
        using var harness = new FraudHarness();
        using var applied = new MetricCollector<long>(harness.MeterFactory, "NumoTelemetry", "numo.fraud.list.applied");
        var visitor = harness.Subject(SubjectKind.Visitor, "v-81.2.3.4").ToString();
        var entry = await harness.Feedback.AddAsync(new FraudListEntry { List = FraudListKind.Deny, SubjectKind = SubjectKind.Visitor, Subject = visitor, Rule = ReasonCodes.AccountsPerDevice });

        var request = Next(harness, TimeSpan.FromMinutes(1), "81.2.3.4");
        var risk = harness.RiskProvider.GetRisk(request);
        Assert.Equal(RiskBand.Page, risk.EnforcementBand);
        Assert.Equal(ReasonCodes.DenyList, risk.TopReason);
        Assert.False(harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(1), "81.2.3.5")).HasRisk);

        harness.Run(request);
        harness.FlushAlerts();
        var alert = Assert.Single(harness.Alerts.All);
        Assert.Equal(ReasonCodes.DenyList, alert.Rule);
        Assert.Equal("page", alert.Severity);
        Assert.Equal(visitor, alert.Subject);
        Assert.Contains(alert.Evidence, e => e.Key == "entry" && (string)e.Value == entry.Id);
        Assert.Contains(alert.Evidence, e => e.Key == "deniedFor" && (string)e.Value == ReasonCodes.AccountsPerDevice);
        Assert.Contains(applied.GetMeasurementSnapshot(), m => (string?)m.Tags["numo.list"] == "deny");

        Assert.True(await harness.Feedback.RemoveAsync(entry.Id));
        Assert.False(harness.RiskProvider.GetRisk(request).HasRisk);
    }

    [Fact]
    public async Task AddAsync_AllowAndDenyForOneSubject_AllowForEveryRuleWins()
    {
        using var harness = new FraudHarness();
        var ip = IpSubject(harness);
        await harness.Feedback.AddAsync(new FraudListEntry { List = FraudListKind.Deny, SubjectKind = SubjectKind.Ip, Subject = ip });
        await harness.Feedback.AddAsync(new FraudListEntry { List = FraudListKind.Allow, SubjectKind = SubjectKind.Ip, Subject = ip });
        Assert.False(harness.RiskProvider.GetRisk(Next(harness, TimeSpan.Zero)).HasRisk);
    }

    [Theory]
    [InlineData("185.220.1.20")]
    [InlineData("victim@example.com")]
    [InlineData("k1.not-base64!")]
    [InlineData("")]
    public async Task AddAsync_RawValueOrMalformedSubject_IsRefusedWithoutRepeatingIt(string subject)
    {
        using var harness = new FraudHarness();
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Ip, Subject = subject }));
        if (subject.Length > 0)
        {
            Assert.DoesNotContain(subject, error.Message, StringComparison.Ordinal);
        }

        Assert.Empty(harness.Feedback.GetEntries());
    }

    [Fact]
    public async Task AddAsync_BadRuleKindOrExpiry_IsRefused()
    {
        using var harness = new FraudHarness();
        var ip = IpSubject(harness);
        await Assert.ThrowsAsync<ArgumentException>(async () => await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Ip, Subject = ip, Rule = "<script>" }));
        await Assert.ThrowsAsync<ArgumentException>(async () => await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.None, Subject = ip }));
        await Assert.ThrowsAsync<ArgumentException>(async () => await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Ip, Subject = ip, Expires = FraudHarness.Start.AddSeconds(-1) }));
        await Assert.ThrowsAsync<ArgumentException>(async () => await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Asn, Subject = "AS13335" }));
        var asn = await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Asn, Subject = "13335" });
        Assert.Equal("13335", asn.Subject);
    }

    [Fact]
    public async Task AddAsync_OverMaxListEntries_IsRefused()
    {
        using var harness = new FraudHarness(o => o.Fraud.MaxListEntries = 2);
        await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Asn, Subject = "1" });
        await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Asn, Subject = "2" });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Asn, Subject = "3" }));
        Assert.Contains("NumoTelemetry:Fraud:MaxListEntries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MarkAsync_ConfirmedFraud_RemovesTheFalsePositiveAllowAndCounts()
    {
        using var harness = new FraudHarness();
        using var confirmed = new MetricCollector<long>(harness.MeterFactory, "NumoTelemetry", "numo.fraud.confirmed");
        var ip = IpSubject(harness);
        await harness.Feedback.MarkAsync(FraudVerdict.FalsePositive, SubjectKind.Ip, ip, ReasonCodes.Burst);
        var manual = await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Ip, Subject = ip, Rule = ReasonCodes.Burst });

        Assert.Null(await harness.Feedback.MarkAsync(FraudVerdict.ConfirmedFraud, SubjectKind.Ip, ip, ReasonCodes.Burst));

        Assert.Equal(manual.Id, Assert.Single(harness.Feedback.GetEntries()).Id);
        Assert.Equal(ReasonCodes.Burst, Assert.Single(confirmed.GetMeasurementSnapshot()).Tags["numo.rule"]);
    }

    [Fact]
    public async Task MarkAsync_UnknownRule_CountedAsOther()
    {
        using var harness = new FraudHarness();
        using var falsePositives = new MetricCollector<long>(harness.MeterFactory, "NumoTelemetry", "numo.fraud.false_positives");
        await harness.Feedback.MarkAsync(FraudVerdict.FalsePositive, SubjectKind.Ip, IpSubject(harness), "made-up-rule-1");
        Assert.Equal("other", Assert.Single(falsePositives.GetMeasurementSnapshot()).Tags["numo.rule"]);
    }

    [Fact]
    public async Task LoadAsync_EntriesFromAStore_AppliedKeptByIdExpiredAndMalformedSkipped()
    {
        using var harness = new FraudHarness(o => o.Fraud.AccountRiskShare = 0);
        var ip = IpSubject(harness);
        var loaded = await harness.Feedback.LoadAsync(
        [
            new FraudListEntry { Id = "fl_stored1", SubjectKind = SubjectKind.Ip, Subject = ip, Created = FraudHarness.Start.AddDays(-1), CreatedBy = "ada" },
            new FraudListEntry { Id = "fl_stored2", SubjectKind = SubjectKind.Ip, Subject = ip, Expires = FraudHarness.Start.AddDays(-1) },
            new FraudListEntry { Id = "fl_stored3", SubjectKind = SubjectKind.Ip, Subject = "185.220.1.20" },
            new FraudListEntry { Id = "fl_stored1", SubjectKind = SubjectKind.Ip, Subject = ip, Rule = ReasonCodes.Burst },
        ]);

        Assert.Equal(1, loaded);
        var entry = Assert.Single(harness.Feedback.GetEntries());
        Assert.Equal("fl_stored1", entry.Id);
        Assert.Null(entry.Rule);
        Assert.Equal(FraudHarness.Start.AddDays(-1), entry.Created);
        harness.Run(Stuffing(harness, FraudHarness.Start));
        Assert.False(harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(1))).HasRisk);
    }

    [Fact]
    public async Task GetRisk_WithListEntries_AllocatesNothing()
    {
        using var harness = new FraudHarness();
        harness.Run(Stuffing(harness, FraudHarness.Start));
        await harness.Feedback.AddAsync(new FraudListEntry { SubjectKind = SubjectKind.Ip, Subject = IpSubject(harness), Rule = ReasonCodes.Scanner });
        await harness.Feedback.AddAsync(new FraudListEntry { List = FraudListKind.Deny, SubjectKind = SubjectKind.Visitor, Subject = harness.Subject(SubjectKind.Visitor, "v-81.2.3.4").ToString() });
        var attacker = Next(harness, TimeSpan.FromMinutes(1));
        var denied = Next(harness, TimeSpan.FromMinutes(1), "81.2.3.4");
        RequestRisk a = default, d = default;
        Assert.Equal(0, AllocationCollection.SteadyStateBytes(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                a = harness.RiskProvider.GetRisk(attacker);
                d = harness.RiskProvider.GetRisk(denied);
            }
        }));
        Assert.True(a.Band >= RiskBand.Alert);
        Assert.Equal(RiskBand.Page, d.Band);
    }

    [Fact]
    public void DetectorMode_Observe_ScoresWithoutAlertOrEnforcement()
    {
        using var harness = new FraudHarness(o =>
        {
            o.Fraud.AccountRiskShare = 0;
            o.Fraud.Detectors["CredentialStuffing"] = new DetectorOptions { Mode = DetectorMode.Observe };
            o.Fraud.Detectors["PasswordSpraying"] = new DetectorOptions { Mode = DetectorMode.Off };
        });
        using var detections = new MetricCollector<long>(harness.MeterFactory, "NumoTelemetry", "numo.fraud.detections");
        harness.Run(Stuffing(harness, FraudHarness.Start));
        harness.FlushAlerts();

        var risk = harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(1)));
        Assert.True(risk.Band >= RiskBand.Alert, $"band {risk.Band}");
        Assert.Equal(RiskBand.None, risk.EnforcementBand);
        Assert.DoesNotContain(harness.Alerts.All, a => a.Rule == ReasonCodes.CredentialStuffing);
        Assert.Contains(detections.GetMeasurementSnapshot(), m => (string?)m.Tags["numo.reason"] == ReasonCodes.CredentialStuffing);
        Assert.Equal(DetectorMode.Observe, harness.Feedback.ModeOfRule(ReasonCodes.CredentialStuffing));
        Assert.Equal(DetectorMode.Off, harness.Feedback.Detectors.Single(d => d.Name == "PasswordSpraying").Mode);
        Assert.Equal(DetectorMode.Enforce, harness.Feedback.Detectors.Single(d => d.Name == "Burst").Mode);
    }

    [Fact]
    public void DetectorMode_Alert_AlertsWithoutEnforcement()
    {
        using var harness = new FraudHarness(o =>
        {
            o.Fraud.AccountRiskShare = 0;
            o.Fraud.Detectors["CredentialStuffing"] = new DetectorOptions { Mode = DetectorMode.Alert };
        });
        harness.Run(Stuffing(harness, FraudHarness.Start));
        harness.FlushAlerts();

        var risk = harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(1)));
        Assert.True(risk.Band >= RiskBand.Alert);
        Assert.True(risk.EnforcementBand < RiskBand.Alert, $"enforced band {risk.EnforcementBand}");
        Assert.Contains(harness.Alerts.All, a => a.Rule == ReasonCodes.CredentialStuffing);
    }

    [Fact]
    public void DetectorMode_Default_EnforcesAsBefore()
    {
        using var harness = new FraudHarness(o => o.Fraud.AccountRiskShare = 0);
        harness.Run(Stuffing(harness, FraudHarness.Start));
        var risk = harness.RiskProvider.GetRisk(Next(harness, TimeSpan.FromMinutes(1)));
        Assert.Equal(risk.Band, risk.EnforcementBand);
        Assert.All(harness.Feedback.Detectors, d => Assert.Equal(DetectorMode.Enforce, d.Mode));
    }
}
