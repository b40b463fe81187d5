namespace NumoTelemetry.Fraud;

/// <summary>Crawling (reason <c>crawling</c>): one IP walking many distinct paths, per returning client, without being a verified crawler.</summary>
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

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 40.</value>
    public double Points { get; set; } = 40;

    /// <summary>Multiplier of the points for a client that declares itself a bot in its User-Agent (honest, if unverified).</summary>
    /// <value>Default: 0.5.</value>
    public double DeclaredBotFactor { get; set; } = 0.5;
}
