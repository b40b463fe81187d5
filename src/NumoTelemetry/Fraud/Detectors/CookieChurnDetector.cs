using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary><see cref="ReasonCodes.CookieChurn"/>: see <see cref="CookieChurnDetectorOptions"/>. Verified crawlers (which keep no cookies) are left alone.</summary>
internal sealed class CookieChurnDetector(CookieChurnDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (pattern.IpDistinctVisitors < options.MinNewVisitors || pattern.IpVisitorRequests == 0 || record.Crawler == CrawlerVerification.Verified)
        {
            return;
        }

        var ratio = Math.Min(1, (double)pattern.IpDistinctVisitors / pattern.IpVisitorRequests);
        if (ratio < options.MinRatio)
        {
            return;
        }

        var evidence = default(Evidence);
        evidence.Add("distinctVisitors", pattern.IpDistinctVisitors);
        evidence.Add("requestsWithVisitor", pattern.IpVisitorRequests);
        evidence.Add("newVisitorRatio", Math.Round(ratio, 3));
        evidence.Add("windowSeconds", context.Options.AnalysisWindow.TotalSeconds);
        context.Hit(SubjectKey.From(SubjectKind.Ip, record.Ip), ReasonCodes.CookieChurn, context.Escalate(options.Points, pattern.IpDistinctVisitors, options.MinNewVisitors), verdict: true, record.Timestamp, evidence);
    }
}
