using System.Net;
using System.Net.Http.Headers;

namespace NumoTelemetry.Alerts;

/// <summary>
/// POSTs one JSON body to an alert receiver with retries: 408, 429, 5xx and network failures are retried with exponential
/// backoff and jitter, honouring <c>Retry-After</c> up to the maximum backoff; each retry is counted as
/// <c>numo.alerts.deliveries{numo.outcome=retry}</c> of its sink. Owns its <see cref="HttpClient"/>. The URL is never logged.
/// </summary>
internal sealed class AlertPoster : IDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _url;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _initialBackoff;
    private readonly TimeSpan _maxBackoff;
    private readonly TimeProvider _time;
    private readonly AlertMetrics _metrics;
    private readonly string _sink;

    /// <param name="url">The receiver.</param>
    /// <param name="maxAttempts">Attempts at most (at least one).</param>
    /// <param name="timeout">The timeout of one attempt.</param>
    /// <param name="initialBackoff">The delay before the first retry; each retry doubles it.</param>
    /// <param name="maxBackoff">The longest delay.</param>
    /// <param name="time">The clock of the delays.</param>
    /// <param name="metrics">Where retries are counted.</param>
    /// <param name="sink">The sink's name in the metrics.</param>
    /// <param name="handler">The HTTP handler (tests); a pooled <see cref="SocketsHttpHandler"/> by default.</param>
    public AlertPoster(Uri url, int maxAttempts, TimeSpan timeout, TimeSpan initialBackoff, TimeSpan maxBackoff, TimeProvider time, AlertMetrics metrics, string sink, HttpMessageHandler? handler)
    {
        _url = url;
        MaxAttempts = Math.Max(1, maxAttempts);
        _timeout = timeout;
        _initialBackoff = initialBackoff;
        _maxBackoff = maxBackoff;
        _time = time;
        _metrics = metrics;
        _sink = sink;
        _client = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Attempts at most per body.</summary>
    public int MaxAttempts { get; }

    /// <summary>
    /// Posts <paramref name="body"/> until it is delivered (2xx), the receiver is gone (410), rejects it (another 4xx), the
    /// attempts run out, or <paramref name="token"/> stops the sink. <paramref name="prepare"/> adds headers to each attempt's
    /// request. Returns how it ended and the last attempt's outcome (<c>HTTP 503</c>, <c>timeout</c>, an exception type name).
    /// </summary>
    public async Task<(AlertPostResult Result, string Outcome)> PostAsync(byte[] body, Action<HttpRequestMessage>? prepare, CancellationToken token)
    {
        var outcome = "none";
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(_timeout);
                using var request = CreateRequest(body, prepare);
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return (AlertPostResult.Delivered, "success");
                }

                outcome = $"HTTP {status}";
                if (response.StatusCode == HttpStatusCode.Gone)
                {
                    return (AlertPostResult.Gone, outcome);
                }

                if (!(status is 408 or 429 || status >= 500))
                {
                    break; // the receiver rejects this message: retrying will not help
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return (AlertPostResult.Canceled, "canceled");
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                outcome = ex is OperationCanceledException ? "timeout" : ex.GetType().Name;
            }

            if (attempt == MaxAttempts)
            {
                break;
            }

            _metrics.AlertDelivery(_sink, "retry");
            try
            {
                await Task.Delay(Backoff(attempt, retryAfter), _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (AlertPostResult.Canceled, "canceled");
            }
        }

        return (AlertPostResult.Failed, outcome);
    }

    private HttpRequestMessage CreateRequest(byte[] body, Action<HttpRequestMessage>? prepare)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        prepare?.Invoke(request);
        return request;
    }

    /// <summary>Exponential backoff with "equal jitter": half the delay fixed, half random; a <c>Retry-After</c> is a floor; capped.</summary>
    public TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var max = _maxBackoff;
        var exponential = _initialBackoff * Math.Pow(2, Math.Min(30, attempt - 1));
        var delay = exponential > max ? max : exponential;
        delay = (delay / 2) + (delay / 2 * Random.Shared.NextDouble());
        if (retryAfter is { } floor && floor > delay)
        {
            delay = floor > max ? max : floor;
        }

        return delay;
    }

    public void Dispose() => _client.Dispose();
}
