using System.Diagnostics.Metrics;
using NumoTelemetry.Metrics;

namespace NumoTelemetry.Redis;

/// <summary>Fleet-mode instruments on the <c>NumoTelemetry</c> meter. No tags carry a subject: outcomes only.</summary>
internal sealed class RedisMetrics
{
    private readonly Counter<long> _fallbackBatches;
    private readonly Counter<long> _outages;
    private readonly Counter<long> _operations;
    private readonly Counter<long> _reconciled;
    private readonly Histogram<double> _duration;
    private Func<int>? _fallback;

    public RedisMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(NumoTelemetryMeter.Name);
        meter.CreateObservableGauge(
            "numo.redis.fallback",
            () => _fallback?.Invoke() ?? 0,
            unit: "{state}",
            description: "1 while Redis is unreachable and fraud detection runs on this node's local state, 0 when the fleet state is in use.");
        _fallbackBatches = meter.CreateCounter<long>("numo.redis.fallback.batches", unit: "{batch}", description: "Batches whose fraud state went to the local store only, because Redis was unreachable, slow or the circuit was open.");
        _outages = meter.CreateCounter<long>("numo.redis.outages", unit: "{outage}", description: "Times Redis became unreachable (one per outage, not per batch).");
        _operations = meter.CreateCounter<long>("numo.redis.operations", unit: "{operation}", description: "Fraud state operations applied in Redis.");
        _reconciled = meter.CreateCounter<long>("numo.redis.reconcile.operations", unit: "{operation}", description: "Operations kept during an outage: replayed to Redis when it returned, or dropped beyond the replay capacity.");
        _duration = meter.CreateHistogram(
            "numo.redis.batch.duration",
            unit: "s",
            description: "Round trip of one batch's fraud state to Redis.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
    }

    public void SetFallbackSource(Func<int> fallback) => _fallback = fallback;

    public void FallbackBatch() => _fallbackBatches.Add(1);

    public void Outage() => _outages.Add(1);

    public void Applied(int operations, TimeSpan elapsed)
    {
        _operations.Add(operations);
        if (_duration.Enabled)
        {
            _duration.Record(elapsed.TotalSeconds);
        }
    }

    public void Reconciled(long count, string outcome)
    {
        if (count > 0)
        {
            _reconciled.Add(count, new KeyValuePair<string, object?>("numo.outcome", outcome));
        }
    }
}
