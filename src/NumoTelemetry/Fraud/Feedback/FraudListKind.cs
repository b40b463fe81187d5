namespace NumoTelemetry.Fraud.Feedback;

/// <summary>Which list a <see cref="FraudListEntry"/> is on.</summary>
public enum FraudListKind
{
    /// <summary>
    /// The allow list: the subject raises no further alerts for the entry's rule (every rule when it has none), its points for
    /// that rule leave its score, and in-request enforcement for it is lifted at once.
    /// </summary>
    Allow = 1,

    /// <summary>
    /// The deny list: the subject's requests carry a risk in the page band (reason <see cref="ReasonCodes.DenyList"/>), which the
    /// enforcement settings block or challenge, and raise a <see cref="ReasonCodes.DenyList"/> alert.
    /// </summary>
    Deny = 2,
}
