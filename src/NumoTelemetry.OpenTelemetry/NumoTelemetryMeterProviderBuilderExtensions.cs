using NumoTelemetry.Metrics;

namespace OpenTelemetry.Metrics;

/// <summary>Registers NumoTelemetry's meter with OpenTelemetry.</summary>
public static class NumoTelemetryMeterProviderBuilderExtensions
{
    /// <summary>Exports NumoTelemetry's metrics (meter <c>NumoTelemetry</c>).</summary>
    public static MeterProviderBuilder AddNumoTelemetryInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(NumoTelemetryMeter.Name);
    }
}
