using NumoTelemetry.Fraud.State;
using NumoTelemetry.Sessions;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary><see cref="ReasonCodes.CredentialStuffing"/>: see <see cref="CredentialStuffingDetectorOptions"/>.</summary>
internal sealed class CredentialStuffingDetector(CredentialStuffingDetectorOptions options) : IFraudDetector
{
    public void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (!pattern.LoginFailed || pattern.IpLoginFailures < options.MinFailures || pattern.IpFailedAccounts < options.MinDistinctAccounts)
        {
            return;
        }

        var ratio = (double)pattern.IpLoginFailures / (pattern.IpLoginFailures + pattern.IpLoginSuccesses);
        if (ratio < options.MinFailureRatio)
        {
            return;
        }

        var evidence = default(Evidence);
        evidence.Add("failedLogins", pattern.IpLoginFailures);
        evidence.Add("successfulLogins", pattern.IpLoginSuccesses);
        evidence.Add("distinctAccounts", pattern.IpFailedAccounts);
        evidence.Add("failureRatio", Math.Round(ratio, 3));
        evidence.Add("windowSeconds", options.Window.TotalSeconds);
        context.Hit(SubjectKey.From(SubjectKind.Ip, record.Ip), ReasonCodes.CredentialStuffing, context.Escalate(options.Points, pattern.IpFailedAccounts, options.MinDistinctAccounts), verdict: true, record.Timestamp, evidence);
    }
}
