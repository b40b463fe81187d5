using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Alerts;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Dashboard;

/// <summary>
/// Connects the fraud engine to the dashboard: an alert sink that keeps each fraud alert (rule, severity, score, subject kind and
/// pseudonym: never a raw value) for the dashboard store, and the feed the fraud overview reads, so alert counts by rule and severity
/// cover the whole retention and survive restarts.
/// </summary>
/// <remarks>
/// <see cref="Publish"/> runs on the fraud pipeline thread and only queues (bounded: beyond <see cref="MaxPending"/> alerts are counted
/// and dropped); the <see cref="DashboardProcessor"/> writes the queue in one batch with its pending cells, every
/// <c>Dashboard:WriteInterval</c>. Reads merge the queued alerts, so the overview shows an alert before it is written. What is still
/// queued at shutdown is written when the container disposes the feed.
/// </remarks>
internal sealed class StoredAlertFeed(IDashboardStore store, ILogger<StoredAlertFeed> logger) : IAlertSink, IDashboardAlertFeed, IDisposable
{
    /// <summary>Most alerts queued between writes.</summary>
    internal const int MaxPending = 10_000;

    private readonly ConcurrentQueue<DashboardAlert> _pending = new();
    private int _count;
    private long _dropped;

    /// <summary>Alerts queued and not yet written.</summary>
    internal int PendingCount => Volatile.Read(ref _count);

    /// <summary>Alerts dropped because the queue was full (the store was failing or writes were not running).</summary>
    internal long Dropped => Interlocked.Read(ref _dropped);

    public void Publish(FraudAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (Interlocked.Increment(ref _count) > MaxPending)
        {
            Interlocked.Decrement(ref _count);
            if (Interlocked.Increment(ref _dropped) == 1)
            {
                DashboardLog.AlertNotStored(logger, "QueueFull");
            }

            return;
        }

        _pending.Enqueue(new DashboardAlert
        {
            Timestamp = alert.LastSeen,
            Rule = alert.Rule,
            Severity = alert.Severity,
            Score = alert.Score,
            SubjectKind = alert.SubjectKind,
            Subject = alert.Subject,
        });
    }

    /// <summary>
    /// Writes the queued alerts in one batch (one store call, one transaction). When the store fails, the batch is
    /// queued again for the next write (within <see cref="MaxPending"/>; beyond it counted in <see cref="Dropped"/>)
    /// and the exception thrown, for the <see cref="DashboardProcessor"/> to count.
    /// </summary>
    /// <returns>Whether the store was called.</returns>
    internal async ValueTask<bool> WritePendingAsync(CancellationToken cancellationToken)
    {
        if (PendingCount == 0)
        {
            return false;
        }

        var batch = new List<DashboardAlert>(PendingCount);
        while (_pending.TryDequeue(out var alert))
        {
            Interlocked.Decrement(ref _count);
            batch.Add(alert);
        }

        if (batch.Count == 0)
        {
            return false;
        }

        try
        {
            await store.AppendAlertsAsync(batch, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch
        {
            foreach (var alert in batch)
            {
                if (Interlocked.Increment(ref _count) > MaxPending)
                {
                    Interlocked.Decrement(ref _count);
                    Interlocked.Increment(ref _dropped);
                    continue;
                }

                _pending.Enqueue(alert);
            }

            throw;
        }
    }

    public async ValueTask<IReadOnlyList<DashboardAlert>> GetAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken)
    {
        var stored = await store.ReadAlertsAsync(since, max, cancellationToken).ConfigureAwait(false);
        if (PendingCount == 0)
        {
            return stored;
        }

        // Alerts not yet written: merged, newest first, still at most max.
        var merged = new List<DashboardAlert>(stored.Count + PendingCount);
        merged.AddRange(stored);
        foreach (var alert in _pending)
        {
            if (alert.Timestamp >= since)
            {
                merged.Add(alert);
            }
        }

        merged.Sort(static (a, b) => b.Timestamp.CompareTo(a.Timestamp));
        if (merged.Count > max)
        {
            merged.RemoveRange(max, merged.Count - max);
        }

        return merged;
    }

    /// <summary>Writes what is still queued (alerts the fraud engine sent at shutdown).</summary>
    public void Dispose()
    {
        try
        {
            WritePendingAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        catch (ObjectDisposedException)
        {
            // The store went first: nothing more can be written.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            DashboardLog.AlertNotStored(logger, ex.GetType().Name);
        }
    }
}
