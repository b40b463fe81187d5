namespace NumoTelemetry.UserAgents;

/// <summary>The fixed set of device classes used as a metrics dimension.</summary>
public static class DeviceTypes
{
    /// <summary>A desktop or laptop computer.</summary>
    public const string Desktop = "desktop";

    /// <summary>A phone.</summary>
    public const string Mobile = "mobile";

    /// <summary>A tablet.</summary>
    public const string Tablet = "tablet";

    /// <summary>A TV, console or other embedded device.</summary>
    public const string Tv = "tv";

    /// <summary>An automated client.</summary>
    public const string Bot = "bot";

    /// <summary>Unknown.</summary>
    public const string Other = "other";
}
