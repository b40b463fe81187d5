using System.Net;
using System.Net.Sockets;

namespace NumoTelemetry.Dns.Tests;

/// <summary>FCrDNS against a real DNS server (dnsmasq on 127.0.0.1) through the real DnsClient resolver.</summary>
public sealed class DnsmasqIntegrationTests(DnsmasqServer server) : IClassFixture<DnsmasqServer>
{
    private static readonly CrawlerTable s_crawlers = CrawlerTableFactory.Create(new ReverseDnsOptions());

    private ForwardConfirmedResolver Resolver() => new(
        new DnsClientResolver(new ReverseDnsOptions { NameServers = [server.NameServer], Timeout = TimeSpan.FromMilliseconds(500), Retries = 0 }),
        s_crawlers,
        PublicSuffixList.Default,
        null,
        maxNames: 3);

    private async Task<ReverseDnsVerdict> ResolveAsync(string ip)
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        return await Resolver().ResolveAsync(IPAddress.Parse(ip), CancellationToken.None);
    }

    [SkippableFact]
    public async Task Resolve_GenuineCrawler_ConfirmedAsGooglebot()
    {
        var verdict = await ResolveAsync(DnsmasqServer.GenuineIPv4);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.Equal("googlebot.com", verdict.Domain);
        Assert.Equal(NumoTelemetry.Enrichment.CrawlerVerification.Verified, CrawlerVerificationOf(verdict));
    }

    [SkippableFact]
    public async Task Resolve_GenuineCrawlerIPv6_ConfirmedThroughAaaa()
    {
        var verdict = await ResolveAsync(DnsmasqServer.GenuineIPv6);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.Equal(NumoTelemetry.Enrichment.CrawlerVerification.Verified, CrawlerVerificationOf(verdict));
    }

    [SkippableFact]
    public async Task Resolve_FakeCrawlerWhosePtrClaimsGooglebot_NotConfirmed()
    {
        var verdict = await ResolveAsync(DnsmasqServer.FakeIPv4);
        Assert.Equal(ReverseDnsStatus.NotConfirmed, verdict.Status);
        Assert.Equal(NumoTelemetry.Enrichment.CrawlerVerification.Failed, CrawlerVerificationOf(verdict));
    }

    [SkippableFact]
    public async Task Resolve_PtrNameWithoutForwardRecord_NotConfirmed()
    {
        var verdict = await ResolveAsync(DnsmasqServer.BrokenForwardIPv4);
        Assert.Equal(ReverseDnsStatus.NotConfirmed, verdict.Status);
    }

    [SkippableFact]
    public async Task Resolve_ResidentialAddress_RegistrableDomainOnly()
    {
        var verdict = await ResolveAsync(DnsmasqServer.ResidentialIPv4);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.Equal("comcast.net", verdict.Domain);
        Assert.Equal(0UL, verdict.CrawlerMask);
    }

    [SkippableFact]
    public async Task Resolve_NoPtrRecord_NoName()
    {
        var verdict = await ResolveAsync(DnsmasqServer.NoPtrIPv4);
        Assert.Equal(ReverseDnsStatus.NoName, verdict.Status);
    }

    [SkippableFact]
    public async Task Resolve_PtrQueryTimesOut_FailedNeverNegative()
    {
        var verdict = await ResolveAsync(DnsmasqServer.PtrTimeoutIPv4);
        Assert.Equal(ReverseDnsStatus.Failed, verdict.Status);
        Assert.Equal(NumoTelemetry.Enrichment.CrawlerVerification.Unknown, CrawlerVerificationOf(verdict));
    }

    [SkippableFact]
    public async Task Resolve_ForwardQueryTimesOut_FailedNeverNegative()
    {
        var verdict = await ResolveAsync(DnsmasqServer.ForwardTimeoutIPv4);
        Assert.Equal(ReverseDnsStatus.Failed, verdict.Status);
    }

    [SkippableFact]
    public async Task ForwardAsync_UnknownName_NotFound()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var resolver = new DnsClientResolver(new ReverseDnsOptions { NameServers = [server.NameServer], Timeout = TimeSpan.FromMilliseconds(500), Retries = 0 });
        var answer = await resolver.ForwardAsync("nothing.example.net", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal(DnsLookupStatus.NotFound, answer.Status);
    }

    private static NumoTelemetry.Enrichment.CrawlerVerification CrawlerVerificationOf(ReverseDnsVerdict verdict) =>
        ReverseDnsEnricher.Verify(verdict, 0); // Googlebot is crawler 0
}
