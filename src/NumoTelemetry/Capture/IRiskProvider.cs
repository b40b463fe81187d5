using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>
/// Answers the current risk of a request's subjects while its capture is finished: on the pipeline's consumer, or on the
/// request thread when the site reads <c>GetNumoRisk()</c> or enforcement is on. Implementations read local state only
/// (never the network), must be thread-safe and must not allocate.
/// </summary>
public interface IRiskProvider
{
    /// <summary>The risk of the subjects in <paramref name="record"/> (IP, prefix, session, visitor).</summary>
    NumoRisk GetRisk(in RequestRecord record);
}
