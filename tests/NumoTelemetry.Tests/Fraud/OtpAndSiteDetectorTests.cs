using System.Globalization;
using NumoTelemetry.Capture;
using NumoTelemetry.Enrichment;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>SMS pumping, site-wide anomalies, User-Agent rotation and fake crawlers that crawl.</summary>
public sealed class OtpAndSiteDetectorTests
{
    private static readonly DateTimeOffset T0 = FraudHarness.Start;

    private static PhoneNumbers Phones(FraudHarness h) => new(h.Pseudonymizer, h.Options, h.RiskProvider);

    private static RequestRecord Otp(FraudHarness h, DateTimeOffset at, string ip, string phone, SignalKind kind, string? session = null)
    {
        var record = h.Record(new SimRequest(at, ip, "/api/otp") { Method = "POST", Session = session });
        Assert.True(Phones(h).Capture(phone, at, ref record));
        record.AddSignal(new AppSignal(kind, default, default, null));
        return record;
    }

    private static void Configure(NumoTelemetryOptions o) => o.Capture.DefaultCountryCallingCode = "44";

    [Theory]
    [InlineData("12125550100", 1)]
    [InlineData("74951234567", 1)]
    [InlineData("447700900123", 2)]
    [InlineData("8613812345678", 2)]
    [InlineData("37126101000", 3)]
    [InlineData("882161234567", 3)]
    [InlineData("2321234567", 3)]
    public void CallingCodeLength_KnownPlans_AreSplitRight(string digits, int expected) =>
        Assert.Equal(expected, PhoneNumbers.CallingCodeLength(digits));

    [Fact]
    public void Capture_E164AndNationalForms_SamePseudonymPrefixAndBlock()
    {
        using var h = new FraudHarness(Configure);
        var a = default(RequestRecord);
        var b = default(RequestRecord);
        Assert.True(Phones(h).Capture("+44 7700 900123", T0, ref a));
        Assert.True(Phones(h).Capture("07700 900123", T0, ref b));
        Assert.Equal(a.OtpPhone, b.OtpPhone);
        Assert.Equal("+4477009", SubjectKey.ForPhonePrefix(a.OtpPrefix).ToString());
        Assert.Equal("+44", SubjectKey.ForPhonePrefix(a.OtpCallingCode).ToString());
        Assert.Equal(a.OtpBlock, b.OtpBlock);
        Assert.DoesNotContain("900123", a.OtpPhone.ToString(), StringComparison.Ordinal);

        var neighbour = default(RequestRecord);
        Assert.True(Phones(h).Capture("+447700900199", T0, ref neighbour));
        Assert.Equal(a.OtpBlock, neighbour.OtpBlock); // same hundred
        Assert.NotEqual(a.OtpPhone, neighbour.OtpPhone);
    }

    [Fact]
    public void Capture_ShortNumber_KeepsAtLeastFourDigitsHidden()
    {
        using var h = new FraudHarness(Configure);
        var record = default(RequestRecord);
        Assert.True(Phones(h).Capture("+353 1234567", T0, ref record)); // 7 national digits: 3 kept, 4 hidden
        Assert.Equal("+353123", SubjectKey.ForPhonePrefix(record.OtpPrefix).ToString());
    }

    [Theory]
    [InlineData("call me maybe")]
    [InlineData("12")]
    [InlineData("+44 7700 900123 ext 9999999999")]
    public void Capture_NotANumber_SetsNothing(string value)
    {
        using var h = new FraudHarness(Configure);
        var record = default(RequestRecord);
        Assert.False(Phones(h).Capture(value, T0, ref record));
        Assert.True(record.OtpPhone.IsEmpty);
        Assert.Equal(0UL, record.OtpPrefix);
    }

    [Fact]
    public void OtpPumping_ManyNumbersOfOnePrefixNeverEntered_AlertsOnThePrefixInClear()
    {
        using var h = new FraudHarness(Configure);
        var random = new Random(5);
        var records = new List<RequestRecord>();
        for (var i = 0; i < 12; i++)
        {
            var number = "+4479112" + random.Next(0, 100_000).ToString("D5", CultureInfo.InvariantCulture);
            records.Add(Otp(h, T0.AddSeconds(i * 20), $"81.{i}.1.{i + 1}", number, SignalKind.OtpRequested));
        }

        h.Run([.. records]);
        h.FlushAlerts();
        var alert = Assert.Single(h.Alerts.All, static a => a.Rule == ReasonCodes.OtpPumping);
        Assert.Equal("phone-prefix", alert.SubjectKind);
        Assert.Equal("+4479112", alert.Subject);
        Assert.Contains(alert.Evidence, static e => e.Key == "conversion");

        // The site's next code for that prefix sees the risk in the request (so it can decline to send the SMS).
        var next = Otp(h, T0.AddMinutes(5), "81.200.1.1", "+447911212345", SignalKind.OtpRequested);
        Phones(h).AddPrefixRisk(ref next);
        Assert.True(next.Risk.Band >= RiskBand.Alert);
        Assert.Equal(ReasonCodes.OtpPumping, next.Risk.TopReason);
    }

