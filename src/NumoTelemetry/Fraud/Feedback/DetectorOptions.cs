namespace NumoTelemetry.Fraud.Feedback;

/// <summary>One detector's feedback settings (<c>NumoTelemetry:Fraud:Detectors:&lt;Name&gt;</c>, the name being the detector's own options section, for example <c>Burst</c> or <c>RiskFactors</c>).</summary>
public sealed class DetectorOptions
{
    /// <summary>What the detector's verdicts do. A detector whose <c>Enabled</c> is <see langword="false"/> is <see cref="DetectorMode.Off"/> whatever this says.</summary>
    /// <value>Default: <see cref="DetectorMode.Enforce"/> (alerts, and its points count towards enforcement).</value>
    public DetectorMode Mode { get; set; } = DetectorMode.Enforce;
}
