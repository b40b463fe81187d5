using Microsoft.Extensions.Logging;
using NumoTelemetry.Alerts;

namespace NumoTelemetry.Dashboard;

/// <summary>
/// Connects the fraud engine to the dashboard: an alert sink that stores each fraud alert (rule, severity,
/// score, subject kind and pseudonym: never a raw value) in the dashboard store, and the feed the fraud
/// overview reads, so alert counts by rule and severity cover the whole retention and survive restarts.
/// </summary>
internal sealed class StoredAlertFeed(IDashboardStore store, ILogger<StoredAlertFeed> logger) : IAlertSink, IDashboardAlertFeed
{
    public void Publish(FraudAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        try
        {
            // The store's writes are synchronous under the hood; alerts are throttled, so this is rare and short.
            store.AppendAlertsAsync(
                [new DashboardAlert
                {
                    Timestamp = alert.LastSeen,
                    Rule = alert.Rule,
                    Severity = alert.Severity,
                    Score = alert.Score,
                    SubjectKind = alert.SubjectKind,
                    Subject = alert.Subject,
                }],
                CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            DashboardLog.AlertNotStored(logger, ex.GetType().Name);
        }
    }

    public ValueTask<IReadOnlyList<DashboardAlert>> GetAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken) =>
        store.ReadAlertsAsync(since, max, cancellationToken);
}