    [Fact]
    public void OtpPumping_CodesEntered_RaiseNothing()
    {
        using var h = new FraudHarness(Configure);
        var random = new Random(6);
        var records = new List<RequestRecord>();
        for (var i = 0; i < 30; i++)
        {
            var number = "+4479112" + random.Next(0, 100_000).ToString("D5", CultureInfo.InvariantCulture);
            var ip = $"82.20.{i}.{i + 1}"; // the same carrier-grade NAT would do too: each code is entered
            records.Add(Otp(h, T0.AddSeconds(i * 20), ip, number, SignalKind.OtpRequested));
            records.Add(Otp(h, T0.AddSeconds((i * 20) + 15), ip, number, SignalKind.OtpVerified));
        }

        h.Run([.. records]);
        h.FlushAlerts();
        Assert.Empty(h.Alerts.All);
    }

    [Fact]
    public void OtpSequential_ConsecutiveNumbers_Alert()
    {
        using var h = new FraudHarness(Configure);
        var records = new List<RequestRecord>();
        for (var i = 0; i < 9; i++)
        {
            // Consecutive numbers, each entered (conversion is not what gives them away).
            var number = "+37126101" + (100 + i).ToString(CultureInfo.InvariantCulture);
            records.Add(Otp(h, T0.AddSeconds(i * 30), $"90.80.{i}.1", number, SignalKind.OtpRequested));
        }

        h.Run([.. records]);
        h.FlushAlerts();
        Assert.Contains(h.Alerts.All, static a => a.Rule == ReasonCodes.OtpSequential && a.SubjectKind == "phone-prefix");
    }

    [Fact]
    public void OtpPumping_OneSessionManyCountries_AlertsOnSessionAndIp()
    {
        using var h = new FraudHarness(Configure);
        string[] codes = ["232", "224", "252", "220", "235", "236"];
        var records = new List<RequestRecord>();
        for (var i = 0; i < 6; i++)
        {
            records.Add(Otp(h, T0.AddSeconds(i * 30), "45.190.12.34", "+" + codes[i] + "7654321" + i.ToString(CultureInfo.InvariantCulture), SignalKind.OtpRequested, session: "s1"));
        }

        h.Run([.. records]);
        h.FlushAlerts();
        Assert.Contains(h.Alerts.All, static a => a.Rule == ReasonCodes.OtpPumping && a.SubjectKind == "ip");
        Assert.Contains(h.Alerts.All, static a => a.Rule == ReasonCodes.OtpPumping && a.SubjectKind == "session");
    }

