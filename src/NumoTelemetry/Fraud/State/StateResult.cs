using System.Runtime.InteropServices;

namespace NumoTelemetry.Fraud.State;

/// <summary>What a store returns for one <see cref="StateOperation"/>, after applying it (and every earlier operation of the batch).</summary>
[StructLayout(LayoutKind.Auto)]
public struct StateResult
{
    /// <summary>
    /// <see cref="StateOperationKind.Increment"/>: the window count. <see cref="StateOperationKind.AddDistinct"/>: the distinct estimate.
    /// <see cref="StateOperationKind.ObserveTiming"/>: the number of gaps in the series. <see cref="StateOperationKind.AddMember"/>: the set size after the add.
    /// </summary>
    public long Count;

    /// <summary>
    /// <see cref="StateOperationKind.AddDistinct"/>: the element was (probably) not yet in the current generation.
    /// <see cref="StateOperationKind.AddMember"/>: the element was not a member.
    /// </summary>
    public bool IsNew;

    /// <summary><see cref="StateOperationKind.Exchange"/>: the observation replaced (<c>default</c> when there was none or it expired).</summary>
    public Observation Previous;

    /// <summary><see cref="StateOperationKind.ObserveTiming"/>: the smoothed mean gap in milliseconds.</summary>
    public double Mean;

    /// <summary><see cref="StateOperationKind.ObserveTiming"/>: the coefficient of variation of the gaps (standard deviation / mean).</summary>
    public double Variation;

    /// <summary><see cref="StateOperationKind.AddScore"/>: the decayed total score after the add.</summary>
    public double Score;

    /// <summary><see cref="StateOperationKind.AddScore"/>: the reason contributing most, or <see langword="null"/>.</summary>
    public string? TopReason;
}
