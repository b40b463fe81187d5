namespace NumoTelemetry.Records;

/// <summary>
/// Geo and network facts of a client address. Immutable and shared by the lookup cache, so a
/// cached lookup allocates nothing. Latitude and longitude stay in process memory for fraud rules
/// (impossible travel); they are never exported at full precision.
/// </summary>
public sealed class GeoFacts
{
    /// <summary>Facts for an address the databases do not know.</summary>
    public static GeoFacts Unknown { get; } = new();

    /// <summary>ISO 3166-1 alpha-2 country code, or <see langword="null"/>.</summary>
    public string? CountryIsoCode { get; init; }

    /// <summary>Two-letter continent code, or <see langword="null"/>.</summary>
    public string? ContinentCode { get; init; }

    /// <summary>ISO 3166-2 subdivision code (most specific first level), or <see langword="null"/>.</summary>
    public string? SubdivisionIsoCode { get; init; }

    /// <summary>City name (English), or <see langword="null"/>.</summary>
    public string? City { get; init; }

    /// <summary>Latitude in degrees, or <see langword="null"/>.</summary>
    public double? Latitude { get; init; }

    /// <summary>Longitude in degrees, or <see langword="null"/>.</summary>
    public double? Longitude { get; init; }

    /// <summary>Accuracy radius of the location in kilometres, or <see langword="null"/>.</summary>
    public int? AccuracyRadiusKm { get; init; }

    /// <summary>Autonomous system number, or <see langword="null"/>.</summary>
    public long? Asn { get; init; }

    /// <summary>Autonomous system organisation, or <see langword="null"/>.</summary>
    public string? AsnOrganization { get; init; }

    /// <summary>ISP name, or <see langword="null"/>.</summary>
    public string? Isp { get; init; }

    /// <summary>Connection type (Cable/DSL, Cellular, Corporate, Satellite), or <see langword="null"/>.</summary>
    public string? ConnectionType { get; init; }

    /// <summary>Anonymous-network and connection flags.</summary>
    public NetworkFlags Flags { get; init; }

    private string? _asnText;

    /// <summary>The AS number as text (made once per shared instance, for metric tags), or <see langword="null"/>.</summary>
    public string? AsnText => Asn is { } asn ? _asnText ??= asn.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>Whether a location with coordinates is known.</summary>
    public bool HasLocation => Latitude.HasValue && Longitude.HasValue;
}
