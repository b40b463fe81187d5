namespace NumoTelemetry.Fraud.Feedback;

/// <summary>How a <see cref="FraudListEntry"/> came about.</summary>
public enum FraudListSource
{
    /// <summary>Added to a list by hand (<see cref="IFraudFeedback.AddAsync"/>).</summary>
    Manual = 0,

    /// <summary>An allow entry made by marking an alert a false positive (<see cref="IFraudFeedback.MarkAsync"/>).</summary>
    FalsePositive = 1,
}
