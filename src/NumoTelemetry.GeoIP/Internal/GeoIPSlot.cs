namespace NumoTelemetry.GeoIP;

/// <summary>The five places a database can fill, each with the setting that names its file.</summary>
internal enum GeoIPSlot
{
    /// <summary>City, Country or Enterprise: <c>CityDatabasePath</c>.</summary>
    Geo = 0,

    /// <summary>ASN: <c>AsnDatabasePath</c>.</summary>
    Asn = 1,

    /// <summary>Anonymous-IP: <c>AnonymousIPDatabasePath</c>.</summary>
    AnonymousIP = 2,

    /// <summary>ISP: <c>IspDatabasePath</c>.</summary>
    Isp = 3,

    /// <summary>Connection-Type: <c>ConnectionTypeDatabasePath</c>.</summary>
    ConnectionType = 4,
}
