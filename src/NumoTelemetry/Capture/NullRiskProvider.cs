using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>The risk provider when fraud detection is off: no risk, no work.</summary>
internal sealed class NullRiskProvider : IRiskProvider
{
    public NumoRisk GetRisk(in RequestRecord record) => NumoRisk.None;
}
