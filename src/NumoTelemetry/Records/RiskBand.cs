namespace NumoTelemetry.Records;

/// <summary>Risk score bands, in increasing order.</summary>
public enum RiskBand : byte
{
    /// <summary>No notable risk.</summary>
    None = 0,

    /// <summary>Worth watching; no alert.</summary>
    Watch = 1,

    /// <summary>An alert to the fraud team.</summary>
    Alert = 2,

    /// <summary>Urgent: page the fraud team.</summary>
    Page = 3,
}
