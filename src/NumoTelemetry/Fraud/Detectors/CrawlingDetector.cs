using NumoTelemetry.Enrichment;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Sessions;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary><see cref="ReasonCodes.Crawling"/>: see <see cref="CrawlingDetectorOptions"/>. Verified crawlers are left alone.</summary>
internal sealed class CrawlingDetector(CrawlingDetectorOptions options) : IFraudDetector
{
    public void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        var paths = pattern.IpDistinctPaths;
        if (paths < options.MinDistinctPaths || record.Crawler == CrawlerVerification.Verified)
        {
            return;
        }

        var clients = pattern.EstimatedClients(context.Options.MinRequestsPerClientEvidence);
        var perClient = (double)paths / clients;
        if (perClient < options.DistinctPathsPerClient)
        {
            return;
        }

        var declared = record.UserAgent?.Bot.IsBot == true;
        var points = context.Escalate(options.Points, perClient, options.DistinctPathsPerClient) * (declared ? options.DeclaredBotFactor : 1);
        var evidence = default(Evidence);
        evidence.Add("distinctPaths", paths);
        evidence.Add("requests", pattern.IpRequests);
        evidence.Add("estimatedClients", clients);
        evidence.Add("returningClients", pattern.IpReturningClients);
        evidence.Add("sessions", pattern.IpSessions);
        evidence.Add("windowSeconds", context.Options.AnalysisWindow.TotalSeconds);
        evidence.Add("declaredBot", declared ? 1 : 0);
        context.Hit(SubjectKey.From(SubjectKind.Ip, record.Ip), ReasonCodes.Crawling, points, verdict: true, record.Timestamp, evidence);
    }
}
