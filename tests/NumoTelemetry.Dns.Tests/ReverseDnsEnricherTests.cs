using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Dns.Tests;

public sealed class ReverseDnsEnricherTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-03-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ReverseDnsOptions _options = new();
    private readonly FakeDnsResolver _dns = new FakeDnsResolver()
        .Ptr("66.249.66.1", "crawl-66-249-66-1.googlebot.com").Forward("crawl-66-249-66-1.googlebot.com", "66.249.66.1")
        .Ptr("203.0.113.7", "crawl-203-0-113-7.googlebot.com").Forward("crawl-203-0-113-7.googlebot.com", "66.249.66.99")
        .PtrFails("192.0.2.50")
        .Ptr("198.51.100.7", "c-198-51-100-7.hsd1.ma.comcast.net").Forward("c-198-51-100-7.hsd1.ma.comcast.net", "198.51.100.7");

    private readonly Pseudonymizer _pseudonymizer = new(KeyRing.Create(new Dictionary<ushort, byte[]> { [1] = Convert.FromBase64String(KeyRing.GenerateKey()) }, 1), new PseudonymizationOptions());

    private (ReverseDnsEnricher Enricher, ReverseDnsQueue Queue, ReverseDnsService Service) Create(int queueCapacity = 64)
    {
        var crawlers = CrawlerTableFactory.Create(_options);
        var cache = new ReverseDnsCache(_options.CacheSize);
        var queue = new ReverseDnsQueue(queueCapacity);
        var resolver = new ForwardConfirmedResolver(_dns, crawlers, PublicSuffixList.Default, null, _options.MaxPtrNames);
        var service = new ReverseDnsService(queue, cache, resolver, _options, crawlers, _time, NullLogger<ReverseDnsService>.Instance);
        return (new ReverseDnsEnricher(queue, cache, crawlers, _options, _time), queue, service);
    }

    private RequestRecord Record(string ip, UserAgentInfo userAgent, out ClientAddress client)
    {
        client = ClientAddress.FromIPAddress(IPAddress.Parse(ip));
        return new RequestRecord
        {
            Ip = _pseudonymizer.PseudonymizeAddress(client, PseudonymKind.Ip, _time.GetUtcNow()),
            UserAgent = userAgent,
        };
    }

    private static async Task DrainAsync(ReverseDnsQueue queue, ReverseDnsService service)
    {
        while (queue.Reader.TryRead(out var item))
        {
            await service.ProcessAsync(item, CancellationToken.None);
        }
    }

    private CrawlerVerification Enrich(ReverseDnsEnricher enricher, string ip, UserAgentInfo ua, out string? domain)
    {
        var record = Record(ip, ua, out var client);
        enricher.Enrich(client, ref record);
        domain = record.NetworkDomain;
        return record.Crawler;
    }

    [Theory]
    [InlineData("66.249.66.1", CrawlerVerification.Verified, "googlebot.com")]
    [InlineData("203.0.113.7", CrawlerVerification.Failed, null)]
    [InlineData("192.0.2.50", CrawlerVerification.Unknown, null)]
    [InlineData("198.51.100.7", CrawlerVerification.Failed, "comcast.net")]
    [InlineData("198.51.100.99", CrawlerVerification.Failed, null)]
    public async Task Enrich_ClaimedGooglebot_PendingThenVerdictFromBackground(string ip, CrawlerVerification expected, string? expectedDomain)
    {
        var (enricher, queue, service) = Create();
        Assert.Equal(CrawlerVerification.Pending, Enrich(enricher, ip, TestUserAgents.Googlebot, out _));
        Assert.Equal(1, queue.Count);
        Assert.Equal(CrawlerVerification.Pending, Enrich(enricher, ip, TestUserAgents.Googlebot, out _));
        Assert.Equal(1, queue.Count); // not queued twice

        await DrainAsync(queue, service);
        Assert.Equal(expected, Enrich(enricher, ip, TestUserAgents.Googlebot, out var domain));
        Assert.Equal(expectedDomain, domain);
    }

    [Fact]
    public async Task Enrich_ConfirmedGoogleNameButBingbotClaim_Failed()
    {
        var (enricher, queue, service) = Create();
        Enrich(enricher, "66.249.66.1", TestUserAgents.Bingbot, out _);
        await DrainAsync(queue, service);
        Assert.Equal(CrawlerVerification.Failed, Enrich(enricher, "66.249.66.1", TestUserAgents.Bingbot, out _));
    }

    [Fact]
    public async Task Enrich_Browser_NotClaimedButNetworkDomainSet()
    {
        var (enricher, queue, service) = Create();
        Assert.Equal(CrawlerVerification.NotClaimed, Enrich(enricher, "198.51.100.7", TestUserAgents.Browser, out var domain));
        Assert.Null(domain);
        await DrainAsync(queue, service);
        Assert.Equal(CrawlerVerification.NotClaimed, Enrich(enricher, "198.51.100.7", TestUserAgents.Browser, out domain));
        Assert.Equal("comcast.net", domain);
    }

    [Fact]
    public void Enrich_BrowserWhenOnlyCrawlersResolved_NotQueued()
    {
        _options.ResolveAllClients = false;
        var (enricher, queue, _) = Create();
        Enrich(enricher, "198.51.100.7", TestUserAgents.Browser, out _);
        Assert.Equal(0, queue.Count);
        Enrich(enricher, "198.51.100.7", TestUserAgents.Googlebot, out _);
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Enrich_PrivateAddressClaimingCrawler_UnknownAndNotQueued()
    {
        var (enricher, queue, _) = Create();
        Assert.Equal(CrawlerVerification.Unknown, Enrich(enricher, "10.0.0.5", TestUserAgents.Googlebot, out _));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Enrich_QueueFull_UnknownAndTriedAgainLater()
    {
        var (enricher, queue, _) = Create(queueCapacity: 1);
        Assert.Equal(CrawlerVerification.Pending, Enrich(enricher, "66.249.66.1", TestUserAgents.Googlebot, out _));
        Assert.Equal(CrawlerVerification.Unknown, Enrich(enricher, "203.0.113.7", TestUserAgents.Googlebot, out _));
        queue.Reader.TryRead(out _);
        Assert.Equal(CrawlerVerification.Pending, Enrich(enricher, "203.0.113.7", TestUserAgents.Googlebot, out _));
    }

    [Fact]
    public async Task Enrich_VerdictExpires_ResolvedAgain()
    {
        var (enricher, queue, service) = Create();
        Enrich(enricher, "192.0.2.50", TestUserAgents.Googlebot, out _);
        await DrainAsync(queue, service);
        Assert.Equal(CrawlerVerification.Unknown, Enrich(enricher, "192.0.2.50", TestUserAgents.Googlebot, out _));
        _time.Advance(_options.FailureTtl - TimeSpan.FromSeconds(1));
        Assert.Equal(CrawlerVerification.Unknown, Enrich(enricher, "192.0.2.50", TestUserAgents.Googlebot, out _));
        Assert.Equal(0, queue.Count);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(CrawlerVerification.Pending, Enrich(enricher, "192.0.2.50", TestUserAgents.Googlebot, out _));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task Enrich_CachedVerdict_AllocatesNothing()
    {
        var (enricher, queue, service) = Create();
        var record = Record("66.249.66.1", TestUserAgents.Googlebot, out var client);
        enricher.Enrich(client, ref record);
        await DrainAsync(queue, service);
        enricher.Enrich(client, ref record);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            enricher.Enrich(client, ref record);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(CrawlerVerification.Verified, record.Crawler);
    }

    [Fact]
    public void Enrich_Disabled_LeavesTheRecordAlone()
    {
        _options.Enabled = false;
        var (enricher, queue, _) = Create();
        Assert.Equal(CrawlerVerification.NotClaimed, Enrich(enricher, "66.249.66.1", TestUserAgents.Googlebot, out _));
        Assert.Equal(0, queue.Count);
    }
}
