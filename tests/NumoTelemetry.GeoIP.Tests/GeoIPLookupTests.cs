using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP.Tests;

public sealed class GeoIPLookupTests
{
    [SkippableTheory]
    [InlineData("GeoIP2-City-Test")]
    [InlineData("GeoLite2-City-Test")]
    public void Lookup_CityTestDatabase_MatchesSourceJson(string name)
    {
        using var lookup = GeoIPTestHost.Start(o => o.CityDatabasePath = TestData.File(name + ".mmdb"));
        var probes = SourceJson.Probes(TestData.File(name + ".source.json"));
        Assert.NotEmpty(probes);
        var cities = 0;
        foreach (var (probe, expected) in probes)
        {
            var facts = lookup.LookupUncached(probe);
            var where = $"{name} {probe}";
            Assert.True(expected.String("country", "iso_code") == facts.CountryIsoCode, $"{where}: country {facts.CountryIsoCode}");
            Assert.True(expected.String("continent", "code") == facts.ContinentCode, $"{where}: continent {facts.ContinentCode}");
            Assert.True(expected.String("city", "names", "en") == facts.City, $"{where}: city {facts.City}");
            string? subdivision = null;
            if (expected.Element("subdivisions") is { } subs && subs.GetArrayLength() > 0)
            {
                subdivision = subs[subs.GetArrayLength() - 1].String("iso_code");
            }

            Assert.True(subdivision == facts.SubdivisionIsoCode, $"{where}: subdivision {facts.SubdivisionIsoCode}");
            if (expected.Element("location", "latitude") is { } lat)
            {
                Assert.Equal(lat.GetDouble(), facts.Latitude);
                Assert.Equal(expected.Element("location", "longitude")!.Value.GetDouble(), facts.Longitude);
            }

            if (expected.Element("location", "accuracy_radius") is { } radius)
            {
                Assert.Equal(radius.GetInt32(), facts.AccuracyRadiusKm);
            }

            cities += facts.City is null ? 0 : 1;
        }

        Assert.True(cities > 0, "the source names cities");
    }

    [SkippableTheory]
    [InlineData("GeoIP2-Country-Test")]
    [InlineData("GeoLite2-Country-Test")]
    public void Lookup_CountryTestDatabase_MatchesSourceJson(string name)
    {
        using var lookup = GeoIPTestHost.Start(o => o.CityDatabasePath = TestData.File(name + ".mmdb"));
        foreach (var (probe, expected) in SourceJson.Probes(TestData.File(name + ".source.json")))
        {
            var facts = lookup.LookupUncached(probe);
            Assert.True(expected.String("country", "iso_code") == facts.CountryIsoCode, $"{probe}: country {facts.CountryIsoCode}");
            Assert.True(expected.String("continent", "code") == facts.ContinentCode, $"{probe}: continent {facts.ContinentCode}");
            Assert.Null(facts.City);
            Assert.False(facts.HasLocation);
        }
    }

    [SkippableFact]
    public void Lookup_AsnTestDatabase_MatchesSourceJson()
    {
        using var lookup = GeoIPTestHost.Start(o => o.AsnDatabasePath = TestData.File("GeoLite2-ASN-Test.mmdb"));
        var probes = SourceJson.Probes(TestData.File("GeoLite2-ASN-Test.source.json"));
        Assert.NotEmpty(probes);
        foreach (var (probe, expected) in probes)
        {
            var facts = lookup.LookupUncached(probe);
            Assert.True(expected.Element("autonomous_system_number")?.GetInt64() == facts.Asn, $"{probe}: asn {facts.Asn}");
            Assert.True(expected.String("autonomous_system_organization") == facts.AsnOrganization, $"{probe}: org {facts.AsnOrganization}");
        }
    }

