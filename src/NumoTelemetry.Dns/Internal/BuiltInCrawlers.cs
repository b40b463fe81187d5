namespace NumoTelemetry.Dns;

/// <summary>
/// Crawlers whose operators document verification by reverse DNS plus forward confirmation, with the domains
/// they document (Google, Bing, Yandex, Baidu and Apple help pages).
/// </summary>
internal static class BuiltInCrawlers
{
    public static CrawlerRule[] Create() =>
    [
        new CrawlerRule
        {
            Name = "Googlebot",
            UserAgentTokens = ["Googlebot", "Storebot-Google", "Google-InspectionTool", "GoogleOther", "AdsBot-Google", "Mediapartners-Google", "APIs-Google", "FeedFetcher-Google", "Google-Safety", "Google-Read-Aloud", "Google-Site-Verification"],
            Domains = ["googlebot.com", "google.com", "googleusercontent.com"],
        },
        new CrawlerRule
        {
            Name = "Bingbot",
            UserAgentTokens = ["bingbot", "BingPreview", "msnbot", "AdIdxBot"],
            Domains = ["search.msn.com"],
        },
        new CrawlerRule
        {
            Name = "YandexBot",
            UserAgentTokens = ["YandexBot", "YandexImages", "YandexMobileBot", "YandexAccessibilityBot", "YandexRenderResourcesBot", "YandexNews", "YandexVideo", "YandexMedia", "YandexMetrika", "YandexWebmaster", "YandexFavicons", "YandexAdNet"],
            Domains = ["yandex.ru", "yandex.net", "yandex.com"],
        },
        new CrawlerRule
        {
            Name = "Baiduspider",
            UserAgentTokens = ["Baiduspider"],
            Domains = ["baidu.com", "baidu.jp"],
        },
        new CrawlerRule
        {
            Name = "Applebot",
            UserAgentTokens = ["Applebot"],
            Domains = ["applebot.apple.com"],
        },
    ];
}
