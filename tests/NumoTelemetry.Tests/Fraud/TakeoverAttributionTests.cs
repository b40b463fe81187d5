using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// Takeover after stuffing needs evidence tying the login to the attack: a <c>distributed-stuffing</c> signal on the AS alone is shared by every
/// user of that network (a big ISP, a VPN) and must not turn their logins into alerts.
/// </summary>
public sealed class TakeoverAttributionTests
{
    private const long BotnetAsn = 49505;
    private static readonly DateTimeOffset T0 = FraudHarness.Start;
    private static readonly GeoFacts s_botnetNetwork = new() { Latitude = 55.75, Longitude = 37.62, AccuracyRadiusKm = 50, Asn = BotnetAsn, CountryIsoCode = "RU" };

    [Fact]
    public void AtoAfterStuffing_BenignUserWithoutFailuresOnAnAsnUnderDistributedStuffing_IsNotAlerted()
    {
        using var h = new FraudHarness();
        RunBotnet(h);
        Assert.True(Score(h, SubjectKind.Asn, BotnetAsn.ToString(System.Globalization.CultureInfo.InvariantCulture), ReasonCodes.DistributedStuffing) > 0);

        // Ordinary users of the same AS, from addresses (and a /24) the botnet never used: one logs straight in, one mistypes twice first.
        var at = T0.AddMinutes(45);
        h.Run(
            Login(h, at, "5.188.99.20", "alice", SignalKind.LoginSucceeded),
            Login(h, at.AddSeconds(5), "5.188.99.31", "bob", SignalKind.LoginFailed),
            Login(h, at.AddSeconds(15), "5.188.99.31", "bob", SignalKind.LoginFailed),
            Login(h, at.AddSeconds(25), "5.188.99.31", "bob", SignalKind.LoginSucceeded));
        h.FlushAlerts();

        Assert.Equal(0, Score(h, SubjectKind.User, "alice", ReasonCodes.AtoAfterStuffing));
        Assert.Equal(0, Score(h, SubjectKind.User, "bob", ReasonCodes.AtoAfterStuffing));
        Assert.DoesNotContain(h.Alerts.All, static a => a.Rule == ReasonCodes.AtoAfterStuffing);
    }

    [Fact]
    public void AtoAfterStuffing_TargetedAccountSucceedingFromTheBotnetsAsn_IsAlerted()
    {
        using var h = new FraudHarness();
        RunBotnet(h);

        // The botnet failed on "victim" from one of its addresses, then gets in from another address of the same AS.
        var at = T0.AddMinutes(40);
        h.Run(
            Login(h, at, "5.188.10.7", "victim", SignalKind.LoginFailed),
            Login(h, at.AddMinutes(2), "5.188.77.9", "victim", SignalKind.LoginSucceeded));
        h.FlushAlerts();

        Assert.True(Score(h, SubjectKind.User, "victim", ReasonCodes.AtoAfterStuffing) >= 50);
        var victim = h.Subject(SubjectKind.User, "victim").ToString();
        Assert.Contains(h.Alerts.All, a => a.Rule == ReasonCodes.AtoAfterStuffing && a.Subject == victim);
    }

    [Fact]
    public void AtoAfterStuffing_SuccessFromABotThatFailedForManyAccounts_IsAlertedEvenWithoutAccountFailures()
    {
        using var h = new FraudHarness();
        RunBotnet(h);

        // A breached password works on the first try, from a bot that has been failing for other accounts.
        h.Run(Login(h, T0.AddMinutes(40), "5.188.12.7", "breached", SignalKind.LoginSucceeded));

        Assert.True(Score(h, SubjectKind.User, "breached", ReasonCodes.AtoAfterStuffing) >= 50);
    }

    [Fact]
    public void AtoAfterStuffing_PrefixSignal_CountsWhileTheAttackIsOnButNotHoursLater()
    {
        using var h = new FraudHarness();
        // 40 addresses of one /24, 5 failed logins each: distributed stuffing on the prefix.
        var records = new List<RequestRecord>();
        var account = 0;
        for (var i = 1; i <= 40; i++)
        {
            for (var k = 0; k < 5; k++)
            {
                records.Add(Login(h, T0.AddSeconds((k * 300) + i), $"193.32.162.{i}", $"dist{account++}", SignalKind.LoginFailed));
            }
        }

        records.Sort(static (a, b) => a.Timestamp.CompareTo(b.Timestamp));
        h.Run([.. records]);

        // A success from the /24 while its logins mostly fail: taken over. Another user of the /24 three hours later (a VPN exit, a
        // reassigned address): the prefix's signal has not decayed away, but its logins no longer fail.
        h.Run(Login(h, T0.AddMinutes(26), "193.32.162.77", "early", SignalKind.LoginSucceeded));
        h.Run(Login(h, T0.AddHours(3), "193.32.162.78", "later", SignalKind.LoginSucceeded));

        Assert.True(Score(h, SubjectKind.User, "early", ReasonCodes.AtoAfterStuffing) >= 30);
        Assert.Equal(0, h.Processor.Scores.ValueOf(h.Subject(SubjectKind.User, "later"), ReasonCodes.AtoAfterStuffing, T0.AddHours(3)));
    }

    /// <summary>30 addresses in 30 /24s of one AS, 4 failed logins each for distinct accounts: below every per-IP threshold, distributed stuffing on the AS.</summary>
    private static void RunBotnet(FraudHarness h)
    {
        var records = new List<RequestRecord>();
        var account = 0;
        for (var i = 0; i < 30; i++)
        {
            for (var k = 0; k < 4; k++)
            {
                records.Add(Login(h, T0.AddSeconds((i * 4) + (k * 150)), $"5.188.{10 + i}.7", $"target{account++}", SignalKind.LoginFailed));
            }
        }

        records.Sort(static (a, b) => a.Timestamp.CompareTo(b.Timestamp));
        h.Run([.. records]);
    }

    private static RequestRecord Login(FraudHarness h, DateTimeOffset at, string ip, string user, SignalKind signal) =>
        h.Record(new SimRequest(at, ip, "/login") { Method = "POST", Signal = signal, User = user, Geo = s_botnetNetwork });

    private static double Score(FraudHarness h, SubjectKind kind, string value, string reason) =>
        h.Processor.Scores.ValueOf(h.Subject(kind, value), reason, T0.AddMinutes(50));
}
