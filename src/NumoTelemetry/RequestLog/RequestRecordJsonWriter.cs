using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// The one writer of the request log's JSON (<see cref="RequestRecordJson"/> wraps it for a <see cref="Utf8JsonWriter"/>;
/// a test compares it with an independent <see cref="Utf8JsonWriter"/> rendering over random records), written straight into the output with pre-encoded property names, strings that need no
/// escaping copied as they are, and pseudonyms formatted as UTF-8; about a quarter of a <see cref="Utf8JsonWriter"/>'s cost per
/// record. A string that needs escaping goes through a <see cref="Utf8JsonWriter"/>, so escaping is exactly the same.
/// One instance per writing thread.
/// </summary>
internal sealed class RequestRecordJsonWriter : IDisposable
{
    // Characters Utf8JsonWriter's default encoder leaves as they are: printable ASCII except " \ < > & ' + and `.
    private static readonly SearchValues<char> s_plain = SearchValues.Create(
        " !#$%()*,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~");

    private const int TextSlots = 4096; // recent pseudonyms' text: a session's IP, prefix, User-Agent, session and visitor repeat
    private const int TextSize = 32;

    private readonly Utf8JsonWriter _escaper = new(Stream.Null, new JsonWriterOptions { SkipValidation = true });
    private readonly Pseudonym[] _textKeys = new Pseudonym[TextSlots];
    private readonly byte[] _texts = new byte[TextSlots * TextSize]; // length byte, then the text

