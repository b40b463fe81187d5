using System.Net;
using MaxMind.GeoIP2.Responses;
using NumoTelemetry.GeoIP.Internal;
using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP;

/// <summary>
/// An immutable set of open databases, one per slot. A reload builds a new set and swaps it in at
/// once; lookups in flight finish on the set they started with.
/// </summary>
internal sealed class GeoIPDatabaseSet
{
    // Country, continent, subdivision codes and connection types are few and short: one shared instance of each, process-wide
    // and bounded.
    private static readonly BoundedInterner s_codes = new(4_096, 32);

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
        var country = Find<AbstractCountryResponse>(GeoIPSlot.Geo, ip, onError, static (db, ip) => db.Kind switch
        {
            GeoIPDatabaseKind.City => db.Reader.TryCity(ip, out var c) ? c : null,
            GeoIPDatabaseKind.Enterprise => db.Reader.TryEnterprise(ip, out var e) ? e : null,
            _ => db.Reader.TryCountry(ip, out var k) ? k : null,
        });
        var asn = Find(GeoIPSlot.Asn, ip, onError, static (db, ip) => db.Reader.TryAsn(ip, out var r) ? r : null);
        var anonymous = Find(GeoIPSlot.AnonymousIP, ip, onError, static (db, ip) => db.Reader.TryAnonymousIP(ip, out var r) ? r : null);
        var isp = Find(GeoIPSlot.Isp, ip, onError, static (db, ip) => db.Reader.TryIsp(ip, out var r) ? r : null);
        var connection = Find(GeoIPSlot.ConnectionType, ip, onError, static (db, ip) => db.Reader.TryConnectionType(ip, out var r) ? r : null);
        return Combine(country, asn, anonymous, isp, connection);
    }

    private T? Find<T>(GeoIPSlot slot, IPAddress ip, Action<GeoIPDatabase, Exception> onError, Func<GeoIPDatabase, IPAddress, T?> find)
        where T : class
    {
        if (_slots[(int)slot] is not { } db)
        {
            return null;
        }

        try
        {
            return find(db, ip);
        }
        catch (Exception ex)
        {
            onError(db, ex);
            return null;
        }
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
            CountryIsoCode = s_codes.Intern(country?.Country.IsoCode),
            ContinentCode = s_codes.Intern(country?.Continent.Code),
            SubdivisionIsoCode = s_codes.Intern(city?.MostSpecificSubdivision.IsoCode),
            City = city?.City.Name,
            Latitude = location?.HasCoordinates == true ? location.Latitude : null,
            Longitude = location?.HasCoordinates == true ? location.Longitude : null,
            AccuracyRadiusKm = location?.AccuracyRadius,
            Asn = asn?.AutonomousSystemNumber ?? isp?.AutonomousSystemNumber,
            AsnOrganization = asn?.AutonomousSystemOrganization ?? isp?.AutonomousSystemOrganization,
            Isp = isp?.Isp,
            ConnectionType = s_codes.Intern(connectionType),
            Flags = flags,
        };

        return IsEmptyFacts(facts) ? GeoFacts.Unknown : facts;
    }

    private static bool IsEmptyFacts(GeoFacts f) =>
        f.CountryIsoCode is null && f.ContinentCode is null && f.City is null && !f.Latitude.HasValue && !f.Asn.HasValue
        && f.AsnOrganization is null && f.Isp is null && f.ConnectionType is null && f.Flags == NetworkFlags.None;
}
