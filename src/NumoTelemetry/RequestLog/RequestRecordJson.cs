using System.Text.Json;
using NumoTelemetry.Capture;
using NumoTelemetry.Enrichment;
using NumoTelemetry.Fraud;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// The JSON form of a record in the request log. Only pseudonyms and low-cardinality facts; the daily
/// analytics visitor is deliberately left out, so the log cannot link analytics days to fraud pseudonyms.
/// </summary>
public static class RequestRecordJson
{
    /// <summary>Writes <paramref name="record"/> as one JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, in RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("ts", record.Timestamp.UtcDateTime);
        writer.WriteNumber("durationMs", Math.Round(record.Duration.TotalMilliseconds, 3));
        writer.WriteString("method", record.Method);
        writer.WriteString("scheme", record.Scheme);
        writer.WriteString("protocol", record.Protocol);
        writer.WriteString("route", record.Route);
        writer.WriteNumber("status", record.StatusCode);
        WriteNumber(writer, "requestBytes", record.RequestContentLength);
        WriteNumber(writer, "responseBytes", record.ResponseContentLength);
        WritePseudonym(writer, "ip", record.Ip);
        WritePseudonym(writer, "ipPrefix", record.IpPrefix);
        WritePseudonym(writer, "session", record.Session);
        WritePseudonym(writer, "visitor", record.Visitor);
        WritePseudonym(writer, "phone", record.Phone);
        WritePseudonym(writer, "userAgentId", record.UserAgentId);
        WritePseudonym(writer, "path", record.Path);
        WritePseudonym(writer, "user", record.User);
        writer.WriteString("consent", NumoTelemetryMetrics.ConsentTag(record.Consent));
        writer.WriteString("clientIpSource", record.ClientIpSource switch
        {
            ClientIpSource.Peer => "peer",
            ClientIpSource.Forwarded => "forwarded",
            ClientIpSource.XForwardedFor => "x-forwarded-for",
            _ => "none",
        });
        if (record.ForwardedChainMalformed)
        {
            writer.WriteBoolean("forwardedMalformed", true);
        }

        var ua = record.UserAgent;
        if (ua is not null)
        {
            writer.WriteStartObject("ua");
            writer.WriteString("browser", ua.Browser.Family);
            writer.WriteString("browserMajor", ua.Browser.Major);
            writer.WriteString("os", ua.Os.Family);
            writer.WriteString("device", ua.DeviceType);
            writer.WriteBoolean("bot", ua.Bot.IsBot);
            if (ua.Bot.Name is { } botName)
            {
                writer.WriteString("botName", botName);
            }

            writer.WriteEndObject();
        }

        WriteString(writer, "lang", record.Language);
        WriteString(writer, "referrerHost", record.ReferrerHost);
        WriteString(writer, "utmSource", record.UtmSource);
        WriteString(writer, "utmMedium", record.UtmMedium);
        WriteString(writer, "utmCampaign", record.UtmCampaign);
        writer.WriteStartObject("cookies");
        writer.WriteNumber("count", record.CookieCount);
        writer.WriteNumber("bytes", record.CookieBytes);
        writer.WriteBoolean("session", record.HasSessionCookie);
        writer.WriteBoolean("visitor", record.HasVisitorCookie);
        writer.WriteBoolean("visitorIssued", record.VisitorCookieIssued);
        writer.WriteEndObject();
        if (record.Geo is { } geo)
        {
            writer.WriteStartObject("geo");
            WriteString(writer, "country", geo.CountryIsoCode);
            WriteString(writer, "continent", geo.ContinentCode);
            WriteNumber(writer, "asn", geo.Asn);
            WriteString(writer, "asnOrg", geo.AsnOrganization);
            if (geo.Flags != NetworkFlags.None)
            {
                writer.WriteString("flags", FlagsText(geo.Flags));
            }

            writer.WriteEndObject();
        }

        if (record.Crawler != CrawlerVerification.NotClaimed)
        {
            writer.WriteString("crawler", CrawlerText(record.Crawler));
        }

        WriteString(writer, "networkDomain", record.NetworkDomain);
        if (record.Risk.HasRisk)
        {
            writer.WriteStartObject("risk");
            writer.WriteNumber("score", Math.Round(record.Risk.Score, 2));
            writer.WriteString("band", BandText(record.Risk.Band));
            WriteString(writer, "reason", record.Risk.TopReason);
            writer.WriteEndObject();
        }

        if (record.Enforced)
        {
            writer.WriteBoolean("enforced", true);
        }

        if (record.SignalCount > 0)
        {
            writer.WriteStartArray("signals");
            foreach (var signal in record.Signals)
            {
                writer.WriteStartObject();
                writer.WriteString("kind", NumoTelemetryMetrics.SignalTag(signal.Kind));
                WritePseudonym(writer, "user", signal.User);
                WritePseudonym(writer, "email", signal.Email);
                WriteString(writer, "name", signal.Name);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    // Enum names as shared strings: Enum.ToString() and ToLowerInvariant() allocate on every record that has them.
    private static readonly string[] s_bands = ["none", "watch", "alert", "page"];
    private static readonly string[] s_crawler = ["notclaimed", "pending", "verified", "failed", "unknown"];
    private static readonly string?[] s_flags = new string?[1 << 7];

    private static string BandText(RiskBand band) => (uint)band < (uint)s_bands.Length ? s_bands[(int)band] : band.ToString().ToLowerInvariant();

    private static string CrawlerText(CrawlerVerification verdict) =>
        (uint)verdict < (uint)s_crawler.Length ? s_crawler[(int)verdict] : verdict.ToString().ToLowerInvariant();

    private static string FlagsText(NetworkFlags flags)
    {
        var i = (int)flags;
        if ((uint)i >= (uint)s_flags.Length)
        {
            return flags.ToString();
        }

        // Benign race: two threads may both format a combination once; either string is correct.
        return s_flags[i] ??= flags.ToString();
    }

    private static void WritePseudonym(Utf8JsonWriter writer, string name, Pseudonym value)
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

    private static void WriteString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }
}
