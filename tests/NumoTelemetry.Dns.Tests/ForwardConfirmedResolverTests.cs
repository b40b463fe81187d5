using System.Net;

namespace NumoTelemetry.Dns.Tests;

public sealed class ForwardConfirmedResolverTests
{
    private static readonly CrawlerTable s_crawlers = CrawlerTableFactory.Create(new ReverseDnsOptions());

    private static ForwardConfirmedResolver Resolver(FakeDnsResolver dns) => new(dns, s_crawlers, PublicSuffixList.Default, budget: null, maxNames: 3);

    private static bool IsGooglebot(ReverseDnsVerdict v) => (v.CrawlerMask & 1UL) != 0; // Googlebot is the first built-in crawler

    [Fact]
    public async Task ResolveAsync_GenuineCrawler_ConfirmedWithDomainAndCrawlerBit()
    {
        var dns = new FakeDnsResolver().Ptr("66.249.66.1", "crawl-66-249-66-1.googlebot.com").Forward("crawl-66-249-66-1.googlebot.com", "66.249.66.1");
        var verdict = await Resolver(dns).ResolveAsync(IPAddress.Parse("66.249.66.1"), default);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.Equal("googlebot.com", verdict.Domain);
        Assert.True(IsGooglebot(verdict));
    }

    [Fact]
    public async Task ResolveAsync_PtrClaimsGooglebotButForwardDiffers_NotConfirmed()
    {
        var dns = new FakeDnsResolver().Ptr("203.0.113.7", "crawl-66-249-66-1.googlebot.com").Forward("crawl-66-249-66-1.googlebot.com", "66.249.66.1");
        var verdict = await Resolver(dns).ResolveAsync(IPAddress.Parse("203.0.113.7"), default);
        Assert.Equal(ReverseDnsStatus.NotConfirmed, verdict.Status);
        Assert.Null(verdict.Domain);
        Assert.Equal(0UL, verdict.CrawlerMask);
    }

    [Fact]
    public async Task ResolveAsync_NoPtr_NoName()
    {
        var verdict = await Resolver(new FakeDnsResolver()).ResolveAsync(IPAddress.Parse("198.51.100.1"), default);
        Assert.Equal(ReverseDnsStatus.NoName, verdict.Status);
    }

    [Fact]
    public async Task ResolveAsync_PtrFails_Failed()
    {
        var verdict = await Resolver(new FakeDnsResolver().PtrFails("198.51.100.1")).ResolveAsync(IPAddress.Parse("198.51.100.1"), default);
        Assert.Equal(ReverseDnsStatus.Failed, verdict.Status);
    }

    [Fact]
    public async Task ResolveAsync_ForwardFails_FailedNotNegative()
    {
        var dns = new FakeDnsResolver().Ptr("66.249.66.2", "crawl-66-249-66-2.googlebot.com").ForwardFails("crawl-66-249-66-2.googlebot.com");
        var verdict = await Resolver(dns).ResolveAsync(IPAddress.Parse("66.249.66.2"), default);
        Assert.Equal(ReverseDnsStatus.Failed, verdict.Status);
    }

    [Fact]
    public async Task ResolveAsync_SecondPtrNameConfirms_UsesIt()
    {
        var dns = new FakeDnsResolver()
            .Ptr("198.51.100.7", "stale.example.net", "c-198-51-100-7.hsd1.ma.comcast.net")
            .Forward("c-198-51-100-7.hsd1.ma.comcast.net", "198.51.100.7");
        var verdict = await Resolver(dns).ResolveAsync(IPAddress.Parse("198.51.100.7"), default);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.Equal("comcast.net", verdict.Domain);
        Assert.Equal(0UL, verdict.CrawlerMask);
    }

    [Fact]
    public async Task ResolveAsync_IPv6_UsesAaaa()
    {
        var dns = new FakeDnsResolver().Ptr("2001:4860:4801:10::1", "crawl-2001-4860-4801-10--1.googlebot.com.").Forward("crawl-2001-4860-4801-10--1.googlebot.com", "2001:4860:4801:10::1");
        var verdict = await Resolver(dns).ResolveAsync(IPAddress.Parse("2001:4860:4801:10::1"), default);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.True(IsGooglebot(verdict));
    }

    [Fact]
    public async Task ResolveAsync_ManyPtrNames_ChecksAtMostMaxNames()
    {
        var dns = new FakeDnsResolver().Ptr("198.51.100.9", "a.example.net", "b.example.net", "c.example.net", "d.example.net", "e.example.net");
        var verdict = await new ForwardConfirmedResolver(dns, s_crawlers, PublicSuffixList.Default, null, maxNames: 2).ResolveAsync(IPAddress.Parse("198.51.100.9"), default);
        Assert.Equal(ReverseDnsStatus.NotConfirmed, verdict.Status);
        Assert.Equal(3, dns.Questions);
    }
}
