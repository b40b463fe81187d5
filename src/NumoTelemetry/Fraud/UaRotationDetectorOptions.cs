namespace NumoTelemetry.Fraud;

/// <summary>
/// A scraper rotating User-Agents (reason <c>ua-rotation</c>, on the IP): many requests without cookies, a different browser string on
/// most of them, and a new path on most of them. The users of a shared address come back with their browser and read the same pages.
/// </summary>
public sealed class UaRotationDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests of the IP in the analysis window below which nothing is judged.</summary>
    /// <value>Default: 100.</value>
    public int MinRequests { get; set; } = 100;

    /// <summary>Distinct User-Agents per request at or above which the IP rotates them.</summary>
    /// <value>Default: 0.4.</value>
    public double MinUserAgentShare { get; set; } = 0.4;

    /// <summary>Distinct paths per request at or above which the IP walks pages rather than revisits them.</summary>
    /// <value>Default: 0.5.</value>
    public double MinDistinctPathShare { get; set; } = 0.5;

    /// <summary>The largest share of the IP's requests that may carry a visitor cookie or session.</summary>
    /// <value>Default: 0.2.</value>
    public double MaxCookieShare { get; set; } = 0.2;

    /// <summary>Risk points of a hit (a verdict).</summary>
    /// <value>Default: 50.</value>
    public double Points { get; set; } = 50;
}
