using NumoTelemetry.Fraud.State;
using NumoTelemetry.Sessions;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary><see cref="ReasonCodes.Scanner"/>: see <see cref="ScannerDetectorOptions"/>.</summary>
internal sealed class ScannerDetector(ScannerDetectorOptions options) : IFraudDetector
{
    public void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (pattern.IpMissingPaths < options.MinDistinctMissingPaths || pattern.IpRequests == 0)
        {
            return;
        }

        var ratio = (double)pattern.IpErrors / pattern.IpRequests;
        if (ratio < options.MinErrorRatio)
        {
            return;
        }

        var evidence = default(Evidence);
        evidence.Add("distinctMissingPaths", pattern.IpMissingPaths);
        evidence.Add("errorResponses", pattern.IpErrors);
        evidence.Add("requests", pattern.IpRequests);
        evidence.Add("errorRatio", Math.Round(ratio, 3));
        evidence.Add("windowSeconds", context.Options.AnalysisWindow.TotalSeconds);
        context.Hit(SubjectKey.From(SubjectKind.Ip, record.Ip), ReasonCodes.Scanner, context.Escalate(options.Points, pattern.IpMissingPaths, options.MinDistinctMissingPaths), verdict: true, record.Timestamp, evidence);
    }
}
