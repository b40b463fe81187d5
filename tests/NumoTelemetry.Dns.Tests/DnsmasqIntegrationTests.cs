using System.Net;
using System.Net.Sockets;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dns.Tests;

/// <summary>FCrDNS against a real DNS server (dnsmasq on 127.0.0.1) through the real DnsClient resolver.</summary>
public sealed class DnsmasqIntegrationTests(DnsmasqServer server) : IClassFixture<DnsmasqServer>
{
    private static readonly CrawlerTable s_crawlers = CrawlerTableFactory.Create(new ReverseDnsOptions());

    // Queries dnsmasq answers get a generous timeout (a loaded CI machine once took over 500 ms to deliver an NXDOMAIN);
    // only the tests of the black-holed zone, which must time out, wait the short one.
    private static readonly TimeSpan Answered = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan BlackHoled = TimeSpan.FromMilliseconds(500);

    private DnsClientResolver Client(TimeSpan timeout) =>
        new(new ReverseDnsOptions { NameServers = [server.NameServer], Timeout = timeout, Retries = 0 });

    private ForwardConfirmedResolver Resolver(TimeSpan timeout) => new(
        Client(timeout),
        s_crawlers,
        PublicSuffixList.Default,
        null,
        maxNames: 3);

    private async Task<ReverseDnsVerdict> ResolveAsync(string ip)
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var timeout = ip is DnsmasqServer.PtrTimeoutIPv4 or DnsmasqServer.ForwardTimeoutIPv4 ? BlackHoled : Answered;
        return await Resolver(timeout).ResolveAsync(IPAddress.Parse(ip), CancellationToken.None);
    }

    [SkippableFact]
    public async Task Resolve_GenuineCrawler_ConfirmedAsGooglebot()
    {
        var verdict = await ResolveAsync(DnsmasqServer.GenuineIPv4);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.Equal("googlebot.com", verdict.Domain);
        Assert.Equal(NumoTelemetry.Records.CrawlerVerification.Verified, CrawlerVerificationOf(verdict));
    }

    [SkippableFact]
    public async Task Resolve_TwoPtrNamesProviderFirst_GenuineCrawlerStillVerified()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var ptr = await Client(Answered).ReverseAsync(IPAddress.Parse(DnsmasqServer.MultiPtrIPv4), CancellationToken.None);
        Assert.Equal([DnsmasqServer.MultiPtrProviderName, DnsmasqServer.MultiPtrCrawlerName], ptr.Names);

        var verdict = await ResolveAsync(DnsmasqServer.MultiPtrIPv4);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.Equal("googlebot.com", verdict.Domain);
        Assert.Equal(NumoTelemetry.Records.CrawlerVerification.Verified, CrawlerVerificationOf(verdict));
    }

    [SkippableFact]
    public async Task Resolve_GenuineCrawlerIPv6_ConfirmedThroughAaaa()
    {
        var verdict = await ResolveAsync(DnsmasqServer.GenuineIPv6);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.Equal(NumoTelemetry.Records.CrawlerVerification.Verified, CrawlerVerificationOf(verdict));
    }

    [SkippableFact]
    public async Task Resolve_FakeCrawlerWhosePtrClaimsGooglebot_NotConfirmed()
    {
        var verdict = await ResolveAsync(DnsmasqServer.FakeIPv4);
        Assert.Equal(ReverseDnsStatus.NotConfirmed, verdict.Status);
        Assert.Equal(NumoTelemetry.Records.CrawlerVerification.Failed, CrawlerVerificationOf(verdict));
    }

    [SkippableFact]
    public async Task Resolve_ResidentialAddress_RegistrableDomainOnly()
    {
        var verdict = await ResolveAsync(DnsmasqServer.ResidentialIPv4);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.Equal("comcast.net", verdict.Domain);
        Assert.Equal(0UL, verdict.CrawlerMask);
    }

    [SkippableTheory]
    [InlineData(DnsmasqServer.BrokenForwardIPv4, (byte)ReverseDnsStatus.NotConfirmed)] // PTR name without a forward record
    [InlineData(DnsmasqServer.NoPtrIPv4, (byte)ReverseDnsStatus.NoName)]
    [InlineData(DnsmasqServer.ForwardTimeoutIPv4, (byte)ReverseDnsStatus.Failed)] // forward query times out: failed, never negative
    public async Task Resolve_OtherCases_Status(string ip, byte expected)
    {
        var verdict = await ResolveAsync(ip);
        Assert.Equal((ReverseDnsStatus)expected, verdict.Status);
        Assert.Null(verdict.Domain);
    }

    [SkippableFact]
    public async Task Resolve_PtrQueryTimesOut_FailedNeverNegative()
    {
        var verdict = await ResolveAsync(DnsmasqServer.PtrTimeoutIPv4);
        Assert.Equal(ReverseDnsStatus.Failed, verdict.Status);
        Assert.Equal(NumoTelemetry.Records.CrawlerVerification.Unknown, CrawlerVerificationOf(verdict));
    }

    [SkippableFact]
    public async Task ForwardAsync_UnknownName_NotFound()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var answer = await Client(Answered).ForwardAsync("nothing.example.net", AddressFamily.InterNetwork, CancellationToken.None);
        Assert.Equal(DnsLookupStatus.NotFound, answer.Status);
    }

    private static NumoTelemetry.Records.CrawlerVerification CrawlerVerificationOf(ReverseDnsVerdict verdict) =>
        ReverseDnsEnricher.Verify(verdict, 0); // Googlebot is crawler 0
}
