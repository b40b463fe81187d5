namespace NumoTelemetry.Fraud.Feedback;

/// <summary>A detector and its effective mode (<see cref="IFraudFeedback.Detectors"/>).</summary>
/// <param name="Name">The detector's name, its options section under <c>NumoTelemetry:Fraud</c> (for example <c>Burst</c>, <c>RiskFactors</c>).</param>
/// <param name="Mode">Its effective mode: <see cref="DetectorMode.Off"/> when its <c>Enabled</c> is <see langword="false"/>.</param>
/// <param name="Rules">The rules (reason codes) its verdicts and risk factors carry.</param>
public sealed record FraudDetectorInfo(string Name, DetectorMode Mode, IReadOnlyList<string> Rules);
