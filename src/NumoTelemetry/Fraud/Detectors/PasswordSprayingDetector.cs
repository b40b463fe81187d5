using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// <see cref="ReasonCodes.PasswordSpraying"/>: see <see cref="PasswordSprayingDetectorOptions"/>. Only when the short-window stuffing
/// rule does not hold, so one attack is not counted twice.
/// </summary>
internal sealed class PasswordSprayingDetector(PasswordSprayingDetectorOptions options, CredentialStuffingDetectorOptions stuffing) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (!pattern.LoginFailed || pattern.IpFailedAccountsLong < options.MinDistinctAccounts)
        {
            return;
        }

        if (stuffing.Enabled && pattern.IpLoginFailures >= stuffing.MinFailures && pattern.IpFailedAccounts >= stuffing.MinDistinctAccounts)
        {
            return; // fast enough to be stuffing
        }

        var ratio = LoginEvidence.FailureRatio(pattern.IpLoginFailuresLong, pattern.IpLoginSuccessesLong);
        if (ratio < options.MinFailureRatio)
        {
            return;
        }

        var evidence = LoginEvidence.Create(pattern.IpLoginFailuresLong, pattern.IpLoginSuccessesLong, pattern.IpFailedAccountsLong, ratio, options.Window);
        context.Hit(SubjectKey.From(SubjectKind.Ip, record.Ip), ReasonCodes.PasswordSpraying, context.Escalate(options.Points, pattern.IpFailedAccountsLong, options.MinDistinctAccounts), verdict: true, record.Timestamp, evidence);
    }
}
