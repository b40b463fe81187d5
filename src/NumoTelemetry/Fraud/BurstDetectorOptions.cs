namespace NumoTelemetry.Fraud;

/// <summary>Request bursts (reason <c>burst</c>): more requests per client from one IP in a short window than a person can make.</summary>
/// <remarks>Normalising by returning clients keeps carrier-grade NAT and corporate proxies (hundreds of browsers behind one IP) out; a client that keeps no cookies counts as one.</remarks>
public sealed class BurstDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The sliding window.</summary>
    /// <value>Default: 1 minute.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Requests in the window per returning client (distinct visitor cookies sent back from the IP, at least 1) at which the IP is bursting: 5 requests a second for a whole minute.</summary>
    /// <value>Default: 300.</value>
    public int RequestsPerClient { get; set; } = 300;

    /// <summary>Requests in the window below which nothing is flagged, whatever the ratio.</summary>
    /// <value>Default: 120.</value>
    public int MinRequests { get; set; } = 120;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 50.</value>
    public double Points { get; set; } = 50;
}
