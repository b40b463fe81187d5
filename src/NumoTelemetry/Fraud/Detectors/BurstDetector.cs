using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary><see cref="ReasonCodes.Burst"/>: see <see cref="BurstDetectorOptions"/>. Verified crawlers are left alone.</summary>
internal sealed class BurstDetector(BurstDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        var requests = pattern.IpRequestsShort;
        if (requests < options.MinRequests || record.Crawler == CrawlerVerification.Verified)
        {
            return;
        }

        var clients = pattern.EstimatedClients(context.Options.MinRequestsPerClientEvidence);
        var perClient = (double)requests / clients;
        if (perClient < options.RequestsPerClient)
        {
            return;
        }

        var evidence = default(Evidence);
        evidence.Add("requests", requests);
        evidence.Add("windowSeconds", options.Window.TotalSeconds);
        evidence.Add("estimatedClients", clients);
        evidence.Add("returningClients", pattern.IpReturningClients);
        evidence.Add("loginAccounts", pattern.IpLoginUsers);
        evidence.Add("sessions", pattern.IpSessions);
        evidence.Add("userAgents", pattern.IpUserAgents);
        evidence.Add("requestsPerClient", Math.Round(perClient, 1));
        context.Hit(SubjectKey.From(SubjectKind.Ip, record.Ip), ReasonCodes.Burst, context.Escalate(options.Points, perClient, options.RequestsPerClient), verdict: true, record.Timestamp, evidence);
    }
}
