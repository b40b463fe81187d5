using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Alerts;

/// <summary>
/// Alert delivery to the fraud team (<c>NumoTelemetry:Alerts</c>). Alerts are grouped per subject and rule and throttled the
/// way Alertmanager does it: the first notification of a group waits <see cref="GroupWait"/> to gather what follows, an
/// update waits at least <see cref="GroupInterval"/> and only goes out when the group grew or escalated, an unchanged group
/// that still fires is repeated after <see cref="RepeatInterval"/>.
/// </summary>
public sealed class AlertOptions
{
    /// <summary>Turns alert delivery on or off (detection and risk scores go on regardless).</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a new group waits before its first notification.</summary>
    /// <value>Default: 30 seconds.</value>
    public TimeSpan GroupWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The least time between two notifications of one group.</summary>
    /// <value>Default: 5 minutes.</value>
    public TimeSpan GroupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>When an unchanged group that still fires is notified again.</summary>
    /// <value>Default: 4 hours.</value>
    public TimeSpan RepeatInterval { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Most open groups; beyond it new groups are dropped and counted, so an attack cannot exhaust memory.</summary>
    /// <value>Default: 10,000.</value>
    public int MaxGroups { get; set; } = 10_000;

    /// <summary>Most notifications per minute over all groups; the rest wait their turn (they are not lost while their group is open).</summary>
    /// <value>Default: 60.</value>
    public int MaxNotificationsPerMinute { get; set; } = 60;

    /// <summary>Whether alerts are written through <c>ILogger</c> (category <c>NumoTelemetry.Alerts</c>; exported as OpenTelemetry log records by the OpenTelemetry logging provider).</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool LoggerEnabled { get; set; } = true;

    /// <summary>The level of alert log records (a page is logged one level higher, up to Critical).</summary>
    /// <value>Default: <see cref="LogLevel.Warning"/>.</value>
    public LogLevel LogLevel { get; set; } = LogLevel.Warning;

    /// <summary>The signed webhook.</summary>
    public WebhookOptions Webhook { get; set; } = new();

    /// <summary>
    /// The fraud workspace's address: the dashboard's absolute URL with its prefix, for example <c>https://shop.example/numo</c>.
    /// Chat messages and alert log records link to <c>{WorkspaceUrl}/fraud/#/alert/{id}</c> (the workspace page's alert detail); no link when unset.
    /// </summary>
    /// <value>Default: <see langword="null"/>.</value>
    public Uri? WorkspaceUrl { get; set; }

    /// <summary>A Slack incoming webhook (<c>NumoTelemetry:Alerts:Slack</c>).</summary>
    public ChatWebhookOptions Slack { get; set; } = new();

    /// <summary>A Microsoft Teams incoming webhook or Workflows webhook (<c>NumoTelemetry:Alerts:Teams</c>): an Adaptive Card per message.</summary>
    public ChatWebhookOptions Teams { get; set; } = new();

    /// <summary>The digest of alerts below the page band for the chat webhooks (<c>NumoTelemetry:Alerts:Digest</c>).</summary>
    public AlertDigestOptions Digest { get; set; } = new();
}
