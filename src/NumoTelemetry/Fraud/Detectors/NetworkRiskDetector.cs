using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// Risk factors of the client's network and claims (never verdicts): <see cref="ReasonCodes.FakeCrawler"/>, <see cref="ReasonCodes.TorExit"/>,
/// <see cref="ReasonCodes.AnonymousNetwork"/>, <see cref="ReasonCodes.HostingNetwork"/>, on the IP.
/// </summary>
internal sealed class NetworkRiskDetector(RiskFactorOptions options) : FraudDetector
{
    private const NetworkFlags Anonymous = NetworkFlags.Anonymous | NetworkFlags.AnonymousVpn | NetworkFlags.PublicProxy | NetworkFlags.ResidentialProxy;

    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        var flags = record.Geo?.Flags ?? NetworkFlags.None;
        if (record.Crawler != CrawlerVerification.Failed && (flags & ~NetworkFlags.Cellular) == 0)
        {
            return;
        }

        var ip = SubjectKey.From(SubjectKind.Ip, record.Ip);
        var none = default(Evidence);
        if (record.Crawler == CrawlerVerification.Failed)
        {
            var evidence = default(Evidence);
            evidence.Add("claimedCrawler", record.UserAgent?.Bot.Name);
            context.Hit(ip, ReasonCodes.FakeCrawler, options.FakeCrawlerPoints, verdict: false, record.Timestamp, evidence);
        }

        if ((flags & NetworkFlags.TorExitNode) != 0)
        {
            context.Hit(ip, ReasonCodes.TorExit, options.TorPoints, verdict: false, record.Timestamp, none);
        }
        else if ((flags & Anonymous) != 0)
        {
            context.Hit(ip, ReasonCodes.AnonymousNetwork, options.AnonymousPoints, verdict: false, record.Timestamp, none);
        }

        if ((flags & NetworkFlags.Hosting) != 0)
        {
            context.Hit(ip, ReasonCodes.HostingNetwork, options.HostingPoints, verdict: false, record.Timestamp, none);
        }
    }
}
