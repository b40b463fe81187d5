namespace NumoTelemetry.Metrics;

/// <summary>The meter NumoTelemetry records on: pass <see cref="Name"/> to OpenTelemetry's <c>AddMeter</c>.</summary>
public static class NumoTelemetryMeter
{
    /// <summary>The meter name, <c>NumoTelemetry</c>.</summary>
    public const string Name = NumoTelemetryMetrics.MeterName;
}
