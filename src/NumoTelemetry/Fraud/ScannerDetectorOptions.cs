namespace NumoTelemetry.Fraud;

/// <summary>
/// Scanners (reason <c>scanner</c>): many distinct missing paths (404) with a high share of 401/403/404 answers, in the analysis window
/// (fast) or in the long window, per IP and per IP prefix (slow).
/// </summary>
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

    /// <summary>
    /// Distinct paths answered 404 in <see cref="FraudOptions.LongAnalysisWindow"/>, from one IP or one IP prefix as a whole, with at
    /// least <see cref="MinErrorRatio"/> of its requests in that window answered 401/403/404: a scanner probing a path every few minutes.
    /// 0 turns the long window off.
    /// </summary>
    /// <value>Default: 20.</value>
    public int LongWindowMinDistinctMissingPaths { get; set; } = 20;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 50.</value>
    public double Points { get; set; } = 50;
}
