using System.Runtime.InteropServices;

namespace NumoTelemetry.Fraud.State;

/// <summary>
/// One operation on fraud state, built by the detection engine and applied by an <see cref="IFraudStateStore"/>
/// together with the rest of its batch. See <see cref="IFraudStateStore"/> for the semantics of each kind.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public struct StateOperation
{
    /// <summary>Sub-buckets of a counter window (<see cref="StateOperationKind.Increment"/>).</summary>
    public const int CounterBuckets = 6;

    /// <summary>Generations of a distinct-count window (<see cref="StateOperationKind.AddDistinct"/>).</summary>
    public const int DistinctGenerations = 2;

    /// <summary>Most members a known-member set keeps (<see cref="StateOperationKind.AddMember"/>); the least recently added go first.</summary>
    public const int MaxMembers = 32;

    /// <summary>The operation.</summary>
    public StateOperationKind Kind;

    /// <summary>The subject whose state it touches.</summary>
    public SubjectKey Subject;

    /// <summary>
    /// The feature (its wire name, <see cref="FraudFeatures.WireName"/>, names it in stores). One feature is always used with
    /// the same operation kind and window for one subject kind.
    /// </summary>
    public FraudFeature Feature;

    /// <summary>The time of the event (the record's timestamp: simulated time in replay). Stores compute windows from it, never from their own clock.</summary>
    public DateTimeOffset At;

    /// <summary>
    /// The window: the sliding window of a counter, distinct sketch or timing series; the time to live of an
    /// observation or member set; the half-life of a score.
    /// </summary>
    public TimeSpan Window;

    /// <summary><see cref="StateOperationKind.Increment"/>: the amount to add (0 reads).</summary>
    public long Amount;

    /// <summary><see cref="StateOperationKind.AddDistinct"/> and <see cref="StateOperationKind.AddMember"/>: the element, a well-mixed 64-bit hash (0 reads without adding).</summary>
    public ulong Element;

    /// <summary><see cref="StateOperationKind.Exchange"/>: the new observation.</summary>
    public Observation Observation;

    /// <summary><see cref="StateOperationKind.AddScore"/>: the points of <see cref="Reason"/> (0 reads the score).</summary>
    public double Points;

    /// <summary><see cref="StateOperationKind.AddScore"/>: the stable reason code, or <see langword="null"/> for a read.</summary>
    public string? Reason;
}
