namespace NumoTelemetry.Dashboard;

/// <summary>
/// The dashboard's view of the fraud engine's alerts: the fraud overview counts them by rule and severity and lists
/// the latest. The default feed reads the alerts the store keeps; tests and benchmarks register their own.
/// </summary>
internal interface IDashboardAlertFeed
{
    /// <summary>Alerts raised at or after <paramref name="since"/>, newest first, at most <paramref name="max"/>.</summary>
    ValueTask<IReadOnlyList<DashboardAlert>> GetAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken);
}
