using System.Collections.Concurrent;
using NumoTelemetry.Alerts;

namespace NumoTelemetry.Redis.Tests;

/// <summary>Collects alerts (thread-safe).</summary>
internal sealed class CollectingAlertSink : IAlertSink
{
    private readonly ConcurrentQueue<FraudAlert> _alerts = new();

    public IReadOnlyCollection<FraudAlert> All => _alerts;

    public void Publish(FraudAlert alert) => _alerts.Enqueue(alert);
}
