namespace NumoTelemetry.GeoIP;

/// <summary>Maps database kinds to slots and slots to settings.</summary>
internal static class GeoIPSlots
{
    /// <summary>Number of slots.</summary>
    public const int Count = 5;

    /// <summary>Classifies a database by its metadata <c>database_type</c> (for example <c>GeoLite2-City</c>).</summary>
    public static GeoIPDatabaseKind Classify(string? databaseType)
    {
        if (string.IsNullOrEmpty(databaseType))
        {
            return GeoIPDatabaseKind.Unsupported;
        }

        static bool Has(string type, string part) => type.Contains(part, StringComparison.OrdinalIgnoreCase);

        return Has(databaseType, "Enterprise") ? GeoIPDatabaseKind.Enterprise
            : Has(databaseType, "Anonymous-IP") ? GeoIPDatabaseKind.AnonymousIP
            : Has(databaseType, "Connection-Type") ? GeoIPDatabaseKind.ConnectionType
            : Has(databaseType, "-City") ? GeoIPDatabaseKind.City
            : Has(databaseType, "-Country") ? GeoIPDatabaseKind.Country
            : Has(databaseType, "-ASN") ? GeoIPDatabaseKind.Asn
            : Has(databaseType, "-ISP") ? GeoIPDatabaseKind.Isp
            : GeoIPDatabaseKind.Unsupported;
    }

    /// <summary>The slot a kind fills, or <see langword="null"/> for unsupported kinds.</summary>
    public static GeoIPSlot? SlotOf(GeoIPDatabaseKind kind) => kind switch
    {
        GeoIPDatabaseKind.City or GeoIPDatabaseKind.Country or GeoIPDatabaseKind.Enterprise => GeoIPSlot.Geo,
        GeoIPDatabaseKind.Asn => GeoIPSlot.Asn,
        GeoIPDatabaseKind.AnonymousIP => GeoIPSlot.AnonymousIP,
        GeoIPDatabaseKind.Isp => GeoIPSlot.Isp,
        GeoIPDatabaseKind.ConnectionType => GeoIPSlot.ConnectionType,
        _ => null,
    };

    /// <summary>The setting that names the slot's file, as written in appsettings.json.</summary>
    public static string SettingName(GeoIPSlot slot) => slot switch
    {
        GeoIPSlot.Geo => "NumoTelemetry:GeoIP:CityDatabasePath",
        GeoIPSlot.Asn => "NumoTelemetry:GeoIP:AsnDatabasePath",
        GeoIPSlot.AnonymousIP => "NumoTelemetry:GeoIP:AnonymousIPDatabasePath",
        GeoIPSlot.Isp => "NumoTelemetry:GeoIP:IspDatabasePath",
        _ => "NumoTelemetry:GeoIP:ConnectionTypeDatabasePath",
    };

    /// <summary>What a slot expects, for messages.</summary>
    public static string Expected(GeoIPSlot slot) => slot switch
    {
        GeoIPSlot.Geo => "a City, Country or Enterprise database",
        GeoIPSlot.Asn => "an ASN database",
        GeoIPSlot.AnonymousIP => "an Anonymous-IP database",
        GeoIPSlot.Isp => "an ISP database",
        _ => "a Connection-Type database",
    };

    /// <summary>The configured path of a slot.</summary>
    public static string? ConfiguredPath(GeoIPOptions options, GeoIPSlot slot) => slot switch
    {
        GeoIPSlot.Geo => options.CityDatabasePath,
        GeoIPSlot.Asn => options.AsnDatabasePath,
        GeoIPSlot.AnonymousIP => options.AnonymousIPDatabasePath,
        GeoIPSlot.Isp => options.IspDatabasePath,
        _ => options.ConnectionTypeDatabasePath,
    };
}
