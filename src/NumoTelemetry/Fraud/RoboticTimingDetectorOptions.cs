namespace NumoTelemetry.Fraud;

/// <summary>Robotic timing (reason <c>robotic-timing</c>): requests from one IP at near-constant intervals. A risk factor, never an alert by itself.</summary>
public sealed class RoboticTimingDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Gaps observed before regularity is judged.</summary>
    /// <value>Default: 30.</value>
    public int MinRequests { get; set; } = 30;

    /// <summary>Coefficient of variation of the gaps (standard deviation / mean) below which timing is robotic; people are well above 0.5.</summary>
    /// <value>Default: 0.1.</value>
    public double MaxVariation { get; set; } = 0.1;

    /// <summary>Mean gap (ms) below which timing is not judged (browsers fetch page resources in parallel).</summary>
    /// <value>Default: 200.</value>
    public double MinMeanGapMs { get; set; } = 200;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 15.</value>
    public double Points { get; set; } = 15;
}
