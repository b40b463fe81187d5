using Microsoft.Extensions.Logging;
using NumoTelemetry.Fraud;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;
using NumoTelemetry.RequestLog;

namespace NumoTelemetry.SubjectRights;

/// <summary>Gives each request-log writer its <see cref="SubjectErasureWatcher"/> (the erasure folder's writer side).</summary>
internal sealed class SubjectErasureGates(FraudWorkQueue work, NumoTelemetryMetrics metrics, TimeProvider time) : IRequestLogGateFactory
{
    public IRequestLogGate Create(string directory, JsonLinesFileWriter file, ILogger logger) =>
        new SubjectErasureWatcher(directory, file, work, metrics, logger, time);
}
