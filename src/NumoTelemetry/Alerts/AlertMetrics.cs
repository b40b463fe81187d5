using System.Diagnostics.Metrics;
using NumoTelemetry.Metrics;

namespace NumoTelemetry.Alerts;

/// <summary>
/// The alert delivery instruments (notifications, drops, deferrals, delivery attempts) on the NumoTelemetry meter. The fraud
/// engine's <c>FraudMetrics</c> extends them, so sinks count into the same instruments without knowing the engine.
/// </summary>
internal class AlertMetrics
{
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _deferred;
    private readonly Counter<long> _delivery;

    public AlertMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(NumoTelemetryMetrics.MeterName);
        _alerts = Meter.CreateCounter<long>("numo.alerts.notifications", unit: "{alert}", description: "Alert notifications sent to the sinks, by rule and severity.");
        _dropped = Meter.CreateCounter<long>("numo.alerts.dropped", unit: "{alert}", description: "Alerts dropped by a bound (open groups full, webhook queue full, webhook disabled), by reason.");
        _deferred = Meter.CreateCounter<long>("numo.alerts.deferred", unit: "{alert}", description: "Notifications held back by the global notification rate (sent later).");
        _delivery = Meter.CreateCounter<long>("numo.alerts.delivery", unit: "{attempt}", description: "Alert delivery attempts, by sink and outcome (success, retry, failed, gone, error).");
    }

    /// <summary>The NumoTelemetry meter, for the instruments of a derived class.</summary>
    protected Meter Meter { get; }

    public void AlertNotified(string rule, string severity) =>
        _alerts.Add(1, new KeyValuePair<string, object?>("numo.rule", rule), new KeyValuePair<string, object?>("numo.severity", severity));

    public void AlertDropped(string reason) => _dropped.Add(1, new KeyValuePair<string, object?>("numo.reason", reason));

    public void AlertDeferred() => _deferred.Add(1);

    public void AlertDelivery(string sink, string outcome) =>
        _delivery.Add(1, new KeyValuePair<string, object?>("numo.sink", sink), new KeyValuePair<string, object?>("numo.outcome", outcome));
}
