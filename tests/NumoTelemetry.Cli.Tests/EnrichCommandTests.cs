using System.CommandLine;
using System.Text.Json;
using NumoTelemetry.Cli.Commands;
using NumoTelemetry.Dns.Tests;

namespace NumoTelemetry.Cli.Tests;

public sealed class EnrichCommandTests(DnsmasqServer dns) : IClassFixture<DnsmasqServer>
{
    private const string GooglebotUserAgent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    private const string BrowserUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    private static (int Exit, List<JsonElement> Lines, string Error) Run(params string[] args)
    {
        var root = new RootCommand { EnrichCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = root.Parse(["enrich", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (exit, lines, error.ToString());
    }

    [SkippableFact]
    public void Enrich_GeoIPDirectory_PrintsOneObjectPerAddressWithEveryGeoFact()
    {
        var dir = NumoTelemetry.Testing.SharedTestData.Find("maxmind");
        Skip.If(dir is null, "MaxMind test databases not found in ../shared/testdata/maxmind beside the repository.");
        var (exit, lines, _) = Run("--no-dns", "--geoip-dir", dir!, "89.160.20.115", "81.2.69.160");

        Assert.Equal(0, exit);
        Assert.Equal(2, lines.Count);
        var se = lines[0];
        Assert.Equal("89.160.20.115", se.GetProperty("ip").GetString());
        var geo = se.GetProperty("geo");
        Assert.Equal("SE", geo.GetProperty("country").GetString());
        Assert.Equal("EU", geo.GetProperty("continent").GetString());
        Assert.Equal("Linköping", geo.GetProperty("city").GetString());
        Assert.Equal(29518, geo.GetProperty("asn").GetInt64());
        Assert.Equal("Bredband2 AB", geo.GetProperty("asnOrganization").GetString());
        Assert.True(geo.TryGetProperty("latitude", out _));

        var flags = lines[1].GetProperty("geo").GetProperty("flags").EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.Contains("tor-exit-node", flags);
        Assert.Contains("anonymous-vpn", flags);
    }

    [Fact]
    public void Enrich_NotAnAddress_ReportsItAndExitsWithOne()
    {
        var (exit, lines, _) = Run("--no-dns", "not-an-ip", "192.0.2.1");
        Assert.Equal(1, exit);
        Assert.Equal("not an IPv4 or IPv6 address", lines[0].GetProperty("error").GetString());
        Assert.False(lines[1].GetProperty("private").GetBoolean());
        Assert.False(lines[1].TryGetProperty("geo", out _));
        Assert.False(lines[1].TryGetProperty("dns", out _));
    }

    [Fact]
    public void Enrich_BadDnsServer_ExitsWithTwo()
    {
        var (exit, _, error) = Run("--dns-server", "nonsense", "192.0.2.1");
        Assert.Equal(2, exit);
        Assert.Contains("--dns-server", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Enrich_MissingGeoIPDirectory_WarnsOnStandardError()
    {
        var (exit, lines, error) = Run("--no-dns", "--geoip-dir", Path.Combine(Path.GetTempPath(), "numo-no-such-dir"), "192.0.2.1");
        Assert.Equal(0, exit);
        Assert.Single(lines);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Enrich_DnsServer_PrintsPtrVerdictDomainAndVerifiedCrawler()
    {
        Skip.If(dns.SkipReason is not null, dns.SkipReason);
        var (exit, lines, _) = Run("--dns-server", dns.NameServer, "--dns-timeout-ms", "2000", DnsmasqServer.GenuineIPv4, DnsmasqServer.FakeIPv4, DnsmasqServer.PtrTimeoutIPv4);

        Assert.Equal(0, exit);
        var genuine = lines[0].GetProperty("dns");
        Assert.Equal("confirmed", genuine.GetProperty("status").GetString());
        Assert.Equal(DnsmasqServer.GenuineName, genuine.GetProperty("ptr")[0].GetString());
        Assert.Equal("googlebot.com", genuine.GetProperty("networkDomain").GetString());
        Assert.Equal("Googlebot", genuine.GetProperty("verifiedCrawlers")[0].GetString());

        var fake = lines[1].GetProperty("dns");
        Assert.Equal("not-confirmed", fake.GetProperty("status").GetString());
        Assert.Equal(DnsmasqServer.FakeName, fake.GetProperty("ptr")[0].GetString());
        Assert.Equal(0, fake.GetProperty("verifiedCrawlers").GetArrayLength());

        Assert.Equal("failed", lines[2].GetProperty("dns").GetProperty("status").GetString());
    }

    [Fact]
    public void Enrich_NoDnsOption_ReverseDnsThroughTheSystemNameServersByDefault()
    {
        // Whatever the system's resolver answers (or not, within the short timeout), DNS was asked.
        var (exit, lines, _) = Run("--dns-timeout-ms", "300", "192.0.2.1");
        Assert.Equal(0, exit);
        var dnsFacts = lines[0].GetProperty("dns");
        Assert.Equal("system", dnsFacts.GetProperty("nameServers").GetString());
        Assert.Contains(dnsFacts.GetProperty("status").GetString(), new[] { "confirmed", "not-confirmed", "no-ptr", "failed" });
    }

    [Fact]
    public void Enrich_NoDnsWithDnsServer_ExitsWithTwo()
    {
        var (exit, _, error) = Run("--no-dns", "--dns-server", "127.0.0.1", "192.0.2.1");
        Assert.Equal(2, exit);
        Assert.Contains("--no-dns", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Enrich_NoDnsWithCrawlerUserAgent_VerdictUnknown()
    {
        var (exit, lines, _) = Run("--no-dns", "--user-agent", GooglebotUserAgent, "66.249.66.1");
        Assert.Equal(0, exit);
        var crawler = lines[0].GetProperty("crawler");
        Assert.Equal("Googlebot", crawler.GetProperty("claimed").GetString());
        Assert.Equal("unknown", crawler.GetProperty("verdict").GetString());
    }

    [SkippableFact]
    public async Task Enrich_DnsServer_AsksThePtrQuestionOnce()
    {
        Skip.If(dns.SkipReason is not null, dns.SkipReason);
        const string ptrName = "5.66.249.66.in-addr.arpa";
        var before = dns.QueryCount("PTR", ptrName);
        var (exit, lines, _) = Run("--dns-server", dns.NameServer, "--dns-timeout-ms", "1000", DnsmasqServer.MultiPtrIPv4);
        Assert.Equal(0, exit);
        Assert.Equal("confirmed", lines[0].GetProperty("dns").GetProperty("status").GetString());

        // dnsmasq's query log reaches us asynchronously: wait for the first line, then give a second one time to show.
        for (var i = 0; i < 40 && dns.QueryCount("PTR", ptrName) == before; i++)
        {
            await Task.Delay(50);
        }

        await Task.Delay(300);
        Assert.Equal(before + 1, dns.QueryCount("PTR", ptrName));
    }

    [SkippableFact]
    public void Enrich_UserAgentAndDnsServer_PrintsClaimedCrawlerAndVerdict()
    {
        Skip.If(dns.SkipReason is not null, dns.SkipReason);
        var (exit, lines, _) = Run("--dns-server", dns.NameServer, "--dns-timeout-ms", "2000", "--user-agent", GooglebotUserAgent,
            DnsmasqServer.GenuineIPv4, DnsmasqServer.FakeIPv4, DnsmasqServer.PtrTimeoutIPv4, DnsmasqServer.MultiPtrIPv4, DnsmasqServer.NoPtrIPv4);

        Assert.Equal(0, exit);
        string? Verdict(int i) => lines[i].GetProperty("crawler").GetProperty("verdict").GetString();
        Assert.All(lines, l => Assert.Equal("Googlebot", l.GetProperty("crawler").GetProperty("claimed").GetString()));
        Assert.Equal("verified", Verdict(0));
        Assert.Equal("failed", Verdict(1));
        Assert.Equal("unknown", Verdict(2));
        Assert.Equal("verified", Verdict(3));
        Assert.Equal("failed", Verdict(4));
        Assert.Equal(2, lines[3].GetProperty("dns").GetProperty("ptr").GetArrayLength());

        var (_, browser, _) = Run("--dns-server", dns.NameServer, "--user-agent", BrowserUserAgent, DnsmasqServer.GenuineIPv4);
        Assert.Equal("not-claimed", browser[0].GetProperty("crawler").GetProperty("verdict").GetString());
        Assert.Equal(JsonValueKind.Null, browser[0].GetProperty("crawler").GetProperty("claimed").ValueKind);
    }

    [SkippableFact]
    public void Enrich_GeoIPAndDns_PrintsEveryFactOfTheIssue()
    {
        Skip.If(dns.SkipReason is not null, dns.SkipReason);
        var dir = NumoTelemetry.Testing.SharedTestData.Find("maxmind");
        Skip.If(dir is null, "MaxMind test databases not found in ../shared/testdata/maxmind beside the repository.");
        var (exit, lines, _) = Run("--geoip-dir", dir!, "--dns-server", dns.NameServer, "--user-agent", GooglebotUserAgent, DnsmasqServer.GeoGenuineIPv4, "81.2.69.160");

        Assert.Equal(0, exit);
        var se = lines[0];
        var geo = se.GetProperty("geo");
        Assert.Equal("SE", geo.GetProperty("country").GetString());
        Assert.Equal("EU", geo.GetProperty("continent").GetString());
        Assert.Equal("E", geo.GetProperty("subdivision").GetString());
        Assert.Equal("Linköping", geo.GetProperty("city").GetString());
        Assert.Equal(JsonValueKind.Number, geo.GetProperty("latitude").ValueKind);
        Assert.Equal(JsonValueKind.Number, geo.GetProperty("longitude").ValueKind);
        Assert.Equal(JsonValueKind.Number, geo.GetProperty("accuracyRadiusKm").ValueKind);
        Assert.Equal(29518, geo.GetProperty("asn").GetInt64());
        Assert.Equal("Bredband2 AB", geo.GetProperty("asnOrganization").GetString());
        foreach (var flag in new[] { "anonymous", "anonymousVpn", "hosting", "publicProxy", "residentialProxy", "torExitNode" })
        {
            Assert.Equal(JsonValueKind.False, geo.GetProperty(flag).ValueKind);
        }

        var dnsFacts = se.GetProperty("dns");
        Assert.Equal("confirmed", dnsFacts.GetProperty("status").GetString());
        Assert.True(dnsFacts.GetProperty("forwardConfirmed").GetBoolean());
        Assert.Equal("googlebot.com", dnsFacts.GetProperty("networkDomain").GetString());
        Assert.Equal("verified", se.GetProperty("crawler").GetProperty("verdict").GetString());

        var london = lines[1].GetProperty("geo");
        Assert.True(london.GetProperty("torExitNode").GetBoolean());
        Assert.True(london.GetProperty("anonymousVpn").GetBoolean());
        Assert.True(london.GetProperty("anonymous").GetBoolean());
        Assert.Equal("no-ptr", lines[1].GetProperty("dns").GetProperty("status").GetString());
        Assert.False(lines[1].GetProperty("dns").GetProperty("forwardConfirmed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("dns").GetProperty("networkDomain").ValueKind);
        Assert.Equal("failed", lines[1].GetProperty("crawler").GetProperty("verdict").GetString());
    }
}
