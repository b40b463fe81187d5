using NumoTelemetry.Enrichment;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// <see cref="ReasonCodes.UaRotation"/>: see <see cref="UaRotationDetectorOptions"/>. Reads the analysis window's per-IP counts only
/// (requests, distinct User-Agents, distinct paths, requests with a visitor cookie or a session): the users behind a carrier-grade NAT
/// or a proxy each make several requests with their one browser and share popular pages, so their distinct User-Agents and paths per
/// request stay low; a scraper that draws a browser string per request from a large pool, walking product pages, has both near 1.
/// </summary>
internal sealed class UaRotationDetector(UaRotationDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        var requests = pattern.IpRequests;
        if (requests < options.MinRequests || record.Crawler == CrawlerVerification.Verified)
        {
            return;
        }

        var uaShare = (double)pattern.IpUserAgents / requests;
        var pathShare = (double)pattern.IpDistinctPaths / requests;
        var cookieShare = (double)Math.Max(pattern.IpVisitorRequests, pattern.IpSessionRequests) / requests;
        if (uaShare < options.MinUserAgentShare || pathShare < options.MinDistinctPathShare || cookieShare > options.MaxCookieShare)
        {
            return;
        }

        var evidence = default(Evidence);
        evidence.Add("requests", requests);
        evidence.Add("distinctUserAgents", pattern.IpUserAgents);
        evidence.Add("distinctPaths", pattern.IpDistinctPaths);
        evidence.Add("cookieShare", Math.Round(cookieShare, 3));
        evidence.Add("windowSeconds", context.Options.AnalysisWindow.TotalSeconds);
        context.Hit(SubjectKey.From(SubjectKind.Ip, record.Ip), ReasonCodes.UaRotation, context.Escalate(options.Points, requests, options.MinRequests), verdict: true, record.Timestamp, evidence);
    }
}
