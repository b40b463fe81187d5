namespace NumoTelemetry.Fraud.State;

/// <summary>
/// Stores an <see cref="IFraudStateStore"/> implementation can build on. A shared store (NumoTelemetry.Redis) keeps an
/// in-process store as this node's own view: every batch is applied to it first, so its answers stand whenever the
/// shared server cannot give one.
/// </summary>
public static class FraudStateStores
{
    /// <summary>
    /// Creates the in-process store NumoTelemetry uses when no other is registered: all state in this process, at most
    /// <paramref name="maxSubjects"/> subjects (evicting one-request subjects first and subjects with evidence last).
    /// Single-threaded, like every store: call it from the pipeline thread only.
    /// </summary>
    /// <remarks>
    /// Its bound on the bytes the subjects hold is <c>NumoTelemetry:Fraud:MaxStateBytes</c>'s default (1 GiB), or 1 KiB per
    /// subject of <paramref name="maxSubjects"/> when that is more (four times what a typical subject holds), so that the
    /// subject bound is the one reached first.
    /// </remarks>
    /// <param name="maxSubjects">The bound on subjects, as <c>NumoTelemetry:Fraud:MaxSubjects</c>.</param>
    /// <returns>A new, empty store.</returns>
    public static IFraudStateStore CreateInMemory(int maxSubjects) =>
        CreateInMemory(maxSubjects, Math.Max(FraudOptions.DefaultMaxStateBytes, maxSubjects * 1024L));

    /// <summary>
    /// Creates the in-process store with a bound on subjects and one on the bytes they hold, as
    /// <see cref="CreateInMemory(int)"/>.
    /// </summary>
    /// <param name="maxSubjects">The bound on subjects, as <c>NumoTelemetry:Fraud:MaxSubjects</c>.</param>
    /// <param name="maxBytes">The bound on the bytes they hold, as <c>NumoTelemetry:Fraud:MaxStateBytes</c> (64 KiB at least).</param>
    /// <returns>A new, empty store.</returns>
    public static IFraudStateStore CreateInMemory(int maxSubjects, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSubjects);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        return new InMemoryFraudStateStore(maxSubjects, maxBytes);
    }
}
