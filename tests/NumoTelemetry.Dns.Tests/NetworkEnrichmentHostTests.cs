using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Dns.Tests;

/// <summary>
/// GeoIP and reverse DNS in a real site: Kestrel on 127.0.0.1, real HTTP requests forwarded by a loopback proxy
/// (X-Forwarded-For), MaxMind's test databases, dnsmasq as the name server. The request log and metrics must carry
/// country, ASN, crawler verdict and network domain, and never the address or the PTR name.
/// </summary>
public sealed class NetworkEnrichmentHostTests(DnsmasqServer dns) : IClassFixture<DnsmasqServer>, IDisposable
{
    private const string GooglebotUserAgent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    private readonly string _root = Directory.CreateTempSubdirectory("numo-net-host-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [SkippableFact]
    public async Task Requests_ThroughLoopbackProxy_LogCountryAsnAndCrawlerVerdictButNeverTheAddress()
    {
        Skip.If(dns.SkipReason is not null, dns.SkipReason);
        var maxMind = NumoTelemetry.Testing.SharedTestData.Find("maxmind");
        Skip.If(maxMind is null, "MaxMind test databases not found in ../shared/testdata/maxmind beside the repository.");

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _root, EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddFakeLogging();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NumoTelemetry:Pseudonymization:Keys:1"] = KeyRing.GenerateKey(),
            ["NumoTelemetry:Pseudonymization:CurrentKeyId"] = "1",
            ["NumoTelemetry:RequestLog:Directory"] = Path.Combine(_root, "log"),
            ["NumoTelemetry:RequestLog:LoggerLevel"] = "Information",
            ["NumoTelemetry:Pipeline:FlushInterval"] = "00:00:00.100",
            ["NumoTelemetry:GeoIP:DatabaseDirectory"] = maxMind,
            ["NumoTelemetry:Dns:NameServers:0"] = dns.NameServer,
            ["NumoTelemetry:Dns:Timeout"] = "00:00:00.500",
        });
        builder.Services.AddSingleton<IUserAgentParser, TestUserAgentParser>();
        builder.Services.AddNumoTelemetry(builder.Configuration.GetSection("NumoTelemetry")).AddGeoIP().AddDns();

        await using var app = builder.Build();
        app.UseNumoTelemetry();
        app.MapGet("/hello/{name}", (string name) => "hi");
        using var durations = new MetricCollector<double>(app.Services.GetRequiredService<IMeterFactory>(), "NumoTelemetry", "numo.request.duration");
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            using var http = new HttpClient { BaseAddress = new Uri(address) };

            var genuine = await RequestUntilAsync(http, DnsmasqServer.GeoGenuineIPv4, GooglebotUserAgent, "verified");
            Assert.Equal("SE", genuine.GetProperty("geo").GetProperty("country").GetString());
            Assert.Equal(29518, genuine.GetProperty("geo").GetProperty("asn").GetInt64());
            Assert.Equal("googlebot.com", genuine.GetProperty("networkDomain").GetString());
            Assert.StartsWith("k1.", genuine.GetProperty("ip").GetString(), StringComparison.Ordinal);

            var fake = await RequestUntilAsync(http, DnsmasqServer.GeoFakeIPv4, GooglebotUserAgent, "failed");
            Assert.Equal("AU", fake.GetProperty("geo").GetProperty("country").GetString());
            Assert.Equal(721, fake.GetProperty("geo").GetProperty("asn").GetInt64());
            Assert.False(fake.TryGetProperty("networkDomain", out var domain) && domain.ValueKind == JsonValueKind.String);
        }
        finally
        {
            await app.StopAsync();
        }

        var countries = durations.GetMeasurementSnapshot().Select(m => m.Tags["geo.country.iso_code"] as string).ToHashSet();
        Assert.Contains("SE", countries);
        Assert.Contains("AU", countries);

        // Privacy: neither the addresses nor the PTR names appear in any output.
        var outputs = new List<string>(ReadLog());
        outputs.AddRange(app.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message + " " + string.Join(' ', r.StructuredState?.Select(s => s.Value) ?? [])));
        outputs.AddRange(durations.GetMeasurementSnapshot().SelectMany(m => m.Tags.Values.Select(v => v?.ToString() ?? string.Empty)));
        Assert.NotEmpty(outputs);
        foreach (var canary in new[] { DnsmasqServer.GeoGenuineIPv4, DnsmasqServer.GeoFakeIPv4, DnsmasqServer.GeoGenuineName, DnsmasqServer.GeoFakeName, "89-160-20-115", "214-0-1-5" })
        {
            Assert.DoesNotContain(outputs, o => o.Contains(canary, StringComparison.Ordinal));
        }
    }

    private async Task<JsonElement> RequestUntilAsync(HttpClient http, string clientIp, string userAgent, string crawler)
    {
        var watch = Stopwatch.StartNew();
        for (var attempt = 0; attempt < 100 && watch.Elapsed < TimeSpan.FromSeconds(20); attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/hello/{attempt}");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", clientIp);
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode);
            await Task.Delay(150);
            foreach (var line in ReadLog())
            {
                var record = JsonDocument.Parse(line).RootElement;
                if (record.TryGetProperty("crawler", out var c) && c.GetString() == crawler)
                {
                    return record.Clone();
                }
            }
        }

        throw new TimeoutException($"No request-log record with crawler={crawler} within 20 s. Log: {string.Join('\n', ReadLog())}");
    }

    private IEnumerable<string> ReadLog()
    {
        var dir = Path.Combine(_root, "log");
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var lines = new List<string>();
        foreach (var file in Directory.GetFiles(dir))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length > 0)
                {
                    lines.Add(line);
                }
            }
        }

        return lines;
    }
}
