using System.Security.Cryptography;
using System.Text;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Dashboard.Tests.Infrastructure;

/// <summary>Builds pseudonymised records as the capture middleware would (pseudonyms from hashed test ids).</summary>
internal static class TestRecords
{
    private static readonly Dictionary<string, GeoFacts> s_geo = [];

    public static Pseudonym Pseudonym(PseudonymKind kind, PseudonymScope scope, string id) =>
        NumoTelemetry.Records.Pseudonym.FromHash(kind, scope, 1, SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}:{scope}:{id}")));

    public static UserAgentInfo Agent(string browser = "Chrome", string os = "Windows", string device = DeviceTypes.Desktop, bool bot = false) =>
        new(new VersionedFamily(browser, "1", null, null, null), new VersionedFamily(os, null, null, null, null), DeviceInfo.Other,
            bot ? new BotInfo(BotKind.Crawler, "Testbot") : BotInfo.NotABot, bot ? DeviceTypes.Bot : device);

    public static GeoFacts Geo(string country)
    {
        lock (s_geo)
        {
            if (!s_geo.TryGetValue(country, out var geo))
            {
                geo = new GeoFacts { CountryIsoCode = country };
                s_geo[country] = geo;
            }

            return geo;
        }
    }

    /// <summary>A page view (GET 200) by analytics visitor <paramref name="visitor"/>.</summary>
    public static RequestRecord View(
        DateTimeOffset time,
        string visitor,
        string route = "/",
        string country = "DE",
        string browser = "Chrome",
        string device = DeviceTypes.Desktop,
        string? session = null,
        ConsentLevel consent = ConsentLevel.AnalyticsWithoutCookies,
        string? referrer = null,
        string? campaign = null,
        int status = 200,
        string method = "GET",
        bool bot = false,
        NumoRisk risk = default)
    {
        var record = new RequestRecord
        {
            Timestamp = time,
            Duration = TimeSpan.FromMilliseconds(12),
            Method = method,
            Scheme = "https",
            Protocol = "HTTP/1.1",
            Route = route,
            StatusCode = status,
            UserAgent = Agent(browser, device: device, bot: bot),
            Ip = Pseudonym(PseudonymKind.Ip, PseudonymScope.Fraud, visitor),
            Consent = consent,
            Geo = Geo(country),
            ReferrerHost = referrer,
            UtmCampaign = campaign,
            Language = "en",
            Risk = risk,
        };
        if (consent != ConsentLevel.FraudPreventionOnly)
        {
            record.AnalyticsVisitor = Pseudonym(PseudonymKind.Visitor, PseudonymScope.Analytics, visitor);
        }

        if (session is not null)
        {
            record.Session = Pseudonym(PseudonymKind.Session, PseudonymScope.Fraud, session);
        }

        return record;
    }
}
