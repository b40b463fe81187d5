namespace NumoTelemetry.Dashboard;

/// <summary>The width of an aggregate time bucket.</summary>
public enum DashboardGranularity : byte
{
    /// <summary>One minute.</summary>
    Minute = 0,

    /// <summary>One hour.</summary>
    Hour = 1,

    /// <summary>One day (UTC).</summary>
    Day = 2,
}
