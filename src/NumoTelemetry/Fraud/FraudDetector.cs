using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud;

/// <summary>
/// One detector: judges a request in its access-pattern context and reports hits to the <see cref="DetectionContext"/>. Runs on the pipeline
/// thread; must not allocate on the common path (only when it fires).
/// </summary>
/// <remarks>
/// An abstract class rather than an interface: the engine calls every detector for every record from one call site, where an
/// interface call on fourteen types goes through the runtime's resolve stub (a lookup per call) and a virtual call is a slot in
/// the type's method table.
/// </remarks>
internal abstract class FraudDetector
{
    public abstract void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context);
}
