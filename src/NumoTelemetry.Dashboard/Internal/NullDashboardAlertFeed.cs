namespace NumoTelemetry.Dashboard;

/// <summary>The default alert feed: no alerts (until a fraud engine registers its feed).</summary>
internal sealed class NullDashboardAlertFeed : IDashboardAlertFeed
{
    public ValueTask<IReadOnlyList<DashboardAlert>> GetAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<DashboardAlert>>([]);
}
