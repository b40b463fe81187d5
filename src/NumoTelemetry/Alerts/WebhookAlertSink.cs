using System.Net;
using System.Net.Http.Headers;
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
    private readonly HttpClient? _client;
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
        _client = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
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

    // Long because: one delivery: payload, signing headers and the retry loop's outcomes, each counted.
    private async Task DeliverAsync(FraudAlert alert, CancellationToken token)
    {
        var body = alert.ToUtf8Json();
        var messageId = $"{alert.Id}_{alert.Sequence}";
        var maxAttempts = Math.Max(1, _options.MaxAttempts);
        var outcome = "none";
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(_options.Timeout);
                var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
                using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url);
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                request.Headers.TryAddWithoutValidation("webhook-id", messageId);
                request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.TryAddWithoutValidation("webhook-signature", StandardWebhookSigner.Sign(_key, messageId, timestamp, body));
                using var response = await _client!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    _metrics.AlertDelivery("webhook", "success");
                    Interlocked.Increment(ref _delivered);
                    return;
                }

                if (response.StatusCode == HttpStatusCode.Gone)
                {
                    _gone = true;
                    _metrics.AlertDelivery("webhook", "gone");
                    Log.WebhookGone(_logger);
                    return;
                }

                outcome = $"HTTP {status}";
                if (!(status is 408 or 429 || status >= 500))
                {
                    break; // the receiver rejects this message: retrying will not help
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                outcome = ex is OperationCanceledException ? "timeout" : ex.GetType().Name;
            }

            if (attempt == maxAttempts)
            {
                break;
            }

            _metrics.AlertDelivery("webhook", "retry");
            try
            {
                await Task.Delay(Backoff(attempt, retryAfter), _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        _metrics.AlertDelivery("webhook", "failed");
        Log.WebhookDeliveryFailed(_logger, alert.Id, maxAttempts, outcome);
    }

    /// <summary>Exponential backoff with "equal jitter": half the delay fixed, half random; a <c>Retry-After</c> is a floor; capped.</summary>
    internal TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var max = _options.MaxBackoff;
        var exponential = _options.InitialBackoff * Math.Pow(2, Math.Min(30, attempt - 1));
        var delay = exponential > max ? max : exponential;
        delay = (delay / 2) + (delay / 2 * Random.Shared.NextDouble());
        if (retryAfter is { } floor && floor > delay)
        {
            delay = floor > max ? max : floor;
        }

        return delay;
    }

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
        _client?.Dispose();
        _stopping.Dispose();
    }
}
