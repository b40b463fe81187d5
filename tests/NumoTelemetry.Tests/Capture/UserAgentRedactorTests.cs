using NumoTelemetry.Capture;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Tests.Capture;

public class UserAgentRedactorTests
{
    private static readonly UserAgentParser s_parser = new();
    private static readonly UserAgentRedactor s_redactor = new(s_parser);

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome", "Windows")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox", "Linux")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15", "Safari", "Mac OS X")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1", "Mobile Safari", "iOS")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "Edge", "Windows")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36", "Chrome Mobile", "Android")]
    [InlineData("Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", "Samsung Internet", "Android")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0", "Opera", "Windows")]
    [InlineData("Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1", "Chrome Mobile iOS", "iOS")]
    [InlineData("Mozilla/5.0 (Linux; Android 10; K; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.0.0 Mobile Safari/537.36", "Chrome Mobile WebView", "Android")]
    public void Apply_RealBrowser_KeepsFamiliesAndVersion(string userAgent, string browser, string os)
    {
        var parsed = s_parser.Parse(userAgent);
        Assert.Equal(browser, parsed.Browser.Family); // the premise
        var safe = s_redactor.Apply(parsed);
        Assert.Same(parsed, safe);
        Assert.Equal(browser, safe.Browser.Family);
        Assert.Equal(os, safe.Os.Family);
        Assert.NotNull(safe.Browser.Major);
    }

    [Theory]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot")]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot")]
    public void Apply_ListedCrawler_KeepsItsName(string userAgent, string name)
    {
        var safe = s_redactor.Apply(s_parser.Parse(userAgent));
        Assert.Equal(name, safe.Browser.Family);
        Assert.Equal(name, safe.Bot.Name);
    }

    [Theory]
    [InlineData("x canary-ua-7f3kbot/1.0")]
    [InlineData("canary-ua-7f3kbot/1.0")]
    [InlineData("Mozilla/5.0 (compatible; canary-ua-7f3k-crawler/2.0)")]
    [InlineData("my 198.51.100.213 spider/1.0")]
    public void Apply_BotNamedByTheUserAgentOnly_IsOtherBot(string userAgent)
    {
        var parsed = s_parser.Parse(userAgent);
        Assert.True(parsed.Bot.IsBot); // the premise: uap-core's generic rule copied text out of the User-Agent
        var safe = s_redactor.Apply(parsed);
        Assert.Equal(UserAgentRedactor.OtherBot, safe.Browser.Family);
        Assert.True(safe.Bot.IsBot);
        Assert.True(safe.Bot.Name is null or UserAgentRedactor.OtherBot, safe.Bot.Name);
        Assert.Null(safe.Browser.Major);
        Assert.Same(safe, s_redactor.Apply(parsed)); // cached per parsed instance
    }

    [Fact]
    public void Apply_AppNameCopiedFromUserAgent_IsOther()
    {
        var parsed = s_parser.Parse("Canary7f3kApp/70 CFNetwork/978.0.7 Darwin/18.5.0");
        Assert.Equal("Canary7f3kApp", parsed.Browser.Family); // the premise
        var safe = s_redactor.Apply(parsed);
        Assert.Equal("Other", safe.Browser.Family);
        Assert.Equal("iOS", safe.Os.Family);
    }

    [Fact]
    public void Apply_CustomParser_PassesThrough()
    {
        var info = new UserAgentInfo(new VersionedFamily("Anything 7f3k", "1", null, null, null), VersionedFamily.Other, DeviceInfo.Other, BotInfo.NotABot, DeviceTypes.Other);
        var redactor = new UserAgentRedactor(new FixedParser(info));
        Assert.Same(info, redactor.Apply(info));
    }

    private sealed class FixedParser(UserAgentInfo info) : IUserAgentParser
    {
        public UserAgentInfo Parse(string? userAgent) => info;
    }
}
