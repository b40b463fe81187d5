namespace NumoTelemetry.Fraud;

/// <summary>Facts about the network or client that add risk but are never a verdict by themselves (a fake crawler that crawls is).</summary>
public sealed class RiskFactorOptions
{
    /// <summary>Turns network risk factors on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Points of a client claiming to be a well-known crawler whose reverse DNS does not confirm it (reason <c>fake-crawler</c>).</summary>
    /// <value>Default: 30.</value>
    public double FakeCrawlerPoints { get; set; } = 30;

    /// <summary>
    /// Distinct paths in the analysis window from which a claimed crawler whose reverse DNS does not confirm it is crawling: then
    /// <c>fake-crawler</c> is a verdict (<see cref="FakeCrawlerCrawlingPoints"/>), not only a risk factor.
    /// </summary>
    /// <value>Default: 30.</value>
    public int FakeCrawlerMinPaths { get; set; } = 30;

    /// <summary>Points of a fake crawler that crawls (a verdict, reason <c>fake-crawler</c>).</summary>
    /// <value>Default: 50.</value>
    public double FakeCrawlerCrawlingPoints { get; set; } = 50;

    /// <summary>
    /// Points of a request whose User-Agent Client Hints contradict its User-Agent (another browser, platform or mobile flag; reason
    /// <c>client-hints-mismatch</c>).
    /// </summary>
    /// <value>Default: 25.</value>
    public double ClientHintsMismatchPoints { get; set; } = 25;

    /// <summary>Points of a hosting or data-centre network (reason <c>hosting-network</c>).</summary>
    /// <value>Default: 10.</value>
    public double HostingPoints { get; set; } = 10;

    /// <summary>Points of a VPN or public/residential proxy (reason <c>anonymous-network</c>).</summary>
    /// <value>Default: 15.</value>
    public double AnonymousPoints { get; set; } = 15;

    /// <summary>Points of a Tor exit node (reason <c>tor-exit</c>).</summary>
    /// <value>Default: 20.</value>
    public double TorPoints { get; set; } = 20;
}
