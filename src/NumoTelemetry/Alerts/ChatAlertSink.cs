using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Internal;
using NumoTelemetry.Records;

namespace NumoTelemetry.Alerts;

/// <summary>
/// POSTs ready chat messages (<see cref="ChatMessages"/>) to a chat tool's incoming webhook: one per alert, or — with
/// <see cref="AlertDigestOptions.Interval"/> — one digest per interval for alerts below the page band. A bounded queue and one
/// background worker, retrying 408, 429, 5xx and network failures with exponential backoff and jitter (honouring
/// <c>Retry-After</c>). The webhook URL is a secret: never logged. Nothing here can affect a request.
/// </summary>
internal abstract class ChatAlertSink : IAlertSink, IAsyncDisposable, IDisposable
{
    private readonly ChatWebhookOptions _options;
    private readonly AlertOptions _alerts;
    private readonly AlertMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<byte[]>? _queue;
    private readonly AlertPoster? _poster;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private readonly List<FraudAlert> _digestItems = new();
    private readonly Dictionary<string, int> _digestByRule = new(StringComparer.Ordinal);
    private readonly ITimer? _digestTimer;
    private int _digestTotal;
    private Task? _worker;
    private long _delivered;
    private int _disposed;

    protected ChatAlertSink(string name, ChatWebhookOptions options, AlertOptions alerts, AlertMetrics metrics, ILogger logger, TimeProvider time, HttpMessageHandler? handler)
    {
        Name = name;
        _options = options;
        _alerts = alerts;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        if (options.Url is null || !alerts.Enabled)
        {
            return;
        }

        _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Math.Max(1, options.QueueSize))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: we drop and count
        });
        _poster = new AlertPoster(options.Url, options.MaxAttempts, options.Timeout, options.InitialBackoff, options.MaxBackoff, time, metrics, name, handler);
        if (alerts.Digest.Interval > TimeSpan.Zero)
        {
            _digestTimer = time.CreateTimer(static state => ((ChatAlertSink)state!).SendDigest(), this, alerts.Digest.Interval, alerts.Digest.Interval);
        }
    }

    /// <summary>The sink's name in metrics and logs (<c>slack</c>, <c>teams</c>).</summary>
    public string Name { get; }

    /// <summary>Messages delivered (2xx) so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    protected abstract byte[] FormatAlert(FraudAlert alert, string? link);

    protected abstract byte[] FormatDigest(AlertDigest digest, Uri? workspace);

    public void Publish(FraudAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (_queue is null)
        {
            return;
        }

        if (_digestTimer is not null && alert.Band < RiskBand.Page)
        {
            lock (_gate)
            {
                _digestTotal++;
                _digestByRule[alert.Rule] = _digestByRule.TryGetValue(alert.Rule, out var n) ? n + 1 : 1;
                if (_digestItems.Count < Math.Max(1, _alerts.Digest.MaxItems))
                {
                    _digestItems.Add(alert);
                }
            }

            return;
        }

        Enqueue(FormatAlert(alert, AlertLinks.Of(_alerts, alert)));
    }

    /// <summary>Sends the digest of the period now, if it holds alerts (the timer's callback; tests).</summary>
    internal void SendDigest()
    {
        AlertDigest digest;
        lock (_gate)
        {
            if (_digestTotal == 0)
            {
                return;
            }

            var byRule = new List<KeyValuePair<string, int>>(_digestByRule);
            byRule.Sort(static (a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
            digest = new AlertDigest([.. _digestItems], byRule, _digestTotal, _alerts.Digest.Interval);
            _digestItems.Clear();
            _digestByRule.Clear();
            _digestTotal = 0;
        }

        try
        {
            Enqueue(FormatDigest(digest, _alerts.WorkspaceUrl));
        }
        catch (Exception ex)
        {
            _metrics.AlertDelivery(Name, "error");
            Log.AlertSinkFailed(_logger, Name, ex.GetType().Name);
        }
    }

    private void Enqueue(byte[] message)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        EnsureStarted();
        if (!_queue!.Writer.TryWrite(message))
        {
            _metrics.AlertDropped(Name + "_queue_full");
            Log.ChatQueueFull(_logger, Name, _options.QueueSize);
        }
    }

    private void EnsureStarted()
    {
        if (_worker is not null)
        {
            return;
        }

        lock (_gate)
        {
            _worker ??= Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        try
        {
            await foreach (var message in _queue!.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                await DeliverAsync(message, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(byte[] body, CancellationToken token)
    {
        var (result, outcome) = await _poster!.PostAsync(body, prepare: null, token).ConfigureAwait(false);
        if (result == AlertPostResult.Delivered)
        {
            _metrics.AlertDelivery(Name, "success");
            Interlocked.Increment(ref _delivered);
        }
        else if (result != AlertPostResult.Canceled)
        {
            // A chat webhook that answers 410 Gone is a failed delivery like any rejection: the URL may be fixed without a restart.
            _metrics.AlertDelivery(Name, "failed");
            Log.ChatDeliveryFailed(_logger, Name, _poster.MaxAttempts, outcome);
        }
    }

    /// <summary>Sends what the digest holds, stops taking messages and gives the queue up to <paramref name="timeout"/> to drain.</summary>
    internal async Task DrainAsync(TimeSpan timeout)
    {
        if (_queue is null)
        {
            return;
        }

        SendDigest();
        _queue.Writer.TryComplete();
        if (_worker is { } worker)
        {
            await Task.WhenAny(worker, Task.Delay(timeout, _time)).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            await DrainAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _digestTimer?.Dispose();
        _queue?.Writer.TryComplete();
        _stopping.Cancel();
        _poster?.Dispose();
        _stopping.Dispose();
    }
}
