using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary><see cref="ReasonCodes.AccountBruteForce"/>: see <see cref="AccountBruteForceDetectorOptions"/>.</summary>
internal sealed class AccountBruteForceDetector(AccountBruteForceDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (!pattern.LoginFailed || pattern.UserFailures < options.MinFailures)
        {
            return;
        }

        var evidence = default(Evidence);
        evidence.Add("failedLogins", pattern.UserFailures);
        evidence.Add("distinctIps", pattern.UserFailedIps);
        evidence.Add("windowSeconds", options.Window.TotalSeconds);
        context.Hit(SubjectKey.From(SubjectKind.User, record.User), ReasonCodes.AccountBruteForce, context.Escalate(options.Points, pattern.UserFailures, options.MinFailures), verdict: true, record.Timestamp, evidence);
    }
}
