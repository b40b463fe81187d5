using System.Net;
using MaxMind.GeoIP2.Responses;
using NumoTelemetry.Enrichment;

namespace NumoTelemetry.GeoIP;

/// <summary>
/// An immutable set of open databases, one per slot. A reload builds a new set and swaps it in at
/// once; lookups in flight finish on the set they started with.
/// </summary>
internal sealed class GeoIPDatabaseSet
{
    private readonly GeoIPDatabase?[] _slots;

    public GeoIPDatabaseSet(GeoIPDatabase?[] slots, int generation)
    {
        _slots = slots;
        Generation = generation;
        for (var i = 0; i < slots.Length; i++)
        {
            IsEmpty &= slots[i] is null;
        }
    }

    /// <summary>Increases with every swap; cache entries of older generations are stale.</summary>
    public int Generation { get; }

    /// <summary>Whether no database is open (enrichment off).</summary>
    public bool IsEmpty { get; } = true;

    /// <summary>The database in <paramref name="slot"/>, if any.</summary>
    public GeoIPDatabase? this[GeoIPSlot slot] => _slots[(int)slot];

    /// <summary>All slots (some <see langword="null"/>).</summary>
    public IReadOnlyList<GeoIPDatabase?> Slots => _slots;

    /// <summary>
    /// Looks <paramref name="ip"/> up in every database. A database that throws (corrupt data) is reported to
    /// <paramref name="onError"/> and skipped: the other facts are still returned.
    /// </summary>
    public GeoFacts Lookup(IPAddress ip, Action<GeoIPDatabase, Exception> onError)
    {
        AbstractCountryResponse? country = null;
        AsnResponse? asn = null;
        AnonymousIPResponse? anonymous = null;
        IspResponse? isp = null;
        ConnectionTypeResponse? connection = null;

        if (_slots[(int)GeoIPSlot.Geo] is { } geo)
        {
            try
            {
                country = geo.Kind switch
                {
                    GeoIPDatabaseKind.City => geo.Reader.TryCity(ip, out var c) ? c : null,
                    GeoIPDatabaseKind.Enterprise => geo.Reader.TryEnterprise(ip, out var e) ? e : null,
                    _ => geo.Reader.TryCountry(ip, out var k) ? k : null,
                };
            }
            catch (Exception ex)
            {
                onError(geo, ex);
            }
        }

        if (_slots[(int)GeoIPSlot.Asn] is { } asnDb)
        {
            try
            {
                asn = asnDb.Reader.TryAsn(ip, out var a) ? a : null;
            }
            catch (Exception ex)
            {
                onError(asnDb, ex);
            }
        }

        if (_slots[(int)GeoIPSlot.AnonymousIP] is { } anonDb)
        {
            try
            {
                anonymous = anonDb.Reader.TryAnonymousIP(ip, out var a) ? a : null;
            }
            catch (Exception ex)
            {
                onError(anonDb, ex);
            }
        }

        if (_slots[(int)GeoIPSlot.Isp] is { } ispDb)
        {
            try
            {
                isp = ispDb.Reader.TryIsp(ip, out var a) ? a : null;
            }
            catch (Exception ex)
            {
                onError(ispDb, ex);
            }
        }

        if (_slots[(int)GeoIPSlot.ConnectionType] is { } ctDb)
        {
            try
            {
                connection = ctDb.Reader.TryConnectionType(ip, out var a) ? a : null;
            }
            catch (Exception ex)
            {
                onError(ctDb, ex);
            }
        }

        return Combine(country, asn, anonymous, isp, connection);
    }

    private static GeoFacts Combine(AbstractCountryResponse? country, AsnResponse? asn, AnonymousIPResponse? anonymous, IspResponse? isp, ConnectionTypeResponse? connection)
    {
        var city = country as AbstractCityResponse;
        var location = city?.Location;
        var flags = NetworkFlags.None;
        if (anonymous is not null)
        {
            flags |= (anonymous.IsAnonymous ? NetworkFlags.Anonymous : 0)
                | (anonymous.IsAnonymousVpn ? NetworkFlags.AnonymousVpn : 0)
                | (anonymous.IsHostingProvider ? NetworkFlags.Hosting : 0)
                | (anonymous.IsPublicProxy ? NetworkFlags.PublicProxy : 0)
                | (anonymous.IsResidentialProxy ? NetworkFlags.ResidentialProxy : 0)
                | (anonymous.IsTorExitNode ? NetworkFlags.TorExitNode : 0);
        }

        var connectionType = connection?.ConnectionType;
        if (string.Equals(connectionType, "Cellular", StringComparison.OrdinalIgnoreCase))
        {
            flags |= NetworkFlags.Cellular;
        }

        var facts = new GeoFacts
        {
            CountryIsoCode = Intern(country?.Country.IsoCode),
            ContinentCode = Intern(country?.Continent.Code),
            SubdivisionIsoCode = Intern(city?.MostSpecificSubdivision.IsoCode),
            City = city?.City.Name,
            Latitude = location?.HasCoordinates == true ? location.Latitude : null,
            Longitude = location?.HasCoordinates == true ? location.Longitude : null,
            AccuracyRadiusKm = location?.AccuracyRadius,
            Asn = asn?.AutonomousSystemNumber ?? isp?.AutonomousSystemNumber,
            AsnOrganization = asn?.AutonomousSystemOrganization ?? isp?.AutonomousSystemOrganization,
            Isp = isp?.Isp,
            ConnectionType = Intern(connectionType),
            Flags = flags,
        };

        return IsEmptyFacts(facts) ? GeoFacts.Unknown : facts;
    }

    private static bool IsEmptyFacts(GeoFacts f) =>
        f.CountryIsoCode is null && f.ContinentCode is null && f.City is null && !f.Latitude.HasValue && !f.Asn.HasValue
        && f.AsnOrganization is null && f.Isp is null && f.ConnectionType is null && f.Flags == NetworkFlags.None;

    // Country, continent, subdivision codes and connection types are few: share one instance of each.
    private static string? Intern(string? value) => value is null ? null : string.IsInterned(value) ?? string.Intern(value);
}