    /// <summary>Writes <paramref name="record"/> as one JSON object (no line break).</summary>
    // Long because: one log line: each field written in the format's fixed order.
    public void Write(IBufferWriter<byte> output, in RequestRecord record)
    {
        var w = new Sink(output, _escaper, this);
        w.Raw("{\"ts\":"u8);
        w.Timestamp(record.Timestamp.UtcDateTime);
        w.Raw(",\"durationMs\":"u8);
        w.Decimal(Math.Round(record.Duration.TotalMilliseconds, 3), 3);
        w.Raw(",\"method\":"u8);
        w.StringOrNull(record.Method);
        w.Raw(",\"scheme\":"u8);
        w.StringOrNull(record.Scheme);
        w.Raw(",\"protocol\":"u8);
        w.StringOrNull(record.Protocol);
        w.Raw(",\"route\":"u8);
        w.StringOrNull(record.Route);
        w.Raw(",\"status\":"u8);
        w.Integer(record.StatusCode);
        w.Integer(",\"requestBytes\":"u8, record.RequestContentLength);
        w.Integer(",\"responseBytes\":"u8, record.ResponseContentLength);
        w.Pseudonym(",\"ip\":"u8, record.Ip);
        w.Pseudonym(",\"ipPrefix\":"u8, record.IpPrefix);
        w.Pseudonym(",\"session\":"u8, record.Session);
        w.Pseudonym(",\"visitor\":"u8, record.Visitor);
        w.Pseudonym(",\"phone\":"u8, record.Phone);
        w.Pseudonym(",\"userAgentId\":"u8, record.UserAgentId);
        w.Pseudonym(",\"path\":"u8, record.Path);
        w.Pseudonym(",\"user\":"u8, record.User);
        w.Raw(",\"consent\":"u8);
        w.StringOrNull(NumoTelemetryMetrics.ConsentTag(record.Consent));
        w.Raw(record.ClientIpSource switch
        {
            ClientIpSource.Peer => ",\"clientIpSource\":\"peer\""u8,
            ClientIpSource.Forwarded => ",\"clientIpSource\":\"forwarded\""u8,
            ClientIpSource.XForwardedFor => ",\"clientIpSource\":\"x-forwarded-for\""u8,
            _ => ",\"clientIpSource\":\"none\""u8,
        });
        if (record.ForwardedChainMalformed)
        {
            w.Raw(",\"forwardedMalformed\":true"u8);
        }

        if (record.UserAgent is { } ua)
        {
            w.Raw(",\"ua\":{\"browser\":"u8);
            w.StringOrNull(ua.Browser.Family);
            w.Raw(",\"browserMajor\":"u8);
            w.StringOrNull(ua.Browser.Major);
            w.Raw(",\"os\":"u8);
            w.StringOrNull(ua.Os.Family);
            w.Raw(",\"device\":"u8);
            w.StringOrNull(ua.DeviceType);
            w.Raw(ua.Bot.IsBot ? ",\"bot\":true"u8 : ",\"bot\":false"u8);
            w.String(",\"botName\":"u8, ua.Bot.Name);
            w.Raw("}"u8);
        }

        w.String(",\"lang\":"u8, record.Language);
        w.String(",\"referrerHost\":"u8, record.ReferrerHost);
        w.String(",\"utmSource\":"u8, record.UtmSource);
        w.String(",\"utmMedium\":"u8, record.UtmMedium);
        w.String(",\"utmCampaign\":"u8, record.UtmCampaign);
        w.Raw(",\"cookies\":{\"count\":"u8);
        w.Integer(record.CookieCount);
        w.Raw(",\"bytes\":"u8);
        w.Integer(record.CookieBytes);
        w.Raw(record.HasSessionCookie ? ",\"session\":true"u8 : ",\"session\":false"u8);
        w.Raw(record.HasVisitorCookie ? ",\"visitor\":true"u8 : ",\"visitor\":false"u8);
        w.Raw(record.VisitorCookieIssued ? ",\"visitorIssued\":true}"u8 : ",\"visitorIssued\":false}"u8);
        if (record.Geo is { } geo)
        {
            // Every property here is optional: the first one written has no comma before it.
            w.Raw(",\"geo\":{"u8);
            var first = true;
            w.String(",\"country\":"u8, geo.CountryIsoCode, ref first);
            w.String(",\"continent\":"u8, geo.ContinentCode, ref first);
            if (geo.Asn is { } asn)
            {
                w.Raw(first ? "\"asn\":"u8 : ",\"asn\":"u8);
                w.Integer(asn);
                first = false;
            }

            w.String(",\"asnOrg\":"u8, geo.AsnOrganization, ref first);
            if (geo.Flags != NetworkFlags.None)
            {
                w.String(",\"flags\":"u8, FlagsText(geo.Flags), ref first);
            }

            w.Raw("}"u8);
        }

        if (record.Crawler != CrawlerVerification.NotClaimed)
        {
            w.String(",\"crawler\":"u8, CrawlerText(record.Crawler));
        }

        w.String(",\"networkDomain\":"u8, record.NetworkDomain);
        if (record.Risk.HasRisk)
        {
            w.Raw(",\"risk\":{\"score\":"u8);
            w.Decimal(Math.Round(record.Risk.Score, 2), 2);
            w.String(",\"band\":"u8, BandText(record.Risk.Band));
            w.String(",\"reason\":"u8, record.Risk.TopReason);
            w.Raw("}"u8);
        }

        if (record.Enforced)
        {
            w.Raw(",\"enforced\":true"u8);
        }

        if (record.SignalCount > 0)
        {
            w.Raw(",\"signals\":["u8);
            var comma = false;
            foreach (var signal in record.Signals)
            {
                w.Raw(comma ? ",{\"kind\":"u8 : "{\"kind\":"u8);
                comma = true;
                w.StringOrNull(NumoTelemetryMetrics.SignalTag(signal.Kind));
                w.Pseudonym(",\"user\":"u8, signal.User);
                w.Pseudonym(",\"email\":"u8, signal.Email);
                w.String(",\"name\":"u8, signal.Name);
                w.Raw("}"u8);
            }

            w.Raw("]"u8);
        }

        w.Raw("}"u8);
        w.Commit();
    }

    public void Dispose() => _escaper.Dispose();

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

    /// <summary>The UTF-8 text of <paramref name="value"/> from a direct-mapped cache (formatting it is most of a record's cost).</summary>
    private ReadOnlySpan<byte> TextOf(Pseudonym value)
    {
        var slot = (value.GetHashCode() & int.MaxValue) & (TextSlots - 1);
        var text = _texts.AsSpan(slot * TextSize, TextSize);
        if (_textKeys[slot] != value || text[0] == 0)
        {
            if (!value.TryFormatUtf8(text[1..], out var written))
            {
                return default;
            }

            text[0] = (byte)written;
            _textKeys[slot] = value;
        }

        return text.Slice(1, text[0]);
    }

    private ref struct Sink(IBufferWriter<byte> output, Utf8JsonWriter escaper, RequestRecordJsonWriter owner)
    {
        private Span<byte> _span;
        private int _pos;

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(_span[_pos..]);
            _pos += bytes.Length;
        }

        public void StringOrNull(string? value)
        {
            if (value is null)
            {
                Raw("null"u8);
            }
            else
            {
                StringValue(value);
            }
        }

        public void String(ReadOnlySpan<byte> name, string? value)
        {
            if (value is not null)
            {
                Raw(name);
                StringValue(value);
            }
        }

