namespace NumoTelemetry.Fraud.State;

/// <summary>
/// The counts a bounded store reports to the fraud metrics: subjects held, and subjects let go. Read on the metrics
/// collector's thread while the pipeline thread writes: each count is one aligned word, a count a batch behind is fine.
/// </summary>
internal interface IFraudStateCounts
{
    /// <summary>Subjects held.</summary>
    int SubjectCount { get; }

    /// <summary>The bytes the subjects hold, as the byte bound counts them.</summary>
    long HeldBytes { get; }

    /// <summary>Subjects swept so far because every feature had expired.</summary>
    long Expired { get; }

    /// <summary>Subjects evicted over the bound so far, from one class.</summary>
    long EvictedOverBound(EvictionClass evictionClass);

    /// <summary>Subjects evicted over the byte bound so far for holding heavy distinct counts, whatever their class.</summary>
    long EvictedHeavy { get; }
}
