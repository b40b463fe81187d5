using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Alerts;
using NumoTelemetry.Metrics;

namespace NumoTelemetry.Dashboard.Workspace;

/// <summary>
/// The fraud engine's alerts into the workspace store: an alert sink that queues each notification (bounded; beyond
/// <see cref="MaxPending"/> the alert is counted in <c>numo.pipeline.records.dropped{numo.reason=workspace_alerts}</c> and
/// dropped) and <see cref="WritePendingAsync"/>, called by the <see cref="WorkspaceService"/> on the dashboard's write
/// interval and by the API before it reads, so an investigator sees an alert as soon as it was raised.
/// </summary>
internal sealed class WorkspaceAlertRecorder(
    IFraudWorkspaceStore store,
    Microsoft.Extensions.Options.IOptions<DashboardOptions> options,
    ILogger<WorkspaceAlertRecorder> logger,
    ILossCounter? metrics = null) : IAlertSink
{
    private readonly bool _enabled = !string.IsNullOrWhiteSpace(options.Value.FraudPolicy);

    internal const int MaxPending = 10_000;

    private readonly ConcurrentQueue<WorkspaceAlert> _pending = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private int _count;
    private long _dropped;

    internal long Dropped => Interlocked.Read(ref _dropped);

    public void Publish(FraudAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (!_enabled)
        {
            return; // no workspace: its store keeps no alerts
        }

        if (Interlocked.Increment(ref _count) > MaxPending)
        {
            Interlocked.Decrement(ref _count);
            Drop(1);
            return;
        }

        _pending.Enqueue(ToWorkspace(alert));
    }

    /// <summary>Writes the queued alerts in one store call; on failure they are queued again (within the bound) and the exception thrown.</summary>
    public async ValueTask WritePendingAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var batch = new List<WorkspaceAlert>();
            while (_pending.TryDequeue(out var alert))
            {
                Interlocked.Decrement(ref _count);
                batch.Add(alert);
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await store.UpsertAlertsAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                var lost = 0;
                foreach (var alert in batch)
                {
                    if (Interlocked.Increment(ref _count) > MaxPending)
                    {
                        Interlocked.Decrement(ref _count);
                        lost++;
                        continue;
                    }

                    _pending.Enqueue(alert);
                }

                Drop(lost);
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void Drop(int count)
    {
        if (count == 0)
        {
            return;
        }

        if (Interlocked.Add(ref _dropped, count) == count)
        {
            DashboardLog.AlertNotStored(logger, "WorkspaceQueueFull");
        }

        for (var i = 0; i < count; i++)
        {
            metrics?.RecordDropped("workspace_alerts");
        }
    }

    /// <summary>The workspace's copy of an alert: reasons and evidence as JSON (the alert's own spelling, numbers rounded as in its webhook body).</summary>
    internal static WorkspaceAlert ToWorkspace(FraudAlert alert)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var reason in alert.Reasons)
            {
                writer.WriteStartObject();
                writer.WriteString("code", reason.Code);
                writer.WriteNumber("points", Math.Round(reason.Points, 1));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        var reasons = Encoding.UTF8.GetString(buffer.WrittenSpan);
        buffer.Clear();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in alert.Evidence)
            {
                switch (value)
                {
                    case double d when double.IsFinite(d):
                        writer.WriteNumber(name, Math.Round(d, 3));
                        break;
                    case long l:
                        writer.WriteNumber(name, l);
                        break;
                    case int i:
                        writer.WriteNumber(name, i);
                        break;
                    default:
                        writer.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return new WorkspaceAlert
        {
            Id = alert.Id,
            Rule = alert.Rule,
            Severity = alert.Severity,
            Score = Math.Round(alert.Score, 1),
            SubjectKind = alert.SubjectKind,
            Subject = alert.Subject,
            FirstSeen = alert.FirstSeen,
            LastSeen = alert.LastSeen,
            Count = alert.Count,
            ReasonsJson = reasons,
            EvidenceJson = Encoding.UTF8.GetString(buffer.WrittenSpan),
        };
    }
}
