namespace NumoTelemetry.Fraud;

/// <summary>Scanners (reason <c>scanner</c>): many distinct missing paths (404) with a high share of 401/403/404 answers.</summary>
public sealed class ScannerDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Distinct paths answered 404 in the analysis window.</summary>
    /// <value>Default: 20.</value>
    public int MinDistinctMissingPaths { get; set; } = 20;

    /// <summary>Share of the IP's requests answered 401, 403 or 404.</summary>
    /// <value>Default: 0.5.</value>
    public double MinErrorRatio { get; set; } = 0.5;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 50.</value>
    public double Points { get; set; } = 50;
}
