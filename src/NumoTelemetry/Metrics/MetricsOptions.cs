namespace NumoTelemetry.Metrics;

/// <summary>Options of NumoTelemetry's OpenTelemetry metrics.</summary>
public sealed class MetricsOptions
{
    /// <summary>Distinct values kept per metric tag; further values are folded into <c>other</c> (the cardinality guard).</summary>
    /// <value>Default: 100.</value>
    public int MaxValuesPerTag { get; set; } = 100;
}
