namespace NumoTelemetry.Fraud.Feedback;

/// <summary>An investigator's verdict on a rule's alert for one subject (<see cref="IFraudFeedback.MarkAsync"/>).</summary>
public enum FraudVerdict
{
    /// <summary>
    /// The rule misfired: counted in <c>numo.fraud.false_positives{numo.rule}</c>, and the subject is put on the allow list for the
    /// rule (so the alert stops and enforcement for it lifts).
    /// </summary>
    FalsePositive = 1,

    /// <summary>
    /// The rule was right: counted in <c>numo.fraud.confirmed{numo.rule}</c>; allow entries an earlier false-positive mark made for
    /// the subject and rule are removed.
    /// </summary>
    ConfirmedFraud = 2,
}
