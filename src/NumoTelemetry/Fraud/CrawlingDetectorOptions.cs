namespace NumoTelemetry.Fraud;

/// <summary>
/// Crawling (reason <c>crawling</c>): one IP walking many distinct paths, per returning client, without being a verified crawler: fast
/// (the analysis window) or slow (the long window, per IP and per IP prefix, so a scrape spread over hours or over the addresses of a
/// prefix is seen too).
/// </summary>
public sealed class CrawlingDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Distinct paths in the analysis window per returning client at which the IP is crawling.</summary>
    /// <value>Default: 200.</value>
    public int DistinctPathsPerClient { get; set; } = 200;

    /// <summary>Distinct paths below which nothing is flagged.</summary>
    /// <value>Default: 200.</value>
    public int MinDistinctPaths { get; set; } = 200;

    /// <summary>
    /// Distinct paths in <see cref="FraudOptions.LongAnalysisWindow"/> per client (returning visitor, or User-Agent with several requests)
    /// at which an IP, or an IP prefix as a whole, is crawling slowly: ≥ 1,000 distinct pages in 3-6 hours is 3-6 new pages a minute
    /// without pause, which neither a heavy human reader nor the users behind a shared address reach per client.
    /// </summary>
    /// <value>Default: 1,000.</value>
    public int LongWindowDistinctPathsPerClient { get; set; } = 1_000;

    /// <summary>Distinct paths in the long window below which nothing is flagged. 0 turns the long window off.</summary>
    /// <value>Default: 1,000.</value>
    public int LongWindowMinDistinctPaths { get; set; } = 1_000;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 40.</value>
    public double Points { get; set; } = 40;

    /// <summary>Multiplier of the points for a client that declares itself a bot in its User-Agent (honest, if unverified).</summary>
    /// <value>Default: 0.5.</value>
    public double DeclaredBotFactor { get; set; } = 0.5;
}
