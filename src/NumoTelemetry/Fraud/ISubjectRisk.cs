using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Fraud;

/// <summary>A subject's current fraud score as this node's risk cache holds it (what in-request enforcement reads).</summary>
public interface ISubjectRisk
{
    /// <summary>The subject's decayed score at <paramref name="at"/> (0 when unknown) and its top reason.</summary>
    /// <param name="subject">The subject.</param>
    /// <param name="at">When.</param>
    /// <param name="topReason">The reason with the most points, or <see langword="null"/>.</param>
    /// <returns>The score.</returns>
    double Get(in SubjectKey subject, DateTimeOffset at, out string? topReason);
}
