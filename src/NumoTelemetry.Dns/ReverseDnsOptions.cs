namespace NumoTelemetry.Dns;

/// <summary>
/// Options of reverse DNS enrichment and crawler verification, bound from <c>NumoTelemetry:Dns</c>. Lookups run
/// in the background, never on the request path; verdicts and network domains are cached by IP pseudonym.
/// </summary>
public sealed class ReverseDnsOptions
{
    /// <summary>The configuration section name under <c>NumoTelemetry</c>.</summary>
    public const string SectionName = "Dns";

    /// <summary>Whether reverse DNS enrichment runs.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Name servers as <c>IP</c> or <c>IP:PORT</c> (<c>[IPv6]:PORT</c>); empty uses the system's resolvers.</summary>
    /// <value>Defaults to empty (the system's name servers).</value>
    public string[] NameServers { get; set; } = [];

    /// <summary>Timeout of one DNS query.</summary>
    /// <value>Defaults to 2 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Retries of a query that timed out.</summary>
    /// <value>Defaults to 1.</value>
    public int Retries { get; set; } = 1;

    /// <summary>Number of addresses resolved at the same time.</summary>
    /// <value>Defaults to 4.</value>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Budget of DNS queries per second (PTR and forward queries together); further work waits.</summary>
    /// <value>Defaults to 50.</value>
    public int QueriesPerSecond { get; set; } = 50;

    /// <summary>Capacity of the queue of addresses waiting to be resolved; when full, new addresses are skipped (and counted) and tried again on a later request.</summary>
    /// <value>Defaults to 1,024.</value>
    public int QueueCapacity { get; set; } = 1_024;

    /// <summary>Number of verdicts cached (rounded up to a power of two).</summary>
    /// <value>Defaults to 65,536.</value>
    public int CacheSize { get; set; } = 65_536;

    /// <summary>How long a forward-confirmed name is trusted.</summary>
    /// <value>Defaults to 6 hours.</value>
    public TimeSpan PositiveTtl { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a definitive negative (no PTR record, or a name that does not resolve back) is kept.</summary>
    /// <value>Defaults to 1 hour.</value>
    public TimeSpan NegativeTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a DNS failure (timeout, server failure) is kept before the address is tried again.</summary>
    /// <value>Defaults to 5 minutes.</value>
    public TimeSpan FailureTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether every new client address is resolved (for <see cref="Records.RequestRecord.NetworkDomain"/>), or only those whose
    /// User-Agent claims a verifiable crawler.
    /// </summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool ResolveAllClients { get; set; } = true;

    /// <summary>Whether private, loopback and link-local addresses are resolved.</summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool ResolvePrivateAddresses { get; set; }

    /// <summary>How many names of a PTR answer are forward-checked at most.</summary>
    /// <value>Defaults to 3.</value>
    public int MaxPtrNames { get; set; } = 3;

    /// <summary>Whether the built-in crawler table (Googlebot, Bingbot, YandexBot, Baiduspider, Applebot) is used.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool IncludeBuiltInCrawlers { get; set; } = true;

    /// <summary>Further verifiable crawlers (added to the built-in table; a rule with a built-in name replaces it).</summary>
    /// <value>Defaults to empty.</value>
    public List<CrawlerRule> Crawlers { get; set; } = [];
}
