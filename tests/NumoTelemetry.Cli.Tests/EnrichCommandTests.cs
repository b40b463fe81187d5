using System.CommandLine;
using System.Text.Json;
using NumoTelemetry.Cli.Commands;
using NumoTelemetry.Dns.Tests;

namespace NumoTelemetry.Cli.Tests;

public sealed class EnrichCommandTests(DnsmasqServer dns) : IClassFixture<DnsmasqServer>
{
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
        var (exit, lines, _) = Run("--geoip-dir", dir!, "89.160.20.115", "81.2.69.160");

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
        var (exit, lines, _) = Run("not-an-ip", "192.0.2.1");
        Assert.Equal(1, exit);
        Assert.Equal("not an IPv4 or IPv6 address", lines[0].GetProperty("error").GetString());
        Assert.False(lines[1].GetProperty("private").GetBoolean());
        Assert.False(lines[1].TryGetProperty("geo", out _));
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
        var (exit, lines, error) = Run("--geoip-dir", Path.Combine(Path.GetTempPath(), "numo-no-such-dir"), "192.0.2.1");
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
}
