using System.Runtime.InteropServices;

namespace NumoTelemetry.Records;

/// <summary>
/// The current fraud risk of the subjects behind a request, as known when the request started.
/// A value type: reading it allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct NumoRisk
{
    /// <summary>No risk known.</summary>
    public static NumoRisk None => default;

    /// <summary>Creates a risk value.</summary>
    public NumoRisk(double score, RiskBand band, string? topReason)
    {
        Score = score;
        Band = band;
        TopReason = topReason;
    }

    /// <summary>The decayed additive risk score (the highest over the request's subjects).</summary>
    public double Score { get; }

    /// <summary>The band of <see cref="Score"/>.</summary>
    public RiskBand Band { get; }

    /// <summary>The stable reason code that contributed most, or <see langword="null"/>.</summary>
    public string? TopReason { get; }

    /// <summary>Whether any risk is known.</summary>
    public bool HasRisk => Band != RiskBand.None || Score > 0;
}
