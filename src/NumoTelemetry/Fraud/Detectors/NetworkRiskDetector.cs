using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// Risk factors of the client's network and claims: <see cref="ReasonCodes.FakeCrawler"/> (a verdict once the false crawler has walked
/// <see cref="RiskFactorOptions.FakeCrawlerMinPaths"/> distinct paths), <see cref="ReasonCodes.TorExit"/>,
/// <see cref="ReasonCodes.AnonymousNetwork"/>, <see cref="ReasonCodes.HostingNetwork"/>, <see cref="ReasonCodes.ClientHintsMismatch"/>, on the IP.
/// </summary>
internal sealed class NetworkRiskDetector(RiskFactorOptions options) : FraudDetector
{
    private const NetworkFlags Anonymous = NetworkFlags.Anonymous | NetworkFlags.AnonymousVpn | NetworkFlags.PublicProxy | NetworkFlags.ResidentialProxy;

    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        var flags = record.Geo?.Flags ?? NetworkFlags.None;
        if (record.Crawler != CrawlerVerification.Failed && (flags & ~NetworkFlags.Cellular) == 0 && !record.ClientHintsMismatch)
        {
            return;
        }

        var ip = SubjectKey.From(SubjectKind.Ip, record.Ip);
        var none = default(Evidence);
        if (record.ClientHintsMismatch)
        {
            var evidence = default(Evidence);
            evidence.Add("browser", record.UserAgent.Browser.Family);
            evidence.Add("os", record.UserAgent.Os.Family);
            context.Hit(ip, ReasonCodes.ClientHintsMismatch, options.ClientHintsMismatchPoints, verdict: false, record.Timestamp, evidence);
        }

        if (record.Crawler == CrawlerVerification.Failed)
        {
            var evidence = default(Evidence);
            evidence.Add("claimedCrawler", record.UserAgent?.Bot.Name);
            var paths = Math.Max(pattern.IpDistinctPaths, pattern.IpLong.DistinctPaths);
            if (paths >= options.FakeCrawlerMinPaths)
            {
                // A false claim and crawling: a verdict (the claim alone is only a risk factor).
                evidence.Add("distinctPaths", paths);
                context.Hit(ip, ReasonCodes.FakeCrawler, context.Escalate(options.FakeCrawlerCrawlingPoints, paths, options.FakeCrawlerMinPaths), verdict: true, record.Timestamp, evidence);
            }
            else
            {
                context.Hit(ip, ReasonCodes.FakeCrawler, options.FakeCrawlerPoints, verdict: false, record.Timestamp, evidence);
            }
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
