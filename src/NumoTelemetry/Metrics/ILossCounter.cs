namespace NumoTelemetry.Metrics;

/// <summary>
/// Counts what telemetry lost in NumoTelemetry's own instruments (meter <see cref="NumoTelemetryMeter.Name"/>): records
/// dropped, in <c>numo.pipeline.records.dropped{numo.reason}</c>, and failures of a stage, in <c>numo.errors{numo.stage}</c>.
/// An extension point for add-on packages and processors of one's own (<c>IRequestRecordProcessor</c>):
/// telemetry failing never fails a request, and every loss is counted. <c>AddNumoTelemetry</c> registers it; take it
/// from the service provider. Thread-safe; allocates nothing.
/// </summary>
public interface ILossCounter
{
    /// <summary>Counts one record dropped.</summary>
    /// <param name="reason">Why, as a fixed <c>snake_case</c> name (a tag value: a small, constant set per package).</param>
    void RecordDropped(string reason);

    /// <summary>Counts one failure of a stage (the request or record it concerned went on, or was counted as dropped).</summary>
    /// <param name="stage">Where, as a fixed <c>snake_case</c> name (a tag value: a small, constant set per package).</param>
    void RecordError(string stage);
}
