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
}
