namespace NumoTelemetry.GeoIP;

/// <summary>The slot a MaxMind database fills, by its metadata's database type.</summary>
internal enum GeoIPDatabaseKind
{
    /// <summary>Not a database this package reads (Domain, test databases, others).</summary>
    Unsupported = 0,

    /// <summary>GeoIP2/GeoLite2 City (or a regional City edition).</summary>
    City,

    /// <summary>GeoIP2/GeoLite2 Country.</summary>
    Country,

    /// <summary>GeoIP2 Enterprise (City plus network facts).</summary>
    Enterprise,

    /// <summary>GeoLite2/GeoIP2 ASN.</summary>
    Asn,

    /// <summary>GeoIP2 Anonymous-IP.</summary>
    AnonymousIP,

    /// <summary>GeoIP2 ISP.</summary>
    Isp,

    /// <summary>GeoIP2 Connection-Type.</summary>
    ConnectionType,
}
