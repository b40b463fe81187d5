namespace NumoTelemetry.Records;

/// <summary>One reason behind a risk score and the points it contributes now (decayed).</summary>
/// <param name="Code">The stable reason code (see <see cref="Fraud.ReasonCodes"/>).</param>
/// <param name="Points">Its current contribution to the score.</param>
public readonly record struct FraudReason(string Code, double Points);
