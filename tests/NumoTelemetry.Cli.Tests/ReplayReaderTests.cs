using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using NumoTelemetry.Capture;
using NumoTelemetry.Cli.Replay;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.RequestLog;

namespace NumoTelemetry.Cli.Tests;

/// <summary>
/// The replay's fast capture (no HttpContext, through the site's own finisher) must make exactly the record the core's RequestReader and RequestFinisher make
/// of the same line as an HTTP request; and the parallel capture must not change the alerts.
/// </summary>
public sealed class ReplayReaderTests() : ReplayTestFiles("numo-replay-capture-")
{
    private const string Bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    private static string Line(DateTimeOffset at, string ip, string path, string ua, params (string Name, string Value)[] extra)
    {
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $"{{\"ts\":\"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"ip\":\"{ip}\",\"method\":\"GET\",\"path\":{JsonSerializer.Serialize(path)},\"status\":200,\"ua\":{JsonSerializer.Serialize(ua)}");
        foreach (var (name, value) in extra)
        {
            json.Append(CultureInfo.InvariantCulture, $",\"{name}\":{JsonSerializer.Serialize(value)}");
        }

        return json.Append('}').ToString();
    }

    [Fact]
    public void FastCapture_MakesTheRecordRequestReaderMakes()
    {
        var key = KeyFilePath();
        var signed = new VisitorCookieSigner(KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = key })).Issue(T0);
        List<string> lines =
        [
            Line(T0, "81.2.3.4", "/p/1", Chrome),
            Line(T0.AddSeconds(1), "81.2.3.4", "/p/1?q=2", Chrome, ("cookie", $"numo_vid={signed}; theme=dark"), ("session", "s-1")),
            Line(T0.AddSeconds(2), "81.2.3.5", "/p/2", Chrome, ("cookie", "numo_vid=made-up-visitor"), ("session", "s-2"), ("referer", "https://News.Example.org/a")),
            Line(T0.AddSeconds(3), "10.0.0.7", "/login", Bot, ("session", "s-3"), ("event", "login_failed"), ("user", " Alice@Example.COM ")),
            Line(T0.AddSeconds(4), "2001:db8::1", "/p/3", Chrome, ("cookie", "theme=light; numo_vid=\"quoted\""), ("referer", "https://replay/internal"), ("route", "/p/{id}")),
            Line(T0.AddSeconds(5), "81.2.3.4", "/login", string.Empty, ("cookie", string.Empty), ("event", "login_succeeded"), ("user", "bob")),
            Line(T0.AddSeconds(6), "81.2.3.4", "/p/1", Chrome, ("cookie", $"numo_vid={signed}; theme=dark"), ("session", "s-1"), ("event", "cart"), ("user", "carol")),
            Line(T0.AddDays(2), "81.2.3.4", "/p/1", Chrome, ("cookie", $"numo_vid={signed}; theme=dark"), ("session", "s-1")), // a later epoch
            Line(T0.AddDays(2), "81.2.3.6", "/p/" + new string('x', 5000), Chrome, ("session", new string('s', 600))), // values beyond the caps
            Line(T0.AddDays(2), "81.2.3.6", "/p/9", Chrome, ("cookie", "numo_vid=" + new string('v', 2000))).Replace($"\"ua\":{JsonSerializer.Serialize(Chrome)}", "\"ua\":null", StringComparison.Ordinal),
        ];

        using var fast = new ReplayRunner(null, key, null, Stream.Null);
        using var http = new ReplayRunner(null, key, null, Stream.Null);
        foreach (var pass in new[] { 1, 2 }) // the second pass hits the memos
        {
            foreach (var line in lines)
            {
                var bytes = Encoding.UTF8.GetBytes(line);
                Assert.True(fast.CaptureLine(bytes, viaHttp: false, out var viaFast), line);
                Assert.False(http.CaptureLine(bytes, viaHttp: true, out var viaHttp), line);
                AssertSame(viaHttp, viaFast, line);
                Assert.False(viaFast.Ip.IsEmpty, $"pass {pass}");
            }
        }
    }

    /// <summary>Every public property and field of the two records is equal (by value).</summary>
    private static void AssertSame(RequestRecord expected, RequestRecord actual, string line)
    {
        foreach (var property in typeof(RequestRecord).GetProperties().Where(p => p.GetIndexParameters().Length == 0 && !p.PropertyType.IsByRefLike))
        {
            var (a, b) = (property.GetValue(expected), property.GetValue(actual));
            if (a is UserAgents.UserAgentInfo)
            {
                // Two runners, two parser caches: compare the parsed values, not the instances.
                (a, b) = (JsonSerializer.Serialize(a), JsonSerializer.Serialize(b));
            }

            Assert.True(Equals(a, b), $"{property.Name} differs for {line}: {a} / {b}");
        }

        // Backing fields too (signals), except the User-Agent compared above.
        const System.Reflection.BindingFlags all = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic;
        foreach (var field in typeof(RequestRecord).GetFields(all).Where(f => f.FieldType != typeof(UserAgents.UserAgentInfo) && f.FieldType != typeof(SignalBuffer)))
        {
            Assert.True(Equals(field.GetValue(expected), field.GetValue(actual)), $"{field.Name} differs for {line}");
        }

        Assert.Equal(expected.Signals.ToArray(), actual.Signals.ToArray());
    }

    [Fact]
    public void Capture_ClientFreeText_IsScrubbedOnBothPaths()
    {
        // Issue 12: the live rule applies to replayed lines: campaign values, method, referrer host, language, route and event name.
        string[] lines =
        [
            Line(T0, "81.2.3.4", "/?utm_campaign=jane.doe%40example.com&utm_medium=%2B447700900123", Chrome, ("referer", "https://jane-doe-447700900123.example.net/"), ("route", "/users/jane.doe@example.com"), ("event", "newsletter jane.doe@example.com"))
                .Replace("\"method\":\"GET\"", "\"method\":\"CANARYVERB\"", StringComparison.Ordinal),
            Line(T0, "81.2.3.4", "/", Chrome, ("referer", "https://jane-doe-447700900123.example.net/"), ("route", "/users/jane.doe@example.com"), ("event", "newsletter jane.doe@example.com"))
                .Replace("\"method\":\"GET\"", "\"method\":\"CANARYVERB\"", StringComparison.Ordinal),
            Line(T0, "81.2.3.4", "/", Chrome).TrimEnd('}') + ",\"headers\":{\"Accept-Language\":\"janedoe-x-447700900123\"}}",
        ];

        using var runner = new ReplayRunner(null, KeyFilePath(), null, Stream.Null);
        string[] canaries = ["jane.doe", "jane-doe", "janedoe", "447700900123", "CANARYVERB"];
        foreach (var line in lines)
        {
            foreach (var viaHttp in new[] { false, true })
            {
                runner.CaptureLine(Encoding.UTF8.GetBytes(line), viaHttp, out var record);
                var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    RequestRecordJson.Write(writer, record);
                }

                var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
                foreach (var canary in canaries)
                {
                    Assert.False(json.Contains(canary, StringComparison.OrdinalIgnoreCase), $"'{canary}' kept (viaHttp: {viaHttp}) from {line}: {json}");
                }
            }
        }
    }

    [Fact]
    public void Capture_PhoneHeaderOfALoggedLine_IsTakenAsLogged()
    {
        // A replayed line's "ip" is the client, never the carrier's proxy: replay trusts phone headers from its own log.
        var settings = new Dictionary<string, string?> { ["Capture:PhoneNumberHeaders:0"] = "X-MSISDN", ["Capture:DefaultCountryCallingCode"] = "44" };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var runner = new ReplayRunner(configuration, KeyFilePath(), null, Stream.Null);
        var line = Line(T0, "81.2.3.4", "/", Chrome).TrimEnd('}') + ",\"headers\":{\"X-MSISDN\":\"07700 900321\"}}";
        runner.CaptureLine(Encoding.UTF8.GetBytes(line), viaHttp: false, out var record);
        var options = new PseudonymizationOptions { KeyFile = KeyFilePath() };
        var expected = new Pseudonymizer(KeyRing.FromOptions(options), options).Pseudonymize(PseudonymKind.Phone, "+447700900321", T0);
        Assert.Equal(expected, record.Phone);
    }

    [Fact]
    public void FastCapture_LeavesExtraHeadersAndCampaignsToRequestReader()
    {
        using var runner = new ReplayRunner(null, KeyFilePath(), null, Stream.Null);
        var headers = Encoding.UTF8.GetBytes(Line(T0, "81.2.3.4", "/", Chrome).TrimEnd('}') + ",\"headers\":{\"Accept-Language\":\"de-CH\"}}");
        Assert.False(runner.CaptureLine(headers, viaHttp: false, out var record));
        Assert.Equal("de", record.Language);
        Assert.False(runner.CaptureLine(Encoding.UTF8.GetBytes(Line(T0, "81.2.3.4", "/?utm_source=mail", Chrome)), viaHttp: false, out record));
        Assert.Equal("mail", record.UtmSource);
    }

    [Fact]
    public void Run_OneOrManyCaptureThreads_SameAlertsAndSummary()
    {
        // More than a few chunks of 1,024 lines, malformed lines in between (chunks then hold fewer records than a batch).
        var text = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            var at = T0.AddMilliseconds(i * 50);
            if (i % 97 == 0)
            {
                text.Append("not json\n");
            }

            text.Append(i % 3 == 0
                ? Line(at, "185.220.1.20", "/login", Chrome, ("event", "login_failed"), ("user", $"victim{i}"))
                : Line(at, $"81.2.{i % 200}.9", $"/p/{i % 300}", Chrome, ("cookie", $"numo_vid=v{i % 200}"), ("session", $"s{i % 200}"))).Append('\n');
        }

        var input = Encoding.UTF8.GetBytes(text.ToString());
        var key = KeyFilePath();
        (string Alerts, ReplaySummary Summary) Run(int threads)
        {
            using var output = new MemoryStream();
            using var runner = new ReplayRunner(null, key, null, output) { CaptureThreads = threads };
            var summary = runner.Run(new MemoryStream(input, writable: false), ReplayFormat.Jsonl);
            return (Encoding.UTF8.GetString(output.ToArray()), summary);
        }

        var one = Run(1);
        var three = Run(3);
        Assert.NotEmpty(one.Alerts);
        Assert.Equal(one.Alerts, three.Alerts);
        Assert.Equal(one.Summary.Replayed, three.Summary.Replayed);
        Assert.Equal(one.Summary.Skipped, three.Summary.Skipped);
        Assert.Equal(52, one.Summary.Skipped["bad_json"]);
    }
}
