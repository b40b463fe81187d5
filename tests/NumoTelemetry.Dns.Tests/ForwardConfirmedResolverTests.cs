using System.Net;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dns.Tests;

public sealed class ForwardConfirmedResolverTests
{
    private static readonly CrawlerTable s_crawlers = CrawlerTableFactory.Create(new DnsOptions());

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

    [Fact]
    public async Task ResolveAsync_ProviderNameFirstThenCrawlerName_BothConfirm_GenuineCrawlerVerified()
    {
        var dns = new FakeDnsResolver()
            .Ptr("66.249.66.5", "host-66-249-66-5.example.net", "crawl-66-249-66-5.googlebot.com")
            .Forward("host-66-249-66-5.example.net", "66.249.66.5")
            .Forward("crawl-66-249-66-5.googlebot.com", "66.249.66.5");
        var verdict = await Resolver(dns).ResolveAsync(IPAddress.Parse("66.249.66.5"), default);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.True(IsGooglebot(verdict));
        Assert.Equal("googlebot.com", verdict.Domain);
        Assert.Equal(NumoTelemetry.Records.CrawlerVerification.Verified, ReverseDnsEnricher.Verify(verdict, 0));
    }

    [Fact]
    public async Task ResolveAsync_CrawlerNameBeyondMaxNames_IsCheckedFirst()
    {
        var dns = new FakeDnsResolver()
            .Ptr("66.249.66.6", "a.example.net", "b.example.net", "crawl-66-249-66-6.googlebot.com")
            .Forward("crawl-66-249-66-6.googlebot.com", "66.249.66.6");
        var verdict = await new ForwardConfirmedResolver(dns, s_crawlers, PublicSuffixList.Default, null, maxNames: 2).ResolveAsync(IPAddress.Parse("66.249.66.6"), default);
        Assert.Equal(ReverseDnsStatus.Confirmed, verdict.Status);
        Assert.True(IsGooglebot(verdict));
    }

    [Fact]
    public async Task ResolveAsync_CrawlerNameConfirmsFirst_AsksNoFurtherForwardQuestion()
    {
        var dns = new FakeDnsResolver()
            .Ptr("66.249.66.7", "host-66-249-66-7.example.net", "crawl-66-249-66-7.googlebot.com")
            .Forward("host-66-249-66-7.example.net", "66.249.66.7")
            .Forward("crawl-66-249-66-7.googlebot.com", "66.249.66.7");
        var verdict = await Resolver(dns).ResolveAsync(IPAddress.Parse("66.249.66.7"), default);
        Assert.True(IsGooglebot(verdict));
        Assert.Equal(2, dns.Questions); // one PTR, one forward: the provider name could prove nothing more
    }

    [Fact]
    public async Task ResolveAsync_CrawlerNameForwardFailsButProviderNameConfirms_UnknownNotFailed()
    {
        var dns = new FakeDnsResolver()
            .Ptr("66.249.66.8", "host-66-249-66-8.example.net", "crawl-66-249-66-8.googlebot.com")
            .Forward("host-66-249-66-8.example.net", "66.249.66.8")
            .ForwardFails("crawl-66-249-66-8.googlebot.com");
        var verdict = await Resolver(dns).ResolveAsync(IPAddress.Parse("66.249.66.8"), default);
        Assert.Equal(NumoTelemetry.Records.CrawlerVerification.Unknown, ReverseDnsEnricher.Verify(verdict, 0));
    }

    [Fact]
    public async Task ConfirmAsync_ThousandsOfPtrNames_CrawlerNamesFirstInTheirOrder()
    {
        // The PTR answer is the address owner's: 20,000 names, half under a crawler's domain after the others. The crawler
        // names are asked first, in the answer's order, and the third confirms.
        var names = Enumerable.Range(0, 10_000).Select(i => $"h{i}.example.net")
            .Concat(Enumerable.Range(0, 10_000).Select(i => $"crawl-{i}.googlebot.com")).ToArray();
        var dns = new FakeDnsResolver().Forward("crawl-2.googlebot.com", "66.249.66.2");
        var ptr = new PtrLookupResult(DnsLookupStatus.Found, names);
        var verdict = await Resolver(dns).ConfirmAsync(IPAddress.Parse("66.249.66.2"), ptr, default);
        Assert.True(IsGooglebot(verdict));
        Assert.Equal(3, dns.Questions); // crawl-0, crawl-1, crawl-2 (a provider name could prove nothing more)
    }

    [Fact]
    public async Task ConfirmAsync_CrawlerNamePassedOver_DoesNotCountTowardsMaxNames()
    {
        // The second Googlebot name could prove nothing more and is passed over without a question, so the Bingbot name
        // after it is still asked within two questions: the ordered candidates keep every crawler name.
        var dns = new FakeDnsResolver()
            .Forward("crawl-1.googlebot.com", "66.249.66.1")
            .Forward("msnbot-1.search.msn.com", "66.249.66.1");
        var ptr = new PtrLookupResult(DnsLookupStatus.Found, ["host.example.net", "crawl-1.googlebot.com", "crawl-2.googlebot.com", "msnbot-1.search.msn.com"]);
        var verdict = await new ForwardConfirmedResolver(dns, s_crawlers, PublicSuffixList.Default, null, maxNames: 2).ConfirmAsync(IPAddress.Parse("66.249.66.1"), ptr, default);
        Assert.True(IsGooglebot(verdict));
        Assert.True((verdict.CrawlerMask & ~1UL) != 0, "the Bingbot name was not checked");
        Assert.Equal(2, dns.Questions);
    }

    [Fact]
    public async Task ConfirmAsync_GivenPtrAnswer_AsksNoPtrQuestion()
    {
        var dns = new FakeDnsResolver().Forward("crawl-66-249-66-1.googlebot.com", "66.249.66.1");
        var ptr = new PtrLookupResult(DnsLookupStatus.Found, ["crawl-66-249-66-1.googlebot.com"]);
        var verdict = await Resolver(dns).ConfirmAsync(IPAddress.Parse("66.249.66.1"), ptr, default);
        Assert.True(IsGooglebot(verdict));
        Assert.Equal(1, dns.Questions);
    }
}
