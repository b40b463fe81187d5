using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary><see cref="ReasonCodes.DistributedStuffing"/> on the IP prefix and on the AS: see <see cref="DistributedStuffingDetectorOptions"/>.</summary>
internal sealed class DistributedStuffingDetector(DistributedStuffingDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (!pattern.LoginFailed)
        {
            return;
        }

        Judge(SubjectKey.From(SubjectKind.IpPrefix, record.IpPrefix), pattern.PrefixLoginFailures, pattern.PrefixLoginSuccesses, pattern.PrefixFailedIps, pattern.PrefixFailedAccounts, record.Timestamp, context);
        Judge(SubjectKey.ForAsn(record.Geo?.Asn ?? 0), pattern.AsnLoginFailures, pattern.AsnLoginSuccesses, pattern.AsnFailedIps, pattern.AsnFailedAccounts, record.Timestamp, context);
    }

    private void Judge(in SubjectKey subject, long failures, long successes, long ips, long accounts, DateTimeOffset at, DetectionContext context)
    {
        if (subject.IsEmpty || ips < options.MinDistinctIps || accounts < options.MinDistinctAccounts)
        {
            return;
        }

        var ratio = LoginEvidence.FailureRatio(failures, successes);
        if (ratio < options.MinFailureRatio)
        {
            return;
        }

        var evidence = LoginEvidence.Create(failures, successes, accounts, ratio, options.Window);
        evidence.Add("distinctIps", ips);
        context.Hit(subject, ReasonCodes.DistributedStuffing, context.Escalate(options.Points, accounts, options.MinDistinctAccounts), verdict: true, at, evidence);
    }
}
