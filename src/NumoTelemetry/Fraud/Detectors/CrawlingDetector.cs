using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// <see cref="ReasonCodes.Crawling"/>: see <see cref="CrawlingDetectorOptions"/>. Fast crawling on the IP in the analysis window; slow
/// crawling on the IP, and on the IP prefix as a whole (a scrape spread over the addresses of a prefix), in the long window. Verified
/// crawlers are left alone.
/// </summary>
internal sealed class CrawlingDetector(CrawlingDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (record.Crawler == CrawlerVerification.Verified)
        {
            return;
        }

        var shortClients = 0L;
        var paths = pattern.IpDistinctPaths;
        if (paths >= options.MinDistinctPaths)
        {
            shortClients = pattern.EstimatedClients(context.Options.MinRequestsPerClientEvidence);
            var perClient = (double)paths / shortClients;
            if (perClient >= options.DistinctPathsPerClient)
            {
                var evidence = default(Evidence);
                evidence.Add("distinctPaths", paths);
                evidence.Add("requests", pattern.IpRequests);
                evidence.Add("estimatedClients", shortClients);
                evidence.Add("returningClients", pattern.IpReturningClients);
                evidence.Add("sessions", pattern.IpSessions);
                evidence.Add("windowSeconds", context.Options.AnalysisWindow.TotalSeconds);
                Report(SubjectKey.From(SubjectKind.Ip, record.Ip), in record, perClient, options.DistinctPathsPerClient, context, evidence);
                return;
            }
        }

        var min = options.LongWindowMinDistinctPaths;
        if (min <= 0 || Math.Max(pattern.IpLong.DistinctPaths, pattern.PrefixLong.DistinctPaths) < min)
        {
            return;
        }

        if (shortClients == 0)
        {
            shortClients = pattern.EstimatedClients(context.Options.MinRequestsPerClientEvidence);
        }

        // The IP first (the narrower subject); the prefix when its addresses together crawl.
        if (!JudgeLong(SubjectKey.From(SubjectKind.Ip, record.Ip), in record, in pattern.IpLong, shortClients, context))
        {
            JudgeLong(SubjectKey.From(SubjectKind.IpPrefix, record.IpPrefix), in record, in pattern.PrefixLong, shortClients, context);
        }
    }

    private bool JudgeLong(in SubjectKey subject, in RequestRecord record, in LongWindowPattern window, long atLeastClients, DetectionContext context)
    {
        if (subject.IsEmpty || window.DistinctPaths < options.LongWindowMinDistinctPaths)
        {
            return false;
        }

        var clients = window.EstimatedClients(context.Options.MinRequestsPerClientEvidence, atLeastClients);
        var perClient = (double)window.DistinctPaths / clients;
        if (perClient < options.LongWindowDistinctPathsPerClient)
        {
            return false;
        }

        var evidence = default(Evidence);
        evidence.Add("distinctPaths", window.DistinctPaths);
        evidence.Add("requests", window.Requests);
        evidence.Add("estimatedClients", clients);
        evidence.Add("clients", window.Clients);
        evidence.Add("windowSeconds", context.Options.LongAnalysisWindow.TotalSeconds);
        Report(subject, in record, perClient, options.LongWindowDistinctPathsPerClient, context, evidence);
        return true;
    }

    private void Report(in SubjectKey subject, in RequestRecord record, double perClient, double threshold, DetectionContext context, Evidence evidence)
    {
        var declared = record.UserAgent?.Bot.IsBot == true;
        evidence.Add("declaredBot", declared ? 1 : 0);
        var points = context.Escalate(options.Points, perClient, threshold) * (declared ? options.DeclaredBotFactor : 1);
        context.Hit(subject, ReasonCodes.Crawling, points, verdict: true, record.Timestamp, evidence);
    }
}
