namespace NumoTelemetry.Dashboard.Query;

/// <summary>The outcome of <see cref="KAnonymity.Apply"/>.</summary>
/// <param name="Shown">Groups released individually, largest first.</param>
/// <param name="Remainder">Groups not released individually: suppressed ones and the tail beyond the limit.</param>
/// <param name="RemainderTotal">The remainder merged.</param>
/// <param name="RemainderReleasable">Whether the remainder as a whole meets k (and is not empty).</param>
internal sealed record Suppression(List<Aggregate> Shown, List<Aggregate> Remainder, Aggregate RemainderTotal, bool RemainderReleasable);
