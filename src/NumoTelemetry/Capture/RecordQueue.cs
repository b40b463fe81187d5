using NumoTelemetry.Capture;
using NumoTelemetry.Internal;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>
/// Between requests and the pipeline: a bounded, lock-free ring of the requests' own (pooled) state objects. A request
/// rents a <see cref="NumoRequestFeature"/>, fills it in place and enqueues the reference: nothing is copied on the
/// request thread, enqueue never blocks and never allocates, and when the ring is full the caller counts the drop.
/// <see cref="Drain"/> (single consumer) finishes each deferred capture (pseudonyms, User-Agent, enrichment, risk,
/// see <see cref="RequestReader.Begin"/>) and records the request metrics, copies the finished record out, clears the raw values
/// and gives the feature back for reuse, so whoever drains sees only finished, pseudonymised records. Features are
/// made at start-up (up to 1,024), then only when none is free (bursts), and at most <c>capacity</c> idle ones are kept.
/// </summary>
internal sealed class RecordQueue
{
    private readonly BoundedRing<NumoRequestFeature> _records;
    private readonly BoundedRing<NumoRequestFeature> _free;
    private readonly RequestFinisher? _finisher;
    private readonly NumoTelemetryMetrics? _metrics;

    public RecordQueue(int capacity)
        : this(capacity, null, null)
    {
    }

    /// <param name="capacity">Records the ring holds (rounded up to a power of two).</param>
    /// <param name="finisher">Finishes deferred captures in <see cref="Drain"/>.</param>
    /// <param name="metrics">Records the request metrics of every request (<see cref="Submit"/>, <see cref="Drain"/>) and counts drops and failures.</param>
    public RecordQueue(int capacity, RequestFinisher? finisher, NumoTelemetryMetrics? metrics)
    {
        _records = new BoundedRing<NumoRequestFeature>(capacity);
        // As many idle request states as the queue holds records.
        _free = new BoundedRing<NumoRequestFeature>(_records.Capacity);
        _finisher = finisher;
        _metrics = metrics;

        // Enough request state for the records of a poll interval at a busy site's rate, made now rather than while
        // requests arrive; the rest only if a burst needs it, then kept.
        for (var i = Math.Min(_records.Capacity, PrefilledFeatures); i > 0; i--)
        {
            _free.TryEnqueue(new NumoRequestFeature());
        }
    }

    /// <summary>Request-state objects made at start-up.</summary>
    internal const int PrefilledFeatures = 1024;

    public int Capacity => _records.Capacity;

    /// <summary>Approximate number of queued records.</summary>
    public long Count => _records.Count;

    /// <summary>A cleared feature for a new request: a free one, or a new one when none is free.</summary>
    public NumoRequestFeature Rent()
    {
        return _free.TryDequeue(out var free) ? free : new NumoRequestFeature();
    }

    /// <summary>Clears a feature that was not enqueued and keeps it for reuse.</summary>
    public void Return(NumoRequestFeature feature)
    {
        feature.Reset();
        _free.TryEnqueue(feature);
    }

    /// <summary>Enqueues a filled feature; the queue owns it from now on (unless this returns <see langword="false"/>).</summary>
    public bool TryEnqueue(NumoRequestFeature feature) => _records.TryEnqueue(feature);

    /// <summary>
    /// The request thread's last step: enqueues a completed request, measuring it when its capture is already finished (after the
    /// enqueue the pipeline owns the feature). A request the full queue drops is still measured (without its deferred User-Agent
    /// facts) and counted as dropped. On <see langword="false"/> the caller still owns the feature.
    /// </summary>
    public bool Submit(NumoRequestFeature feature)
    {
        var deferred = feature.Raw.Pending;
        if (!deferred)
        {
            Measure(feature);
        }

        if (_records.TryEnqueue(feature))
        {
            return true;
        }

        if (deferred)
        {
            Measure(feature);
        }

        _metrics?.RecordDropped("queue_full");
        return false;
    }

    /// <summary>Enqueues a finished record (a copy).</summary>
    public bool TryEnqueue(in RequestRecord record)
    {
        var feature = Rent();
        feature.Record = record;
        if (_records.TryEnqueue(feature))
        {
            return true;
        }

        Return(feature);
        return false;
    }

    /// <summary>Moves up to <c>destination.Length</c> records out, their captures finished; single consumer only.</summary>
    public int Drain(Span<RequestRecord> destination)
    {
        var count = 0;
        var clockRead = false;
        DateTimeOffset utcNow = default;
        long timestampNow = 0;
        while (count < destination.Length && _records.TryDequeue(out var feature))
        {
            if (feature.Raw.Pending)
            {
                if (!clockRead)
                {
                    // One reading of the clock per batch: each record's start time is worked out from its start timestamp.
                    var time = _finisher?.Time ?? TimeProvider.System;
                    utcNow = time.GetUtcNow();
                    timestampNow = time.GetTimestamp();
                    clockRead = true;
                }

                FinishCapture(feature, utcNow, timestampNow);
            }

            destination[count++] = feature.Record;
            Return(feature);
        }

        return count;
    }

    /// <summary>Test hook: whether any queued or free feature still holds raw request values.</summary>
    internal bool HoldsRawValues()
    {
        // Every field, whatever RawRequest holds now or later: a cleared one is the default value.
        return _records.Snapshot().Concat(_free.Snapshot()).Any(feature => !feature.Raw.Equals(default(RawRequest)));
    }

    private void FinishCapture(NumoRequestFeature feature, DateTimeOffset utcNow, long timestampNow)
    {
        if (_finisher is null)
        {
            feature.Raw = default;
            return;
        }

        try
        {
            _finisher.CompleteDeferred(feature, utcNow, timestampNow); // clears the raw values, even when it throws
        }
        catch (Exception)
        {
            // Bad input never loses the record: it goes on with what was captured; the failure is counted.
            _metrics?.RecordError("capture");
        }

        Measure(feature);
    }

    /// <summary>The one place request metrics are recorded: once per request, when its record is final (or dropped).</summary>
    private void Measure(NumoRequestFeature feature) => _metrics?.RecordRequest(in feature.Record);
}
