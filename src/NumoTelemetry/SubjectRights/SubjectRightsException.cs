using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>An export or erasure could not be done as asked; the message says why and what to do (it holds no raw value).</summary>
internal sealed class SubjectRightsException(string message) : Exception(message);
