namespace NumoTelemetry.Alerts;

/// <summary>
/// The digest (<c>NumoTelemetry:Alerts:Digest</c>): alerts below the page band go to the chat webhooks as one message per
/// <see cref="Interval"/> instead of one message each; pages still go at once. The log and the signed webhook get every alert.
/// </summary>
public sealed class AlertDigestOptions
{
    /// <summary>How often the digest goes out (only when it holds alerts); <see cref="TimeSpan.Zero"/> sends every alert on its own.</summary>
    /// <value>Default: <see cref="TimeSpan.Zero"/> (off).</value>
    public TimeSpan Interval { get; set; } = TimeSpan.Zero;

    /// <summary>Alerts listed in one digest (the rest are counted by rule).</summary>
    /// <value>Default: 20.</value>
    public int MaxItems { get; set; } = 20;
}
