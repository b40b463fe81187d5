namespace NumoTelemetry.Dns;

/// <summary>Builds the crawler table of the options: the built-in crawlers (unless turned off), then the configured ones.</summary>
internal static class CrawlerTableFactory
{
    public static CrawlerTable Create(DnsOptions options)
    {
        var rules = new List<CrawlerRule>();
        if (options.IncludeBuiltInCrawlers)
        {
            rules.AddRange(BuiltInCrawlers.Create());
        }

        rules.AddRange(options.Crawlers ?? []);
        return new CrawlerTable(rules);
    }
}
