using System.Text.Json;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;
using NumoTelemetry.RequestLog;

namespace NumoTelemetry.Tests.RequestLog;

/// <summary>
/// The request log's format written independently with <see cref="Utf8JsonWriter"/>, field by field: the oracle the
/// log's one writer (<c>RequestRecordJsonWriter</c>) is compared with over random records.
/// </summary>
internal static class ReferenceRecordJson
{
    // Property names encoded once: a string name is transcoded and checked for escaping on every write.
    private static readonly JsonEncodedText s_ts = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText s_durationMs = JsonEncodedText.Encode("durationMs");
    private static readonly JsonEncodedText s_method = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText s_scheme = JsonEncodedText.Encode("scheme");
    private static readonly JsonEncodedText s_protocol = JsonEncodedText.Encode("protocol");
    private static readonly JsonEncodedText s_route = JsonEncodedText.Encode("route");
    private static readonly JsonEncodedText s_status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText s_requestBytes = JsonEncodedText.Encode("requestBytes");
    private static readonly JsonEncodedText s_responseBytes = JsonEncodedText.Encode("responseBytes");
    private static readonly JsonEncodedText s_ip = JsonEncodedText.Encode("ip");
    private static readonly JsonEncodedText s_ipPrefix = JsonEncodedText.Encode("ipPrefix");
    private static readonly JsonEncodedText s_session = JsonEncodedText.Encode("session");
    private static readonly JsonEncodedText s_visitor = JsonEncodedText.Encode("visitor");
    private static readonly JsonEncodedText s_phone = JsonEncodedText.Encode("phone");
    private static readonly JsonEncodedText s_userAgentId = JsonEncodedText.Encode("userAgentId");
    private static readonly JsonEncodedText s_path = JsonEncodedText.Encode("path");
    private static readonly JsonEncodedText s_user = JsonEncodedText.Encode("user");
    private static readonly JsonEncodedText s_consent = JsonEncodedText.Encode("consent");
    private static readonly JsonEncodedText s_clientIpSource = JsonEncodedText.Encode("clientIpSource");
    private static readonly JsonEncodedText s_forwardedMalformed = JsonEncodedText.Encode("forwardedMalformed");
    private static readonly JsonEncodedText s_ua = JsonEncodedText.Encode("ua");
    private static readonly JsonEncodedText s_browser = JsonEncodedText.Encode("browser");
    private static readonly JsonEncodedText s_browserMajor = JsonEncodedText.Encode("browserMajor");
    private static readonly JsonEncodedText s_os = JsonEncodedText.Encode("os");
    private static readonly JsonEncodedText s_device = JsonEncodedText.Encode("device");
    private static readonly JsonEncodedText s_bot = JsonEncodedText.Encode("bot");
    private static readonly JsonEncodedText s_botName = JsonEncodedText.Encode("botName");
    private static readonly JsonEncodedText s_lang = JsonEncodedText.Encode("lang");
    private static readonly JsonEncodedText s_referrerHost = JsonEncodedText.Encode("referrerHost");
    private static readonly JsonEncodedText s_utmSource = JsonEncodedText.Encode("utmSource");
    private static readonly JsonEncodedText s_utmMedium = JsonEncodedText.Encode("utmMedium");
    private static readonly JsonEncodedText s_utmCampaign = JsonEncodedText.Encode("utmCampaign");
    private static readonly JsonEncodedText s_cookies = JsonEncodedText.Encode("cookies");
    private static readonly JsonEncodedText s_count = JsonEncodedText.Encode("count");
    private static readonly JsonEncodedText s_bytes = JsonEncodedText.Encode("bytes");
    private static readonly JsonEncodedText s_visitorIssued = JsonEncodedText.Encode("visitorIssued");
    private static readonly JsonEncodedText s_geo = JsonEncodedText.Encode("geo");
    private static readonly JsonEncodedText s_country = JsonEncodedText.Encode("country");
    private static readonly JsonEncodedText s_continent = JsonEncodedText.Encode("continent");
    private static readonly JsonEncodedText s_asn = JsonEncodedText.Encode("asn");
    private static readonly JsonEncodedText s_asnOrg = JsonEncodedText.Encode("asnOrg");
    private static readonly JsonEncodedText s_flags = JsonEncodedText.Encode("flags");
    private static readonly JsonEncodedText s_crawler = JsonEncodedText.Encode("crawler");
    private static readonly JsonEncodedText s_networkDomain = JsonEncodedText.Encode("networkDomain");
    private static readonly JsonEncodedText s_risk = JsonEncodedText.Encode("risk");
    private static readonly JsonEncodedText s_score = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText s_band = JsonEncodedText.Encode("band");
    private static readonly JsonEncodedText s_reason = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText s_enforced = JsonEncodedText.Encode("enforced");
    private static readonly JsonEncodedText s_signals = JsonEncodedText.Encode("signals");
    private static readonly JsonEncodedText s_kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText s_email = JsonEncodedText.Encode("email");
    private static readonly JsonEncodedText s_name = JsonEncodedText.Encode("name");