    [SkippableFact]
    public void Lookup_AnonymousIPTestDatabase_SetsEveryFlagOfTheSource()
    {
        using var lookup = GeoIPTestHost.Start(o => o.AnonymousIPDatabasePath = TestData.File("GeoIP2-Anonymous-IP-Test.mmdb"));
        var probes = SourceJson.Probes(TestData.File("GeoIP2-Anonymous-IP-Test.source.json"));
        Assert.NotEmpty(probes);
        foreach (var (probe, expected) in probes)
        {
            var flags = lookup.LookupUncached(probe).Flags;
            Assert.Equal(expected.Flag("is_anonymous"), flags.HasFlag(NetworkFlags.Anonymous));
            Assert.Equal(expected.Flag("is_anonymous_vpn"), flags.HasFlag(NetworkFlags.AnonymousVpn));
            Assert.Equal(expected.Flag("is_hosting_provider"), flags.HasFlag(NetworkFlags.Hosting));
            Assert.Equal(expected.Flag("is_public_proxy"), flags.HasFlag(NetworkFlags.PublicProxy));
            Assert.Equal(expected.Flag("is_residential_proxy"), flags.HasFlag(NetworkFlags.ResidentialProxy));
            Assert.Equal(expected.Flag("is_tor_exit_node"), flags.HasFlag(NetworkFlags.TorExitNode));
        }
    }

    [SkippableFact]
    public void Lookup_IspTestDatabaseWithoutAsnDatabase_TakesIspAndAsnFromIsp()
    {
        using var lookup = GeoIPTestHost.Start(o => o.IspDatabasePath = TestData.File("GeoIP2-ISP-Test.mmdb"));
        var probes = SourceJson.Probes(TestData.File("GeoIP2-ISP-Test.source.json"));
        Assert.NotEmpty(probes);
        foreach (var (probe, expected) in probes)
        {
            var facts = lookup.LookupUncached(probe);
            Assert.True(expected.String("isp") == facts.Isp, $"{probe}: isp {facts.Isp}");
            Assert.True(expected.Element("autonomous_system_number")?.GetInt64() == facts.Asn, $"{probe}: asn {facts.Asn}");
        }
    }

    [SkippableFact]
    public void Lookup_ConnectionTypeTestDatabase_SetsTypeAndCellularFlag()
    {
        using var lookup = GeoIPTestHost.Start(o => o.ConnectionTypeDatabasePath = TestData.File("GeoIP2-Connection-Type-Test.mmdb"));
        var probes = SourceJson.Probes(TestData.File("GeoIP2-Connection-Type-Test.source.json"));
        var cellular = 0;
        foreach (var (probe, expected) in probes)
        {
            var facts = lookup.LookupUncached(probe);
            var type = expected.String("connection_type");
            Assert.Equal(type, facts.ConnectionType);
            Assert.Equal(type == "Cellular", facts.Flags.HasFlag(NetworkFlags.Cellular));
            cellular += type == "Cellular" ? 1 : 0;
        }

        Assert.True(cellular > 0);
    }

    [SkippableFact]
    public void Lookup_AllDatabasesFromDirectory_CombinesFactsAndSkipsBrokenFiles()
    {
        var dir = TestData.RequireMaxMind();
        using var lookup = GeoIPTestHost.Start(o => o.DatabaseDirectory = dir);
        var set = lookup.Databases!;
        Assert.Equal("GeoIP2-City-Test.mmdb", set[GeoIPSlot.Geo]!.FileName);
        Assert.Equal("GeoLite2-ASN-Test.mmdb", set[GeoIPSlot.Asn]!.FileName);
        Assert.Equal("GeoIP2-Anonymous-IP-Test.mmdb", set[GeoIPSlot.AnonymousIP]!.FileName);
        Assert.Equal("GeoIP2-ISP-Test.mmdb", set[GeoIPSlot.Isp]!.FileName);
        Assert.Equal("GeoIP2-Connection-Type-Test.mmdb", set[GeoIPSlot.ConnectionType]!.FileName);

        // 81.2.69.160: London in the City test database; 81.2.69.0/24 is flagged in the Anonymous-IP one.
        var facts = lookup.Lookup(ClientAddress.FromIPAddress(IPAddress.Parse("81.2.69.160")))!;
        Assert.Equal("GB", facts.CountryIsoCode);
        Assert.Equal("London", facts.City);
        Assert.True(facts.Flags.HasFlag(NetworkFlags.TorExitNode));
    }

