using System.Runtime.InteropServices;

namespace NumoTelemetry.Records;

/// <summary>
/// The current fraud risk of the subjects behind a request, as known when the request started.
/// A value type: reading it allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct RequestRisk
{
    /// <summary>No risk known.</summary>
    public static RequestRisk None => default;

    /// <summary>Creates a risk value.</summary>
    public RequestRisk(double score, RiskBand band, string? topReason)
        : this(score, band, topReason, band)
    {
    }

    /// <summary>Creates a risk value of which only part is enforced (detectors in <c>Observe</c> or <c>Alert</c> mode).</summary>
    public RequestRisk(double score, RiskBand band, string? topReason, RiskBand enforcementBand)
    {
        Score = score;
        Band = band;
        TopReason = topReason;
        EnforcementBand = enforcementBand;
    }

    /// <summary>The decayed additive risk score (the highest over the request's subjects).</summary>
    public double Score { get; }

    /// <summary>The band of <see cref="Score"/>.</summary>
    public RiskBand Band { get; }

    /// <summary>The stable reason code that contributed most, or <see langword="null"/>.</summary>
    public string? TopReason { get; }

    /// <summary>
    /// The band of the part of <see cref="Score"/> that in-request enforcement acts on: the points of detectors in
    /// <c>Enforce</c> mode (the default) and the deny list. The middleware enforces on it; a site that enforces on its own should too.
    /// </summary>
    public RiskBand EnforcementBand { get; }

    /// <summary>Whether any risk is known.</summary>
    public bool HasRisk => Band != RiskBand.None || Score > 0;
}
