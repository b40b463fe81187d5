namespace NumoTelemetry.Fraud;

/// <summary>
/// Answers the current risk of a request's subjects on the request hot path. Implementations read
/// local state only (never the network) and must not allocate.
/// </summary>
public interface IRiskProvider
{
    /// <summary>The risk of the subjects in <paramref name="record"/> (IP, prefix, session, visitor).</summary>
    NumoRisk GetRisk(in RequestRecord record);
}