        /// <summary>An optional property of an object whose properties are all optional; <paramref name="nameWithComma"/> starts with the comma.</summary>
        public void String(ReadOnlySpan<byte> nameWithComma, string? value, ref bool first)
        {
            if (value is not null)
            {
                Raw(first ? nameWithComma[1..] : nameWithComma);
                StringValue(value);
                first = false;
            }
        }

        public void Integer(long value)
        {
            Ensure(20);
            Utf8Formatter.TryFormat(value, _span[_pos..], out var written);
            _pos += written;
        }

        public void Integer(ReadOnlySpan<byte> name, long? value)
        {
            if (value is { } v)
            {
                Raw(name);
                Integer(v);
            }
        }

        /// <summary>
        /// A value already rounded to <paramref name="digits"/> decimals, as the shortest round-trip form writes it: the
        /// integer part, then the fraction without trailing zeros (general formatting for negative values and from 10⁹).
        /// </summary>
        public void Decimal(double value, int digits)
        {
            Ensure(32);
            var scale = digits == 3 ? 1000L : digits == 2 ? 100L : 0;
            if (scale == 0 || !(value >= 0 && value < 1e9))
            {
                Utf8Formatter.TryFormat(value, _span[_pos..], out var general);
                _pos += general;
                return;
            }

            var scaled = (long)Math.Round(value * scale);
            Utf8Formatter.TryFormat(scaled / scale, _span[_pos..], out var written);
            _pos += written;
            var fraction = scaled % scale;
            if (fraction != 0)
            {
                _span[_pos++] = (byte)'.';
                for (var unit = scale / 10; fraction != 0; unit /= 10)
                {
                    _span[_pos++] = (byte)('0' + (fraction / unit));
                    fraction %= unit;
                }
            }
        }

        public void Pseudonym(ReadOnlySpan<byte> name, Pseudonym value)
        {
            if (value.IsEmpty)
            {
                return;
            }

            Raw(name);
            var text = owner.TextOf(value);
            Ensure(text.Length + 2);
            _span[_pos] = (byte)'"';
            text.CopyTo(_span[(_pos + 1)..]);
            _span[_pos + 1 + text.Length] = (byte)'"';
            _pos += text.Length + 2;
        }

        /// <summary>As Utf8JsonWriter writes a UTC <see cref="DateTime"/>: round-trip format, trailing zeros of the fraction cut.</summary>
        public void Timestamp(DateTime value)
        {
            Ensure(40);
            var span = _span[_pos..];
            span[0] = (byte)'"';
            Utf8Formatter.TryFormat(value, span[1..], out var written, new StandardFormat('O'));
            var end = 1 + written; // after the last character
            var dot = span[1..end].IndexOf((byte)'.');
            if (dot >= 0)
            {
                dot++;
                var zoneStart = dot + 1;
                while (zoneStart < end && span[zoneStart] is >= (byte)'0' and <= (byte)'9')
                {
                    zoneStart++;
                }

                var lastDigit = zoneStart;
                while (lastDigit > dot + 1 && span[lastDigit - 1] == (byte)'0')
                {
                    lastDigit--;
                }

                var keep = lastDigit == dot + 1 ? dot : lastDigit; // no digits left: drop the dot too
                span[zoneStart..end].CopyTo(span[keep..]);
                end = keep + (end - zoneStart);
            }

            span[end] = (byte)'"';
            _pos += end + 1;
        }

        private void StringValue(string value)
        {
            if (value.Length <= 256 && value.AsSpan().IndexOfAnyExcept(s_plain) < 0)
            {
                Ensure(value.Length + 2);
                _span[_pos] = (byte)'"';
                var written = Encoding.ASCII.GetBytes(value, _span[(_pos + 1)..]);
                _span[_pos + 1 + written] = (byte)'"';
                _pos += written + 2;
                return;
            }

            // Escaping needed: exactly as the general writer does it.
            Commit();
            escaper.Reset(output);
            escaper.WriteStringValue(value);
            escaper.Flush();
        }

        /// <summary>Hands what was written to the output.</summary>
        public void Commit()
        {
            if (_pos > 0)
            {
                output.Advance(_pos);
            }

            _span = default;
            _pos = 0;
        }

        private void Ensure(int bytes)
        {
            if (_span.Length - _pos < bytes)
            {
                Commit();
                _span = output.GetSpan(Math.Max(bytes, 1024));
            }
        }
    }
}
