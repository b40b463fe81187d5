using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary><see cref="ReasonCodes.CredentialStuffing"/>: see <see cref="CredentialStuffingDetectorOptions"/>.</summary>
internal sealed class CredentialStuffingDetector(CredentialStuffingDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (!pattern.LoginFailed || pattern.IpLoginFailures < options.MinFailures || pattern.IpFailedAccounts < options.MinDistinctAccounts)
        {
            return;
        }

        var ratio = LoginEvidence.FailureRatio(pattern.IpLoginFailures, pattern.IpLoginSuccesses);
        if (ratio < options.MinFailureRatio)
        {
            return;
        }

        var evidence = LoginEvidence.Create(pattern.IpLoginFailures, pattern.IpLoginSuccesses, pattern.IpFailedAccounts, ratio, options.Window);
        context.Hit(SubjectKey.From(SubjectKind.Ip, record.Ip), ReasonCodes.CredentialStuffing, context.Escalate(options.Points, pattern.IpFailedAccounts, options.MinDistinctAccounts), verdict: true, record.Timestamp, evidence);
    }
}
