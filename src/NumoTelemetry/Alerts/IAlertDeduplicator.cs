namespace NumoTelemetry.Alerts;

/// <summary>
/// De-duplicates alert notifications across processes that share detection state (fleet mode: NumoTelemetry.Redis), so the
/// fraud team gets one notification per subject and rule, not one per node. Without one (the default), every process notifies
/// for its own alert groups.
/// </summary>
/// <remarks>
/// Called on the pipeline thread just before an alert is handed to the sinks; should answer quickly (bounded by a short timeout)
/// and, when it cannot tell (the shared store is down), answer <see langword="true"/>: a duplicate is better than a lost alert.
/// An exception counts as <see langword="true"/>.
/// </remarks>
public interface IAlertDeduplicator
{
    /// <summary>Whether this process should send <paramref name="alert"/> (it claimed, or already holds, the subject and rule).</summary>
    bool TryClaim(FraudAlert alert);

    /// <summary>
    /// Claims every alert of one dispatch at once (one round trip for a shared store), without blocking the pipeline thread:
    /// sets <paramref name="claimed"/>[i] to whether this process should send <paramref name="alerts"/>[i]. The default calls
    /// <see cref="TryClaim"/> for each; an exception counts as <see langword="true"/>.
    /// </summary>
    ValueTask ClaimAsync(IReadOnlyList<FraudAlert> alerts, bool[] claimed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(claimed);
        for (var i = 0; i < alerts.Count; i++)
        {
            try
            {
                claimed[i] = TryClaim(alerts[i]);
            }
#pragma warning disable CA1031 // a failing de-duplicator must never lose an alert
            catch (Exception)
#pragma warning restore CA1031
            {
                claimed[i] = true;
            }
        }

        return ValueTask.CompletedTask;
    }
}
