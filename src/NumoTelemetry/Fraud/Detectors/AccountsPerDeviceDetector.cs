using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary><see cref="ReasonCodes.AccountsPerDevice"/>: see <see cref="AccountsPerDeviceDetectorOptions"/>.</summary>
internal sealed class AccountsPerDeviceDetector(AccountsPerDeviceDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (pattern.VisitorAccounts < options.MinAccounts)
        {
            return;
        }

        var evidence = default(Evidence);
        evidence.Add("distinctAccounts", pattern.VisitorAccounts);
        evidence.Add("windowSeconds", options.Window.TotalSeconds);
        evidence.Add("signUp", pattern.SignUp ? 1 : 0);
        evidence.Add("ip", record.Ip.ToString());
        context.Hit(SubjectKey.From(SubjectKind.Visitor, record.Visitor), ReasonCodes.AccountsPerDevice, context.Escalate(options.Points, pattern.VisitorAccounts, options.MinAccounts), verdict: true, record.Timestamp, evidence);
    }
}
