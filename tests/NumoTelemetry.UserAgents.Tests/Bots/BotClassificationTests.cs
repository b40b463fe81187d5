using System.Text.Json;
using NumoTelemetry.UserAgents.Data;
using NumoTelemetry.UserAgents.Tests.Conformance;

namespace NumoTelemetry.UserAgents.Tests.Bots;

public sealed class BotClassificationTests
{
    private static readonly HashSet<string> MainstreamBrowsers = new(StringComparer.Ordinal)
    {
        "Chrome", "Chrome Mobile", "Chrome Mobile iOS", "Chrome Mobile WebView", "Chromium", "Firefox", "Firefox Mobile", "Firefox iOS",
        "Safari", "Mobile Safari", "Mobile Safari UI/WKWebView", "Edge", "Edge Mobile", "IE", "IE Mobile", "Opera", "Opera Mobile", "Opera Mini",
        "Samsung Internet", "Yandex Browser", "UC Browser", "Vivaldi", "Brave", "Silk", "Android", "Amazon Silk",
    };

    [Theory]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", BotKind.Crawler, "Googlebot")]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", BotKind.Crawler, "bingbot")]
    [InlineData("curl/8.4.0", BotKind.HttpLibrary, "curl")]
    [InlineData("python-requests/2.31.0", BotKind.HttpLibrary, "python-requests")]
    [InlineData("Go-http-client/1.1", BotKind.HttpLibrary, "Go-http-client")]
    [InlineData("Java/17.0.2", BotKind.HttpLibrary, "Java")]
    [InlineData("PostmanRuntime/7.36.0", BotKind.HttpLibrary, "PostmanRuntime")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", BotKind.Headless, "HeadlessChrome")]
    [InlineData("Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1", BotKind.Headless, "PhantomJS")]
    [InlineData("Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", BotKind.Monitoring, "UptimeRobot")]
    [InlineData("Mozilla/5.0 (compatible; Datadog/Synthetics)", BotKind.Monitoring, "Datadog Synthetics")]
    [InlineData("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", BotKind.Bot, "facebookexternalhit")]
    [InlineData("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", BotKind.Crawler, "GPTBot")]
    public void Parse_KnownAutomatedClient_IsClassified(string ua, BotKind kind, string name)
    {
        var info = SharedParser.Instance.Parse(ua);

        Assert.True(info.Bot.IsBot);
        Assert.Equal(kind, info.Bot.Kind);
        Assert.Equal(name, info.Bot.Name);
        Assert.Equal(DeviceTypes.Bot, info.DeviceType);
        Assert.NotNull(info.SyntheticType);
    }

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")]
    [InlineData("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36")]
    public void Parse_EverydayBrowser_IsNotABot(string ua)
    {
        var info = SharedParser.Instance.Parse(ua);

        Assert.False(info.Bot.IsBot, $"{info.Bot.Kind} {info.Bot.Name}");
        Assert.Null(info.SyntheticType);
    }

    [SkippableFact]
    public void Parse_MainstreamBrowsersOfUapTestUa_AreNotBots()
    {
        var path = SharedTestData.Require("v0.18.0/tests/test_ua.yaml");
        var flagged = new List<string>();
        var checkedCount = 0;
        foreach (var testCase in UapTestFile.Read(path))
        {
            if (!MainstreamBrowsers.Contains(testCase.Expected["family"] ?? string.Empty))
            {
                continue;
            }

            if (testCase.UserAgent.Contains("Google Web Preview", StringComparison.Ordinal))
            {
                continue; // Google's page-preview renderer: uap-core calls it Chrome, but it is a bot
            }

            checkedCount++;
            var info = SharedParser.Instance.Parse(testCase.UserAgent);
            if (info.Bot.IsBot)
            {
                flagged.Add($"{testCase.Expected["family"]}: {testCase.UserAgent} -> {info.Bot.Kind} {info.Bot.Name}");
            }
        }

        Assert.True(checkedCount > 100, $"only {checkedCount} mainstream cases found");
        Assert.True(flagged.Count == 0, $"{flagged.Count} of {checkedCount} browsers flagged as bots:{Environment.NewLine}{string.Join(Environment.NewLine, flagged)}");
    }

    [Fact]
    public void Parse_EveryInstanceOfTheCrawlerList_IsABot()
    {
        using var json = JsonDocument.Parse(EmbeddedData.ReadAllBytes(EmbeddedData.CrawlerListResource));
        var missed = new List<string>();
        var total = 0;
        foreach (var entry in json.RootElement.EnumerateArray())
        {
            foreach (var instance in entry.GetProperty("instances").EnumerateArray())
            {
                var ua = instance.GetString();
                if (string.IsNullOrEmpty(ua))
                {
                    continue;
                }

                total++;
                if (!SharedParser.Instance.Parse(ua).Bot.IsBot)
                {
                    missed.Add($"{entry.GetProperty("pattern").GetString()}: {ua}");
                }
            }
        }

        Assert.True(total > 1000, $"only {total} instances");
        Assert.True(missed.Count == 0, $"{missed.Count} of {total} crawler instances not flagged:{Environment.NewLine}{string.Join(Environment.NewLine, missed)}");
    }

    [Fact]
    public void Parse_UapSpiderWithoutListEntry_IsCrawler()
    {
        // uap-core calls this a Spider; whether or not the list knows it, it is a bot.
        var info = SharedParser.Instance.Parse("Mozilla/5.0 (compatible; SomeNewCrawlerBot/1.0; +http://example.com/bot)");

        Assert.True(info.Bot.IsBot);
        Assert.Equal(DeviceTypes.Bot, info.DeviceType);
    }
}
