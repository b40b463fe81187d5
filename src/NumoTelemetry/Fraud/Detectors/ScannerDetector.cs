using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// <see cref="ReasonCodes.Scanner"/>: see <see cref="ScannerDetectorOptions"/>. Fast scanning on the IP in the analysis window; slow scanning
/// on the IP, and on the IP prefix as a whole, in the long window.
/// </summary>
internal sealed class ScannerDetector(ScannerDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        var ip = SubjectKey.From(SubjectKind.Ip, record.Ip);
        if (Judge(ip, pattern.IpMissingPaths, pattern.IpErrors, pattern.IpRequests, options.MinDistinctMissingPaths, context.Options.AnalysisWindow, record.Timestamp, context))
        {
            return;
        }

        var min = options.LongWindowMinDistinctMissingPaths;
        if (min <= 0)
        {
            return;
        }

        var window = context.Options.LongAnalysisWindow;
        if (!Judge(ip, pattern.IpLong.MissingPaths, pattern.IpLong.Errors, pattern.IpLong.Requests, min, window, record.Timestamp, context))
        {
            var prefix = SubjectKey.From(SubjectKind.IpPrefix, record.IpPrefix);
            Judge(prefix, pattern.PrefixLong.MissingPaths, pattern.PrefixLong.Errors, pattern.PrefixLong.Requests, min, window, record.Timestamp, context);
        }
    }

    private bool Judge(in SubjectKey subject, long missingPaths, long errors, long requests, int minMissingPaths, TimeSpan window, DateTimeOffset at, DetectionContext context)
    {
        if (subject.IsEmpty || missingPaths < minMissingPaths || requests == 0)
        {
            return false;
        }

        var ratio = (double)errors / requests;
        if (ratio < options.MinErrorRatio)
        {
            return false;
        }

        var evidence = default(Evidence);
        evidence.Add("distinctMissingPaths", missingPaths);
        evidence.Add("errorResponses", errors);
        evidence.Add("requests", requests);
        evidence.Add("errorRatio", Math.Round(ratio, 3));
        evidence.Add("windowSeconds", window.TotalSeconds);
        context.Hit(subject, ReasonCodes.Scanner, context.Escalate(options.Points, missingPaths, minMissingPaths), verdict: true, at, evidence);
        return true;
    }
}
