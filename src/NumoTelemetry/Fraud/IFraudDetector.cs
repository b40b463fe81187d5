using NumoTelemetry.Sessions;

namespace NumoTelemetry.Fraud;

/// <summary>
/// One detector: judges a request in its access-pattern context and reports hits to the <see cref="DetectionContext"/>. Runs on the pipeline
/// thread; must not allocate on the common path (only when it fires).
/// </summary>
internal interface IFraudDetector
{
    void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context);
}
