namespace NumoTelemetry.Alerts;

/// <summary>Alert delivery options.</summary>
public sealed class AlertOptions
{
    /// <summary>Turns alert delivery on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;
}
