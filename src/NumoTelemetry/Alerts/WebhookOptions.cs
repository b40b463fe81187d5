namespace NumoTelemetry.Alerts;

/// <summary>
/// The alert webhook (<c>NumoTelemetry:Alerts:Webhook</c>): each alert is POSTed as JSON, signed per the Standard Webhooks
/// specification (<c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature: v1,&lt;base64 HMAC-SHA256&gt;</c>).
/// </summary>
public sealed class WebhookOptions
{
    /// <summary>The receiver's URL (http or https); no webhook when unset.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    public Uri? Url { get; set; }

    /// <summary>The signing secret: <c>whsec_</c> followed by base64 of 24 to 64 random bytes (the Standard Webhooks format). Required with <see cref="Url"/>.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    public string? Secret { get; set; }

    /// <summary>Delivery attempts per alert, the first included. A 2xx answer ends them; 410 Gone disables the webhook.</summary>
    /// <value>Default: 6.</value>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The delay before the first retry; each retry doubles it, with jitter (half to full delay), up to <see cref="MaxBackoff"/>.</summary>
    /// <value>Default: 2 seconds.</value>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest delay between attempts (also caps a receiver's <c>Retry-After</c>).</summary>
    /// <value>Default: 5 minutes.</value>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Timeout of one attempt.</summary>
    /// <value>Default: 10 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Alerts waiting for delivery at most; beyond it new alerts are dropped and counted (<c>numo.alerts.dropped</c>).</summary>
    /// <value>Default: 1,000.</value>
    public int QueueSize { get; set; } = 1_000;
}
