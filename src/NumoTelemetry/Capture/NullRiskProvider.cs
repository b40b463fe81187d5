using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>The risk provider when fraud detection is off: no risk, no work.</summary>
internal sealed class NullRiskProvider : IRiskProvider
{
    public RequestRisk GetRisk(in RequestRecord record) => RequestRisk.None;
}
