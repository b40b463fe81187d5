namespace NumoTelemetry.Fraud;

/// <summary>One named aggregate of <see cref="Evidence"/>: a number, or <paramref name="Text"/> when set.</summary>
internal readonly record struct EvidenceItem(string Name, double Value, string? Text);