    /// <summary>Writes <paramref name="record"/> as one JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, in RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString(s_ts, record.Timestamp.UtcDateTime);
        writer.WriteNumber(s_durationMs, Math.Round(record.Duration.TotalMilliseconds, 3));
        writer.WriteString(s_method, record.Method);
        writer.WriteString(s_scheme, record.Scheme);
        writer.WriteString(s_protocol, record.Protocol);
        writer.WriteString(s_route, record.Route);
        writer.WriteNumber(s_status, record.StatusCode);
        WriteNumber(writer, s_requestBytes, record.RequestContentLength);
        WriteNumber(writer, s_responseBytes, record.ResponseContentLength);
        WritePseudonym(writer, s_ip, record.Ip);
        WritePseudonym(writer, s_ipPrefix, record.IpPrefix);
        WritePseudonym(writer, s_session, record.Session);
        WritePseudonym(writer, s_visitor, record.Visitor);
        WritePseudonym(writer, s_phone, record.Phone);
        WritePseudonym(writer, s_userAgentId, record.UserAgentId);
        WritePseudonym(writer, s_path, record.Path);
        WritePseudonym(writer, s_user, record.User);
        writer.WriteString(s_consent, NumoTelemetryMetrics.ConsentTag(record.Consent));
        writer.WriteString(s_clientIpSource, record.ClientIpSource switch
        {
            ClientIpSource.Peer => "peer",
            ClientIpSource.Forwarded => "forwarded",
            ClientIpSource.XForwardedFor => "x-forwarded-for",
            _ => "none",
        });
        if (record.ForwardedChainMalformed)
        {
            writer.WriteBoolean(s_forwardedMalformed, true);
        }

        var ua = record.UserAgent;
        if (ua is not null)
        {
            writer.WriteStartObject(s_ua);
            writer.WriteString(s_browser, ua.Browser.Family);
            writer.WriteString(s_browserMajor, ua.Browser.Major);
            writer.WriteString(s_os, ua.Os.Family);
            writer.WriteString(s_device, ua.DeviceType);
            writer.WriteBoolean(s_bot, ua.Bot.IsBot);
            if (ua.Bot.Name is { } botName)
            {
                writer.WriteString(s_botName, botName);
            }

            writer.WriteEndObject();
        }

        WriteString(writer, s_lang, record.Language);
        WriteString(writer, s_referrerHost, record.ReferrerHost);
        WriteString(writer, s_utmSource, record.UtmSource);
        WriteString(writer, s_utmMedium, record.UtmMedium);
        WriteString(writer, s_utmCampaign, record.UtmCampaign);
        writer.WriteStartObject(s_cookies);
        writer.WriteNumber(s_count, record.CookieCount);
        writer.WriteNumber(s_bytes, record.CookieBytes);
        writer.WriteBoolean(s_session, record.HasSessionCookie);
        writer.WriteBoolean(s_visitor, record.HasVisitorCookie);
        writer.WriteBoolean(s_visitorIssued, record.VisitorCookieIssued);
        writer.WriteEndObject();
        if (record.Geo is { } geo)
        {
            writer.WriteStartObject(s_geo);
            WriteString(writer, s_country, geo.CountryIsoCode);
            WriteString(writer, s_continent, geo.ContinentCode);
            WriteNumber(writer, s_asn, geo.Asn);
            WriteString(writer, s_asnOrg, geo.AsnOrganization);
            if (geo.Flags != NetworkFlags.None)
            {
                writer.WriteString(s_flags, FlagsText(geo.Flags));
            }

            writer.WriteEndObject();
        }

        if (record.Crawler != CrawlerVerification.NotClaimed)
        {
            writer.WriteString(s_crawler, CrawlerText(record.Crawler));
        }

        WriteString(writer, s_networkDomain, record.NetworkDomain);
        if (record.Risk.HasRisk)
        {
            writer.WriteStartObject(s_risk);
            writer.WriteNumber(s_score, Math.Round(record.Risk.Score, 2));
            writer.WriteString(s_band, BandText(record.Risk.Band));
            WriteString(writer, s_reason, record.Risk.TopReason);
            writer.WriteEndObject();
        }

        if (record.Enforced)
        {
            writer.WriteBoolean(s_enforced, true);
        }

        if (record.SignalCount > 0)
        {
            writer.WriteStartArray(s_signals);
            foreach (var signal in record.Signals)
            {
                writer.WriteStartObject();
                writer.WriteString(s_kind, NumoTelemetryMetrics.SignalTag(signal.Kind));
                WritePseudonym(writer, s_user, signal.User);
                WritePseudonym(writer, s_email, signal.Email);
                WriteString(writer, s_name, signal.Name);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    // Enum names as shared strings: Enum.ToString() and ToLowerInvariant() allocate on every record that has them.
    private static readonly string[] s_bandNames = ["none", "watch", "alert", "page"];
    private static readonly string[] s_crawlerNames = ["notclaimed", "pending", "verified", "failed", "unknown"];
    private static readonly string?[] s_flagNames = new string?[1 << 7];

    private static string BandText(RiskBand band) => (uint)band < (uint)s_bandNames.Length ? s_bandNames[(int)band] : band.ToString().ToLowerInvariant();

    private static string CrawlerText(CrawlerVerification verdict) =>
        (uint)verdict < (uint)s_crawlerNames.Length ? s_crawlerNames[(int)verdict] : verdict.ToString().ToLowerInvariant();

    private static string FlagsText(NetworkFlags flags)
    {
        var i = (int)flags;
        if ((uint)i >= (uint)s_flagNames.Length)
        {
            return flags.ToString();
        }

        // Benign race: two threads may both format a combination once; either string is correct.
        return s_flagNames[i] ??= flags.ToString();
    }

    private static void WritePseudonym(Utf8JsonWriter writer, JsonEncodedText name, Pseudonym value)
    {
        if (value.IsEmpty)
        {
            return;
        }

        Span<char> buffer = stackalloc char[Pseudonym.MaxTextLength];
        if (value.TryFormat(buffer, out var written))
        {
            writer.WriteString(name, buffer[..written]);
        }
    }

    private static void WriteString(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, JsonEncodedText name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }
}
