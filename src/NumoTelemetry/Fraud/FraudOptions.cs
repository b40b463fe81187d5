namespace NumoTelemetry.Fraud;

/// <summary>Fraud detection options.</summary>
public sealed class FraudOptions
{
    /// <summary>Turns fraud detection on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;
}