    [SkippableFact]
    public void Lookup_CacheHit_ReturnsSharedInstanceWithoutAllocating()
    {
        using var lookup = GeoIPTestHost.Start(o => o.CityDatabasePath = TestData.File("GeoIP2-City-Test.mmdb"));
        var address = ClientAddress.FromIPAddress(IPAddress.Parse("81.2.69.160"));
        var first = lookup.Lookup(address);
        Assert.NotNull(first);
        var before = GC.GetAllocatedBytesForCurrentThread();
        GeoFacts? last = null;
        for (var i = 0; i < 1000; i++)
        {
            last = lookup.Lookup(address);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Same(first, last);
        Assert.Equal(0, allocated);
    }

    [SkippableFact]
    public void Lookup_PrivateAddress_IsUnknownWithoutLookup()
    {
        using var lookup = GeoIPTestHost.Start(o => o.CityDatabasePath = TestData.File("GeoIP2-City-Test.mmdb"));
        Assert.Same(GeoFacts.Unknown, lookup.Lookup(ClientAddress.FromIPAddress(IPAddress.Parse("10.1.2.3"))));
        Assert.Same(GeoFacts.Unknown, lookup.Lookup(ClientAddress.FromIPAddress(IPAddress.Loopback)));
    }

    [SkippableFact]
    public void Lookup_AddressNotInDatabase_IsSharedUnknown()
    {
        using var lookup = GeoIPTestHost.Start(o => o.CityDatabasePath = TestData.File("GeoIP2-City-Test.mmdb"));
        Assert.Same(GeoFacts.Unknown, lookup.Lookup(ClientAddress.FromIPAddress(IPAddress.Parse("203.0.113.9"))));
    }

    [SkippableFact]
    public void Lookup_BrokenDoubleFormatDatabase_NeverThrowsAndLogsTheFileOnce()
    {
        var path = TestData.File("GeoIP2-City-Test-Broken-Double-Format.mmdb");
        var collector = new FakeLogCollector();
        using var lookup = GeoIPTestHost.Start(o => o.CityDatabasePath = path, new FakeLogger(collector));
        Assert.True(lookup.IsEnabled);
        var failures = 0;
        foreach (var (probe, _) in SourceJson.Probes(TestData.File("GeoIP2-City-Test.source.json")))
        {
            var facts = lookup.Lookup(ClientAddress.FromIPAddress(probe));
            Assert.NotNull(facts);
            failures += facts.CountryIsoCode is null ? 1 : 0;
        }

        Assert.True(failures > 0, "some records of the broken database fail to decode");
        var errors = collector.GetSnapshot().Where(r => r.Level == LogLevel.Error).ToList();
        var error = Assert.Single(errors);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal("GeoIPLookupFailed", error.Id.Name);
    }

    [Fact]
    public void Lookup_NeverStarted_FindsNothingAndWarnsOnceNamingTheCause()
    {
        // A container whose hosted services were not run (a tool or a host of its own) never opens the databases: every lookup
        // finds nothing. That must be visible, not a silent loss of every geo-dependent detection.
        var collector = new FakeLogCollector();
        using var lookup = new GeoIPLookup(new GeoIPOptions { DatabaseDirectory = "/nonexistent", WatchForChanges = false }, null, new FakeLogger(collector), TimeProvider.System, null);
        var client = ClientAddress.FromIPAddress(IPAddress.Parse("81.2.69.142"));

        Assert.Null(lookup.Lookup(client));
        Assert.Null(lookup.Lookup(client));

        var warning = Assert.Single(collector.GetSnapshot(), r => r.Id.Name == "GeoIPNotStarted");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("hosted service", warning.Message, StringComparison.Ordinal);
    }
}
