using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Dns.Tests;

public sealed class CrawlerTableTests
{
    private readonly CrawlerTable _table = CrawlerTableFactory.Create(new DnsOptions());

    [Fact]
    public void Match_ClaimedCrawlerByBotNameOrFamily_ReturnsItsIndex()
    {
        Assert.Equal("Googlebot", _table.Name(_table.Match(TestUserAgents.Googlebot)));
        Assert.Equal("Bingbot", _table.Name(_table.Match(TestUserAgents.Bingbot)));
        Assert.Equal("Googlebot", _table.Name(_table.Match(TestUserAgents.Crawler("Googlebot-Image"))));
        var familyOnly = new UserAgentInfo(new VersionedFamily("Applebot", null, null, null, null), VersionedFamily.Other, DeviceInfo.Other, BotInfo.NotABot, DeviceTypes.Other);
        Assert.Equal("Applebot", _table.Name(_table.Match(familyOnly)));
    }

    [Fact]
    public void Match_Browser_ReturnsMinusOne()
    {
        Assert.Equal(-1, _table.Match(TestUserAgents.Browser));
        Assert.Equal(-1, _table.Match(UserAgentInfo.Empty));
        Assert.Equal(-1, _table.Match(null));
    }

    [Fact]
    public void Match_SameInstanceTwice_AllocatesNothing()
    {
        _table.Match(TestUserAgents.Googlebot);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _table.Match(TestUserAgents.Googlebot);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("crawl-66-249-66-1.googlebot.com", "Googlebot")]
    [InlineData("rate-limited-proxy-66-249-90-1.google.com", "Googlebot")]
    [InlineData("msnbot-157-55-39-1.search.msn.com", "Bingbot")]
    [InlineData("5-255-253-1.spider.yandex.com", "YandexBot")]
    [InlineData("baiduspider-220-181-108-1.crawl.baidu.com", "Baiduspider")]
    [InlineData("17-58-101-1.applebot.apple.com", "Applebot")]
    public void MatchDomains_DocumentedDomain_SetsTheCrawlersBit(string name, string crawler)
    {
        var mask = _table.MatchDomains(name);
        var index = Enumerable.Range(0, _table.Count).Single(i => _table.Name(i) == crawler);
        Assert.NotEqual(0UL, mask & (1UL << index));
    }

    [Theory]
    [InlineData("crawl-1-2-3-4.evilgooglebot.com")]
    [InlineData("googlebot.com.attacker.net")]
    [InlineData("search.msn.com.example")]
    [InlineData("apple.com")]
    public void MatchDomains_LookAlike_IsNoMatch(string name) => Assert.Equal(0UL, _table.MatchDomains(name));

    [Fact]
    public void Create_ConfiguredCrawler_ExtendsAndOverridesTheBuiltInTable()
    {
        var table = CrawlerTableFactory.Create(new DnsOptions
        {
            Crawlers =
            [
                new CrawlerRule { Name = "PetalBot", UserAgentTokens = ["PetalBot"], Domains = ["petalsearch.com"] },
                new CrawlerRule { Name = "Applebot", UserAgentTokens = ["Applebot"], Domains = ["example.org"] },
            ],
        });
        Assert.Equal(6, table.Count);
        Assert.Equal("PetalBot", table.Name(table.Match(TestUserAgents.Crawler("PetalBot"))));
        Assert.NotEqual(0UL, table.MatchDomains("x.petalsearch.com"));
        Assert.Equal(0UL, table.MatchDomains("17-58-101-1.applebot.apple.com"));
        Assert.NotEqual(0UL, table.MatchDomains("crawler.example.org"));
    }
}
