using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud.HeldOut;

/// <summary>One network of the held-out world: a /16 of made-up addresses with the facts a GeoIP database would give for it.</summary>
internal sealed class SimulatedNetwork(string name, byte a, byte b, GeoFacts geo, bool searchEngine = false)
{
    public string Name { get; } = name;

    public byte A { get; } = a;

    public byte B { get; } = b;

    public GeoFacts Geo { get; } = geo;

    /// <summary>Whether forward-confirmed reverse DNS of this network's addresses names a search engine.</summary>
    public bool SearchEngine { get; } = searchEngine;

    /// <summary>The address <c>a.b.c.d</c> of this network.</summary>
    public string Ip(int c, int d) => $"{A}.{B}.{c & 255}.{d & 255}";

    /// <summary>A random host address (never .0 or .255).</summary>
    public string RandomIp(Random random) => Ip(random.Next(0, 256), random.Next(1, 255));

    public static SimulatedNetwork Create(string name, byte a, byte b, string country, string continent, string city, double lat, double lon, int radiusKm, long asn, string org, NetworkFlags flags = NetworkFlags.None, bool searchEngine = false) =>
        new(name, a, b, new GeoFacts
        {
            CountryIsoCode = country,
            ContinentCode = continent,
            City = city,
            Latitude = lat,
            Longitude = lon,
            AccuracyRadiusKm = radiusKm,
            Asn = asn,
            AsnOrganization = org,
            Isp = org,
            ConnectionType = (flags & NetworkFlags.Cellular) != 0 ? "Cellular" : "Cable/DSL",
            Flags = flags,
        }, searchEngine);
}
