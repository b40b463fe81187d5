using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Hosting;

/// <summary>Hostile and broken requests: no exception escapes, the request is served, the record is counted.</summary>
public class BadInputTests
{
    public static TheoryData<string, string> Requests => new()
    {
        { "missing everything", "GET / HTTP/1.1\r\nHost: a\r\n\r\n" },
        { "huge user agent", "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: " + new string('A', 8000) + "\r\n\r\n" },
        { "malformed xff", "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4, , ,,,[::1, 999.1.1.1\r\n\r\n" },
        { "spoofed chain", "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 127.0.0.1, 10.0.0.1, 127.0.0.2\r\nX-Forwarded-For: 8.8.8.8\r\n\r\n" },
        { "malformed forwarded", "GET / HTTP/1.1\r\nHost: a\r\nForwarded: for=\"[2001:db8::1\";;;=;for\r\n\r\n" },
        { "many hops", "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: " + string.Join(",", Enumerable.Repeat("127.0.0.1", 2000)) + "\r\n\r\n" },
        { "junk cookies", "GET / HTTP/1.1\r\nHost: a\r\nCookie: ;;;==;=;a;b=;" + new string(';', 3000) + ".AspNetCore.Session=" + new string('s', 3000) + "\r\n\r\n" },
        { "quoted cookies", "GET / HTTP/1.1\r\nHost: a\r\nCookie: numo_vid=\"\"; numo_consent=\"full\"\r\n\r\n" },
        { "bad phone", "GET / HTTP/1.1\r\nHost: a\r\nX-MSISDN: ++--()abc\r\n\r\n" },
        { "odd language and referrer", "GET / HTTP/1.1\r\nHost: a\r\nAccept-Language: ;;;,,-\r\nReferer: http://%%%%/\r\n\r\n" },
        { "utm garbage", "GET /?utm_source=%ZZ%&utm_campaign=" + new string('x', 500) + "&utm_medium=a+b%20c HTTP/1.1\r\nHost: a\r\n\r\n" },
        { "gpc and dnt", "GET / HTTP/1.1\r\nHost: a\r\nSec-GPC: 1\r\nDNT: 1\r\n\r\n" },
        { "unrouted path", "GET /does/not/exist/" + new string('p', 2000) + " HTTP/1.1\r\nHost: a\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task OddRequest_IsServedAndRecorded(string name, string raw)
    {
        await using var site = await TestSite.StartAsync();
        var status = await SendRawAsync(site.BaseAddress, raw);
        Assert.True(status is 200 or 404, $"{name}: status {status}");
        await site.WaitForRecordsAsync(1);
        Assert.DoesNotContain(site.MetricTagValues, t => t.StartsWith("numo.stage=", StringComparison.Ordinal));
        Assert.Single(site.ReadRequestLog().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task NonAsciiHeaders_ServedAndRecorded()
    {
        // The site accepts UTF-8 header values (Kestrel's RequestHeaderEncodingSelector), so our capture sees them.
        await using var site = await TestSite.StartAsync();
        var raw = Encoding.UTF8.GetBytes("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: Mozilla/5.0 (Ünïcødé; 日本語)\r\nCookie: numo_vid=ü; .AspNetCore.Session=セッション\r\nAccept-Language: 日本語\r\nReferer: http://例え.テスト/パス\r\nX-MSISDN: +44 ７７００ ９００１２３\r\n\r\n");
        var status = await SendRawAsync(site.BaseAddress, raw);
        Assert.Equal(200, status);
        await site.WaitForRecordsAsync(1);
        Assert.Single(site.ReadRequestLog().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(site.MetricTagValues, t => t.StartsWith("numo.stage=", StringComparison.Ordinal));
        Assert.Equal("hello", await site.Client.GetStringAsync("/"));
    }

    [Theory]
    [InlineData("spoofed chain", "X-Forwarded-For: 127.0.0.1, 10.0.0.1, 127.0.0.2\r\nX-Forwarded-For: 8.8.8.8", "8.8.8.8", false)]
    [InlineData("spoofed leftmost", "X-Forwarded-For: 1.1.1.1, 203.0.113.7", "203.0.113.7", false)]
    [InlineData("trusted hops skipped", "X-Forwarded-For: 203.0.113.8, 127.0.0.5, 127.0.0.9", "203.0.113.8", false)]
    [InlineData("malformed xff", "X-Forwarded-For: 1.2.3.4, , ,,,[::1, 999.1.1.1", "127.0.0.1", true)]
    [InlineData("malformed after client", "X-Forwarded-For: 999.1.1.1, 203.0.113.9", "203.0.113.9", false)]
    [InlineData("malformed forwarded", "Forwarded: for=\"[2001:db8::1\";;;=;for", "127.0.0.1", true)]
    [InlineData("forwarded chain", "Forwarded: for=198.51.100.1, for=\"[2001:db8::2]:4711\", for=127.0.0.3", "2001:db8::2", false)]
    public async Task ForwardingHeaders_ResolveTheExpectedClient(string name, string headers, string expectedClient, bool malformed)
    {
        await using var site = await TestSite.StartAsync();
        var status = await SendRawAsync(site.BaseAddress, "GET / HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n\r\n");
        Assert.True(status == 200, $"{name}: status {status}");
        await site.WaitForRecordsAsync(1);

        var line = Assert.Single(site.ReadRequestLog().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        var pseudonymizer = site.App.Services.GetRequiredService<Pseudonymizer>();
        var expected = pseudonymizer.Pseudonymize(PseudonymKind.Ip, expectedClient, DateTimeOffset.UtcNow).ToString();
        Assert.True(expected == json.RootElement.GetProperty("ip").GetString(), $"{name}: the client resolved is not {expectedClient}");

        var counted = site.MetricTagValues.Count(t => t == "numo.reason=forwarded_malformed");
        Assert.True(malformed ? counted == 1 : counted == 0, $"{name}: forwarded_malformed counted {counted} times");
    }

    [Fact]
    public async Task HandlerException_PassesThroughAndIsRecordedAs500()
    {
        await using var site = await TestSite.StartAsync();
        using var response = await site.Client.GetAsync(new Uri("/throws", UriKind.Relative));
        Assert.Equal(500, (int)response.StatusCode);
        await site.WaitForRecordsAsync(1);
        Assert.Contains("\"status\":500", site.ReadRequestLog(), StringComparison.Ordinal);
    }

    private static Task<int> SendRawAsync(Uri baseAddress, string raw) => SendRawAsync(baseAddress, Encoding.ASCII.GetBytes(raw));

    private static async Task<int> SendRawAsync(Uri baseAddress, byte[] raw)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(raw);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer);
        var text = Encoding.ASCII.GetString(buffer, 0, read);
        return int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
    }
}