    [Fact]
    public void UaRotation_NewUserAgentOnEveryRequest_Alerts_SharedAddress_DoesNot()
    {
        using var h = new FraudHarness();
        var records = new List<RequestRecord>();
        for (var i = 0; i < 150; i++)
        {
            records.Add(h.Record(new SimRequest(T0.AddSeconds(i * 2), "34.80.77.10", $"/products/{i}")
            {
                UserAgent = $"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{100 + (i % 30)}.0.{4000 + i}.1 Safari/537.36",
            }));
        }

        // A shared address: 30 people, 5 pages each from their own browser, over 20 popular pages.
        for (var i = 0; i < 150; i++)
        {
            records.Add(h.Record(new SimRequest(T0.AddSeconds(i * 2), "82.20.9.20", $"/products/{i % 20}")
            {
                UserAgent = $"Mozilla/5.0 (Linux; Android 14; Phone{i % 30}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            }));
        }

        records.Sort(static (x, y) => x.Timestamp.CompareTo(y.Timestamp));
        h.Run([.. records]);
        h.FlushAlerts();
        var alerts = h.Alerts.All.Where(static a => a.Rule == ReasonCodes.UaRotation).ToList();
        Assert.Single(alerts.Select(static a => a.Subject).Distinct());
        Assert.Equal(h.Subject(SubjectKind.Ip, "34.80.77.10").ToString(), alerts[0].Subject);
    }

    [Fact]
    public void FakeCrawler_ThatCrawls_IsAVerdict_OneThatDoesNot_OnlyARiskFactor()
    {
        using var h = new FraudHarness();
        var records = new List<RequestRecord>();
        for (var i = 0; i < 40; i++)
        {
            records.Add(h.Record(new SimRequest(T0.AddSeconds(i * 5), "34.91.0.7", $"/products/{i}") { Crawler = CrawlerVerification.Failed }));
        }

        for (var i = 0; i < 5; i++)
        {
            records.Add(h.Record(new SimRequest(T0.AddSeconds(i * 5), "34.91.0.8", $"/products/{i}") { Crawler = CrawlerVerification.Failed }));
        }

        records.Sort(static (x, y) => x.Timestamp.CompareTo(y.Timestamp));
        h.Run([.. records]);
        h.FlushAlerts();
        var alert = Assert.Single(h.Alerts.All.Select(static a => (a.Rule, a.Subject)).Distinct());
        Assert.Equal(ReasonCodes.FakeCrawler, alert.Rule);
        Assert.Equal(h.Subject(SubjectKind.Ip, "34.91.0.7").ToString(), alert.Subject);
        Assert.True(h.Processor.Scores.ValueOf(h.Subject(SubjectKind.Ip, "34.91.0.8"), ReasonCodes.FakeCrawler, T0.AddSeconds(25)) > 0);
    }

    /// <summary>
    /// Two days of a steady site (per minute: 30 requests, 3 logins of which 1 in 15 fails once and succeeds, a sign-up every 5
    /// minutes, a 404 in 50 requests), then <paramref name="evaluation"/> runs on day 3 from 10:00 with the background.
    /// </summary>
    private static List<FraudAlertRow> SiteDay(Action<List<RequestRecord>, FraudHarness, DateTimeOffset>? evaluation, double trafficFactor = 1)
    {
        using var h = new FraudHarness();
        var random = new Random(11);
        var day3 = T0.Date.AddDays(2);
        var start = new DateTimeOffset(T0.Date, TimeSpan.Zero);
        var accounts = 0;
        for (var minute = start; minute < new DateTimeOffset(day3, TimeSpan.Zero).AddHours(11); minute = minute.AddMinutes(1))
        {
            var records = new List<RequestRecord>();
            var factor = minute >= new DateTimeOffset(day3, TimeSpan.Zero).AddHours(10) ? trafficFactor : 1;
            for (var i = 0; i < 30 * factor; i++)
            {
                var at = minute.AddSeconds(random.NextDouble() * 60);
                var ip = $"81.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}";
                records.Add(h.Record(new SimRequest(at, ip, random.Next(50) == 0 ? "/gone" : $"/p/{random.Next(500)}") { Status = random.Next(50) == 0 ? 404 : 200 }));
            }

            for (var i = 0; i < 3 * factor; i++)
            {
                var at = minute.AddSeconds(random.NextDouble() * 50);
                var user = $"user{random.Next(400)}";
                var ip = $"82.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}";
                if (random.Next(15) == 0)
                {
                    records.Add(h.Record(new SimRequest(at, ip, "/login") { Status = 401, Signal = SignalKind.LoginFailed, User = user }));
                    at = at.AddSeconds(8);
                }

                records.Add(h.Record(new SimRequest(at, ip, "/login") { Signal = SignalKind.LoginSucceeded, User = user }));
            }

            if (minute.Minute % 5 == 0)
            {
                for (var i = 0; i < factor; i++)
                {
                    records.Add(h.Record(new SimRequest(minute.AddSeconds(30), "83.1.1." + random.Next(1, 255), "/signup") { Signal = SignalKind.SignUp, User = $"new{accounts++}" }));
                }
            }

            if (minute >= new DateTimeOffset(day3, TimeSpan.Zero).AddHours(10))
            {
                evaluation?.Invoke(records, h, minute);
            }

            records.Sort(static (x, y) => x.Timestamp.CompareTo(y.Timestamp));
            h.Run([.. records]);
        }

        h.FlushAlerts();
        return [.. h.Alerts.All.Where(static a => a.SubjectKind == "site").Select(static a => new FraudAlertRow(a.Rule, a.FirstSeen, a.Evidence.ToDictionary(static e => e.Key, static e => e.Value)))];
    }

    private sealed record FraudAlertRow(string Rule, DateTimeOffset FirstSeen, Dictionary<string, object> Evidence);

    [Fact]
    public void SiteAnomaly_SteadySite_IsSilent()
    {
        Assert.Empty(SiteDay(null));
    }

    [Fact]
    public void SiteAnomaly_LowAndSlowStuffing_AlertsWithObservedAndExpected()
    {
        // Two failed logins a minute for accounts the site never saw, each from a new address: no IP, prefix or AS sees much.
        var alerts = SiteDay((records, h, minute) =>
        {
            for (var i = 0; i < 2; i++)
            {
                records.Add(h.Record(new SimRequest(minute.AddSeconds(10 + (i * 20)), $"90.{minute.Minute}.{i}.{minute.Hour}", "/login") { Status = 401, Signal = SignalKind.LoginFailed, User = $"combo{minute.Ticks}{i}" }));
            }
        });
        var first = alerts.Where(static a => a.Rule == ReasonCodes.SiteUnknownAccountFailures).MinBy(static a => a.FirstSeen);
        Assert.NotNull(first);
        Assert.Contains("observed", first.Evidence.Keys);
        Assert.Contains("expected", first.Evidence.Keys);
        var start = new DateTimeOffset(first.FirstSeen.UtcDateTime.Date, TimeSpan.Zero).AddHours(10);
        Assert.True(first.FirstSeen - start <= TimeSpan.FromMinutes(15), $"detected at {first.FirstSeen:t}");
        Assert.Contains(alerts, static a => a.Rule == ReasonCodes.SiteLoginFailures);
    }

    [Fact]
    public void SiteAnomaly_MarketingSpike_IsSilent()
    {
        Assert.Empty(SiteDay(null, trafficFactor: 3));
    }

    [Fact]
    public void SiteAnomaly_ForcedPasswordReset_IsSilent()
    {
        // Ten known accounts a minute fail once with the old password and log in two minutes later.
        Assert.Empty(SiteDay((records, h, minute) =>
        {
            for (var i = 0; i < 10; i++)
            {
                var user = $"user{((minute.Minute * 10) + i) % 400}";
                var ip = $"82.9.{minute.Minute}.{i + 1}";
                records.Add(h.Record(new SimRequest(minute.AddSeconds(i), ip, "/login") { Status = 401, Signal = SignalKind.LoginFailed, User = user }));
                records.Add(h.Record(new SimRequest(minute.AddSeconds(i + 50), ip, "/login") { Signal = SignalKind.LoginSucceeded, User = user }));
            }
        }));
    }

    [Fact]
    public void Validate_NewDetectorSettings_NamedAsInAppSettings()
    {
        var options = new NumoTelemetryOptions();
        options.Fraud.OtpPumping.PrefixMinRequests = 0;
        options.Fraud.SiteAnomaly.Window = TimeSpan.FromHours(3);
        options.Fraud.UaRotation.MinUserAgentShare = 2;
        options.Fraud.RiskFactors.FakeCrawlerMinPaths = 0;
        var result = new FraudOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        var text = string.Join("\n", result.Failures!);
        Assert.Contains("NumoTelemetry:Fraud:OtpPumping:PrefixMinRequests", text, StringComparison.Ordinal);
        Assert.Contains("NumoTelemetry:Fraud:SiteAnomaly:Window", text, StringComparison.Ordinal);
        Assert.Contains("NumoTelemetry:Fraud:UaRotation:MinUserAgentShare", text, StringComparison.Ordinal);
        Assert.Contains("NumoTelemetry:Fraud:RiskFactors:FakeCrawlerMinPaths", text, StringComparison.Ordinal);
        Assert.True(new FraudOptionsValidator().Validate(null, new NumoTelemetryOptions()).Succeeded);
    }

    [Fact]
    public void SubjectKey_PhonePrefixAndSite_SpellAsAlertsDo()
    {
        Assert.Equal("+4477009", SubjectKey.ForPhonePrefix(4477009).ToString());
        Assert.Equal("site", SubjectKey.Site.ToString());
        Assert.Equal("phone-prefix", SubjectKey.KindName(SubjectKind.PhonePrefix));
        Assert.Equal("site", SubjectKey.KindName(SubjectKind.Site));
        Assert.False(SubjectKey.Site.IsPseudonymous);
        Assert.NotEqual(SubjectKey.ForPhonePrefix(44).Hash64, SubjectKey.ForAsn(44).Hash64);
    }
}
