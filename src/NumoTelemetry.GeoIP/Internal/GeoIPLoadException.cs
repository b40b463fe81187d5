namespace NumoTelemetry.GeoIP;

/// <summary>A database could not be used: missing, unreadable, corrupt or of the wrong type. The message names the file and the setting.</summary>
internal sealed class GeoIPLoadException : Exception
{
    public GeoIPLoadException()
    {
    }

    public GeoIPLoadException(string message)
        : base(message)
    {
    }

    public GeoIPLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
