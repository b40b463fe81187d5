namespace NumoTelemetry.UserAgents;

/// <summary>What kind of automated client a User-Agent announces.</summary>
public enum BotKind
{
    /// <summary>Not a known bot: a browser or an unknown client.</summary>
    None = 0,

    /// <summary>A search-engine or other crawler (Googlebot, Bingbot, ...).</summary>
    Crawler = 1,

    /// <summary>Another announced bot (feed fetchers, link previewers, AI agents, ...).</summary>
    Bot = 2,

    /// <summary>An uptime or performance monitoring agent.</summary>
    Monitoring = 3,

    /// <summary>An HTTP library or command-line client (curl, python-requests, Go-http-client, ...).</summary>
    HttpLibrary = 4,

    /// <summary>A headless or automated browser (HeadlessChrome, PhantomJS, ...).</summary>
    Headless = 5,
}
