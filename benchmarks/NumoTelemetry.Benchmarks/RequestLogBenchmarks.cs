using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.RequestLog;
using NumoTelemetry.Tests.RequestLog;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// One request-log line: the same bytes written field by field with a <see cref="Utf8JsonWriter"/> (the tests' oracle,
/// <c>ReferenceRecordJson</c>) against the request log's own writer straight into its buffer, over 256 records of 32
/// visitors browsing 64 pages (so pseudonyms repeat as they do in real traffic, but not all of them).
/// </summary>
[MemoryDiagnoser]
public class RequestLogBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private RequestRecord[] _records = null!;
    private Utf8JsonWriter _general = null!;
    private RequestRecordJsonWriter _fast = null!;
    private int _next;

    /// <summary>
    /// <c>one</c>: 256 records of 32 visitors (pseudonyms repeat); <c>many</c>: 65,536 records of as many visitors (own
    /// address, session and visitor), so nothing repeats but the browser and the page, as with many clients.
    /// </summary>
    [Params("one", "many")]
    public string Traffic { get; set; } = "one";

    [GlobalSetup]
    public void Setup()
    {
        using var services = new ServiceCollection().AddBenchmarkNumoTelemetry(KeyRing.GenerateKey()).BuildServiceProvider();
        var p = services.GetRequiredService<Pseudonymizer>();
        var ua = services.GetRequiredService<IUserAgentParser>().Parse("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36");
        var now = DateTimeOffset.UtcNow;
        _records = new RequestRecord[Traffic == "many" ? 65_536 : 256];
        for (var i = 0; i < _records.Length; i++)
        {
            var visitor = Traffic == "many" ? i : i % 32;
            _records[i] = new RequestRecord
            {
                Timestamp = now.AddMilliseconds(i * 37.3),
                Duration = TimeSpan.FromTicks(10_000 + (i * 7919 % 300_000)),
                Method = "GET",
                Scheme = "https",
                Protocol = "HTTP/2",
                Route = "/products/{id:int}",
                StatusCode = 200,
                ResponseContentLength = 5_000 + i,
                Ip = p.Pseudonymize(PseudonymKind.Ip, $"10.{visitor >> 16}.{(visitor >> 8) & 0xFF}.{visitor & 0xFF}", now),
                IpPrefix = p.Pseudonymize(PseudonymKind.IpPrefix, $"10.{visitor >> 16}.{(visitor >> 8) & 0xFF}.0", now),
                Session = p.Pseudonymize(PseudonymKind.Session, "session" + visitor, now),
                Visitor = p.Pseudonymize(PseudonymKind.Visitor, "visitor" + visitor, now),
                UserAgentId = p.Pseudonymize(PseudonymKind.UserAgent, "ua" + (visitor % 8), now),
                Path = p.Pseudonymize(PseudonymKind.Path, "/products/" + (i % 64), now),
                UserAgent = ua,
                Language = "en",
                ReferrerHost = "www.example.org",
                CookieCount = 3,
                CookieBytes = 90,
                HasSessionCookie = true,
                HasVisitorCookie = true,
            };
        }

        _general = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        _fast = new RequestRecordJsonWriter();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _general.Dispose();
        _fast.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int GeneralWriter()
    {
        _buffer.ResetWrittenCount();
        _general.Reset(_buffer);
        ReferenceRecordJson.Write(_general, in _records[_next++ & (_records.Length - 1)]);
        _general.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int RequestLogWriter()
    {
        _buffer.ResetWrittenCount();
        _fast.Write(_buffer, in _records[_next++ & (_records.Length - 1)]);
        return _buffer.WrittenCount;
    }
}
