namespace NumoTelemetry.Dns;

/// <summary>
/// A crawler that can be verified by forward-confirmed reverse DNS: a User-Agent that claims it must come
/// from an address whose reverse name lies under one of its documented domains.
/// </summary>
public sealed class CrawlerRule
{
    /// <summary>The crawler's name, for example <c>Googlebot</c>.</summary>
    /// <value>Defaults to an empty string (required).</value>
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// Tokens that mark a claim, matched case-insensitively as substrings of the parsed User-Agent's bot name and
    /// browser family (for example <c>Googlebot</c>, <c>AdsBot-Google</c>).
    /// </summary>
    /// <value>Defaults to empty (required).</value>
    public string[] UserAgentTokens { get; set; } = [];

    /// <summary>
    /// The documented reverse-DNS domains: the forward-confirmed name must equal one or end with <c>.</c> + one
    /// (for example <c>googlebot.com</c>).
    /// </summary>
    /// <value>Defaults to empty (required).</value>
    public string[] Domains { get; set; } = [];
}
