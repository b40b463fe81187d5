using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Internal;

namespace NumoTelemetry.Alerts;

/// <summary>
/// POSTs alerts as JSON to <see cref="WebhookOptions.Url"/>, signed per Standard Webhooks. A bounded queue decouples the pipeline from
/// the receiver; one background worker delivers in order, retrying 408, 429, 5xx and network failures with exponential backoff and
/// jitter (honouring <c>Retry-After</c> up to the maximum backoff). 410 Gone disables the webhook. Nothing here can affect a request.
/// </summary>
internal sealed class WebhookAlertSink : IAlertSink, IAsyncDisposable, IDisposable
{
    private readonly WebhookOptions _options;
    private readonly AlertMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly byte[] _key = [];
    private readonly Channel<FraudAlert>? _queue;
    private readonly AlertPoster? _poster;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _startLock = new();
    private Task? _worker;
    private volatile bool _gone;
    private long _delivered;

    public WebhookAlertSink(IOptions<NumoTelemetryOptions> options, AlertMetrics metrics, ILoggerFactory loggerFactory, TimeProvider time)
        : this(options, metrics, loggerFactory, time, null)
    {
    }

    internal WebhookAlertSink(IOptions<NumoTelemetryOptions> options, AlertMetrics metrics, ILoggerFactory loggerFactory, TimeProvider time, HttpMessageHandler? handler)
    {
        _options = options.Value.Alerts.Webhook;
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger<WebhookAlertSink>();
        _time = time;
        if (_options.Url is null || !options.Value.Alerts.Enabled || !StandardWebhookSigner.TryDecodeSecret(_options.Secret, out _key))
        {
            return;
        }

        _queue = Channel.CreateBounded<FraudAlert>(new BoundedChannelOptions(Math.Max(1, _options.QueueSize))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: we drop and count
        });
        _poster = new AlertPoster(_options.Url, _options.MaxAttempts, _options.Timeout, _options.InitialBackoff, _options.MaxBackoff, time, metrics, "webhook", handler);
    }

    /// <summary>Whether the webhook was disabled by a 410 Gone answer.</summary>
    public bool IsGone => _gone;

    /// <summary>Alerts delivered (2xx) so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public void Publish(FraudAlert alert)
    {
        if (_queue is null)
        {
            return;
        }

        if (_gone)
        {
            _metrics.AlertDropped("webhook_gone");
            return;
        }

        EnsureStarted();
        if (!_queue.Writer.TryWrite(alert))
        {
            _metrics.AlertDropped("webhook_queue_full");
            Log.WebhookQueueFull(_logger, _options.QueueSize, alert.Id);
        }
    }

    private void EnsureStarted()
    {
        if (_worker is not null)
        {
            return;
        }

        lock (_startLock)
        {
            _worker ??= Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        try
        {
            await foreach (var alert in _queue!.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (_gone)
                {
                    _metrics.AlertDropped("webhook_gone");
                    continue;
                }

                await DeliverAsync(alert, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(FraudAlert alert, CancellationToken token)
    {
        var body = alert.ToUtf8Json();
        var messageId = $"{alert.Id}_{alert.Sequence}";
        var (result, outcome) = await _poster!.PostAsync(body, request => Sign(request, messageId, body), token).ConfigureAwait(false);
        switch (result)
        {
            case AlertPostResult.Delivered:
                _metrics.AlertDelivery("webhook", "success");
                Interlocked.Increment(ref _delivered);
                break;
            case AlertPostResult.Gone:
                _gone = true;
                _metrics.AlertDelivery("webhook", "gone");
                Log.WebhookGone(_logger);
                break;
            case AlertPostResult.Failed:
                _metrics.AlertDelivery("webhook", "failed");
                Log.WebhookDeliveryFailed(_logger, alert.Id, _poster.MaxAttempts, outcome);
                break;
        }
    }

    /// <summary>The Standard Webhooks headers of one attempt: the message id, the attempt's time and the signature over both and the body.</summary>
    private void Sign(HttpRequestMessage request, string messageId, byte[] body)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation("webhook-id", messageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", StandardWebhookSigner.Sign(_key, messageId, timestamp, body));
    }

    /// <summary>The delay before retry <paramref name="attempt"/> (see <see cref="AlertPoster.Backoff"/>).</summary>
    internal TimeSpan Backoff(int attempt, TimeSpan? retryAfter) => _poster!.Backoff(attempt, retryAfter);

    /// <summary>Stops taking alerts and gives the queue up to <paramref name="timeout"/> to drain.</summary>
    internal async Task DrainAsync(TimeSpan timeout)
    {
        _queue?.Writer.TryComplete();
        if (_worker is { } worker)
        {
            await Task.WhenAny(worker, Task.Delay(timeout, _time)).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DrainAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        Dispose();
    }

    public void Dispose()
    {
        _queue?.Writer.TryComplete();
        _stopping.Cancel();
        _poster?.Dispose();
        _stopping.Dispose();
    }
}
