namespace NumoTelemetry.Records;

/// <summary>The key scope a pseudonym was made under.</summary>
public enum PseudonymScope : byte
{
    /// <summary>
    /// Fraud prevention: stable for a configurable window (default 30 days) so attacks can be
    /// correlated across requests and days.
    /// </summary>
    Fraud = 0,

    /// <summary>Anonymous analytics: rotates every UTC day, so days cannot be linked.</summary>
    Analytics = 1,
}
