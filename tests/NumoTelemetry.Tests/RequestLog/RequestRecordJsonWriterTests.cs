using System.Buffers;
using System.Text;
using System.Text.Json;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.RequestLog;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Tests.RequestLog;

/// <summary>The request log's one writer must write exactly what an independent <see cref="Utf8JsonWriter"/> rendering (<see cref="ReferenceRecordJson"/>) writes.</summary>
public class RequestRecordJsonWriterTests
{
    private static readonly string?[] s_strings =
    [
        null, "", "GET", "https", "HTTP/2", "/products/{id:int}", "(unmatched)", "Chrome", "Mobile Safari", "en", "www.example.org",
        "spring sale", "café", "/caf\u00e9/{slug}", "a\"quote", "back\\slash", "<script>&'+`", "tab\there", "line\nbreak", "\u0001ctl",
        "日本語", "emoji 😀", "a<b", "a>b", "a&b", "a'b", "a+b", "a`b", "del\u007f", new string('x', 300), new string('é', 40), "plain-but-long-" + new string('y', 250),
    ];

    [Fact]
    public void Write_RandomRecords_SameBytesAsTheGeneralWriter()
    {
        using var p = TestKeys.Pseudonymizer();
        var random = new Random(20261201);
        using var fast = new RequestRecordJsonWriter();
        var expected = new ArrayBufferWriter<byte>();
        var actual = new ArrayBufferWriter<byte>();
        using var general = new Utf8JsonWriter(expected, new JsonWriterOptions { SkipValidation = true });
        for (var i = 0; i < 3000; i++)
        {
            var record = RandomRecord(random, p);
            expected.ResetWrittenCount();
            general.Reset(expected);
            ReferenceRecordJson.Write(general, record);
            general.Flush();

            actual.ResetWrittenCount();
            fast.Write(actual, record);
            Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), Encoding.UTF8.GetString(actual.WrittenSpan));
        }
    }

    [Theory]
    [InlineData("2026-12-01T07:16:20.0000000Z")]
    [InlineData("2026-12-01T07:16:20.1000000Z")]
    [InlineData("2026-12-01T07:16:20.1234567Z")]
    [InlineData("2026-12-01T07:16:20.0000001Z")]
    [InlineData("0001-01-01T00:00:00.0000000Z")]
    public void Write_Timestamps_TrimmedAsTheGeneralWriterDoes(string timestamp)
    {
        var record = new RequestRecord { Timestamp = DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), Method = "GET", Scheme = "http", Protocol = "HTTP/1.1", Route = "/" };
        var expected = new ArrayBufferWriter<byte>();
        using (var general = new Utf8JsonWriter(expected, new JsonWriterOptions { SkipValidation = true }))
        {
            ReferenceRecordJson.Write(general, record);
        }

        var actual = new ArrayBufferWriter<byte>();
        using var fast = new RequestRecordJsonWriter();
        fast.Write(actual, record);
        Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), Encoding.UTF8.GetString(actual.WrittenSpan));
    }

    [Fact]
    public void Write_SmallSpans_StillComplete()
    {
        // An output that hands out small spans: every write must ask for what it needs.
        using var p = TestKeys.Pseudonymizer();
        var random = new Random(7);
        using var fast = new RequestRecordJsonWriter();
        for (var i = 0; i < 200; i++)
        {
            var record = RandomRecord(random, p);
            var expected = new ArrayBufferWriter<byte>();
            using (var general = new Utf8JsonWriter(expected, new JsonWriterOptions { SkipValidation = true }))
            {
                ReferenceRecordJson.Write(general, record);
            }

            var actual = new StingyBufferWriter();
            fast.Write(actual, record);
            Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), Encoding.UTF8.GetString(actual.Written));
        }
    }

    private static RequestRecord RandomRecord(Random random, Pseudonymizer p)
    {
        var now = DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(0, DateTimeOffset.UtcNow.Ticks - DateTimeOffset.UnixEpoch.Ticks));
        if (random.Next(4) == 0)
        {
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)); // whole seconds: no fraction at all
        }

        string? Str() => s_strings[random.Next(s_strings.Length)];
        Pseudonym Pseudo(PseudonymKind kind) => random.Next(3) == 0 ? default : p.Pseudonymize(kind, "v" + random.Next(1000), now);
        var record = new RequestRecord
        {
            Timestamp = now,
            Duration = TimeSpan.FromTicks(random.NextInt64(0, TimeSpan.TicksPerSecond * 100)),
            Method = Str()!,
            Scheme = Str()!,
            Protocol = Str()!,
            Route = Str()!,
            StatusCode = random.Next(100, 600),
            RequestContentLength = random.Next(2) == 0 ? null : random.NextInt64(0, long.MaxValue),
            ResponseContentLength = random.Next(2) == 0 ? null : random.Next(),
            Ip = Pseudo(PseudonymKind.Ip),
            IpPrefix = Pseudo(PseudonymKind.IpPrefix),
            Session = Pseudo(PseudonymKind.Session),
            Visitor = Pseudo(PseudonymKind.Visitor),
            Phone = Pseudo(PseudonymKind.Phone),
            UserAgentId = Pseudo(PseudonymKind.UserAgent),
            Path = Pseudo(PseudonymKind.Path),
            Consent = (ConsentLevel)random.Next(0, 4),
            ClientIpSource = (ClientIpSource)random.Next(0, 5),
            ForwardedChainMalformed = random.Next(2) == 0,
            Language = Str(),
            ReferrerHost = Str(),
            UtmSource = Str(),
            UtmMedium = Str(),
            UtmCampaign = Str(),
            CookieCount = random.Next(0, 50),
            CookieBytes = random.Next(0, 8000),
            HasSessionCookie = random.Next(2) == 0,
            HasVisitorCookie = random.Next(2) == 0,
            VisitorCookieIssued = random.Next(2) == 0,
            Crawler = (CrawlerVerification)random.Next(0, 6),
            NetworkDomain = Str(),
            Enforced = random.Next(2) == 0,
        };
        if (random.Next(4) != 0)
        {
            record.UserAgent = new UserAgentInfo(
                new VersionedFamily(Str() ?? "Other", Str(), null, null, null),
                new VersionedFamily(Str() ?? "Other", null, null, null, null),
                new DeviceInfo("Other", null, null),
                new BotInfo((BotKind)random.Next(0, 2), Str()),
                Str() ?? "other");
        }

        if (random.Next(2) == 0)
        {
            record.Geo = new GeoFacts
            {
                CountryIsoCode = Str(),
                ContinentCode = Str(),
                Asn = random.Next(3) == 0 ? null : random.Next(1, 400000),
                AsnOrganization = Str(),
                Flags = (NetworkFlags)random.Next(0, 1 << 6),
            };
        }

        if (random.Next(2) == 0)
        {
            record.Risk = new NumoRisk(random.NextDouble() * 150, (RiskBand)random.Next(0, 5), Str());
        }

        for (var n = random.Next(0, 6); n > 0; n--)
        {
            record.AddSignal(new AppSignal((SignalKind)random.Next(0, 8), Pseudo(PseudonymKind.User), Pseudo(PseudonymKind.Email), Str()));
        }

        return record;
    }

    private sealed class StingyBufferWriter : IBufferWriter<byte>
    {
        private byte[] _buffer = new byte[64];
        private int _written;

        public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _written);

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Grow(sizeHint);
            return _buffer.AsMemory(_written, Math.Max(1, sizeHint));
        }

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        private void Grow(int sizeHint)
        {
            var needed = _written + Math.Max(1, sizeHint);
            if (needed > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
            }
        }
    }
}
