using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary><see cref="ReasonCodes.RoboticTiming"/> (a risk factor): see <see cref="RoboticTimingDetectorOptions"/>.</summary>
internal sealed class RoboticTimingDetector(RoboticTimingDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (pattern.TimingCount < options.MinRequests || pattern.TimingMeanMs < options.MinMeanGapMs || pattern.TimingVariation > options.MaxVariation)
        {
            return;
        }

        var evidence = default(Evidence);
        evidence.Add("meanGapMs", Math.Round(pattern.TimingMeanMs));
        evidence.Add("variation", Math.Round(pattern.TimingVariation, 3));
        evidence.Add("gaps", pattern.TimingCount);
        context.Hit(SubjectKey.From(SubjectKind.Ip, record.Ip), ReasonCodes.RoboticTiming, options.Points, verdict: false, record.Timestamp, evidence);
    }
}
