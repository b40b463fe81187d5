namespace NumoTelemetry.Alerts;

/// <summary>
/// A chat tool's incoming webhook (<c>NumoTelemetry:Alerts:Slack</c>, <c>NumoTelemetry:Alerts:Teams</c>): each alert is POSTed as a
/// ready message (a one-line summary, severity, evidence highlights and a link to the alert in the workspace). The URL is the
/// secret: it is never logged.
/// </summary>
public sealed class ChatWebhookOptions
{
    /// <summary>The incoming webhook's URL (https, or http for a local relay); nothing is sent when unset.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    public Uri? Url { get; set; }

    /// <summary>Delivery attempts per message, the first included (408, 429, 5xx and network failures are retried).</summary>
    /// <value>Default: 6.</value>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The delay before the first retry; each retry doubles it, with jitter, up to <see cref="MaxBackoff"/>.</summary>
    /// <value>Default: 2 seconds.</value>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest delay between attempts (also caps a <c>Retry-After</c>).</summary>
    /// <value>Default: 5 minutes.</value>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Timeout of one attempt.</summary>
    /// <value>Default: 10 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages waiting for delivery at most; beyond it new ones are dropped and counted (<c>numo.alerts.dropped</c>).</summary>
    /// <value>Default: 1,000.</value>
    public int QueueSize { get; set; } = 1_000;
}
