namespace NumoTelemetry.Fraud.Feedback;

/// <summary>
/// What a detector's verdicts do (<c>NumoTelemetry:Fraud:Detectors:&lt;Name&gt;:Mode</c>). Each mode does what the one before it
/// does and more.
/// </summary>
public enum DetectorMode
{
    /// <summary>The detector does not run (as its <c>Enabled: false</c>).</summary>
    Off = 0,

    /// <summary>The detector runs and scores: its points are in the subject's score, <c>numo.fraud.detections</c> and the request log; no alert, no enforcement.</summary>
    Observe = 1,

    /// <summary>As <see cref="Observe"/>, and its verdicts alert the fraud team; its points are not enforced.</summary>
    Alert = 2,

    /// <summary>As <see cref="Alert"/>, and its points count towards in-request enforcement (<c>NumoTelemetry:Enforcement</c>). The default (today's behaviour).</summary>
    Enforce = 3,
}
