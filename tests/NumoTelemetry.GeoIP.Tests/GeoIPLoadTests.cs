using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP.Tests;

public sealed class GeoIPLoadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("numo-geoip-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Start_MissingDatabase_WarnsNamingTheSettingAndTurnsEnrichmentOff()
    {
        var collector = new FakeLogCollector();
        var missing = Path.Combine(_dir, "GeoLite2-City.mmdb");
        using var lookup = GeoIPTestHost.Start(o => o.CityDatabasePath = missing, new FakeLogger(collector));

        Assert.False(lookup.IsEnabled);
        Assert.Null(lookup.Lookup(ClientAddress.FromIPv4(0x51024500)));
        var warnings = collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
        Assert.Contains(warnings, m => m.Contains("NumoTelemetry:GeoIP:CityDatabasePath", StringComparison.Ordinal) && m.Contains(missing, StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.Contains("GeoIP enrichment is off", StringComparison.Ordinal));
    }

    [Fact]
    public void Start_MissingRequiredDatabase_ThrowsNamingTheSettingAndFile()
    {
        var missing = Path.Combine(_dir, "GeoLite2-ASN.mmdb");
        var ex = Assert.Throws<InvalidOperationException>(() => GeoIPTestHost.Start(o =>
        {
            o.AsnDatabasePath = missing;
            o.Required = true;
        }));
        Assert.Contains("NumoTelemetry:GeoIP:AsnDatabasePath", ex.Message, StringComparison.Ordinal);
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_FileThatIsNotADatabase_ReportsTheFileAndNeverThrowsUnlessRequired()
    {
        var garbage = Path.Combine(_dir, "GeoIP2-City.mmdb");
        File.WriteAllBytes(garbage, System.Text.Encoding.ASCII.GetBytes(new string('x', 4096)));
        var collector = new FakeLogCollector();
        using (var lookup = GeoIPTestHost.Start(o => o.CityDatabasePath = garbage, new FakeLogger(collector)))
        {
            Assert.False(lookup.IsEnabled);
            Assert.Contains(collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains(garbage, StringComparison.Ordinal) && r.Message.Contains("not a valid MaxMind database", StringComparison.Ordinal));
        }

        var ex = Assert.Throws<InvalidOperationException>(() => GeoIPTestHost.Start(o =>
        {
            o.CityDatabasePath = garbage;
            o.Required = true;
        }));
        Assert.Contains(garbage, ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Start_DatabaseOfTheWrongType_SaysWhatWasExpected()
    {
        var asn = TestData.File("GeoLite2-ASN-Test.mmdb");
        var ex = Assert.Throws<InvalidOperationException>(() => GeoIPTestHost.Start(o =>
        {
            o.CityDatabasePath = asn;
            o.Required = true;
        }));
        Assert.Contains("GeoLite2-ASN database", ex.Message, StringComparison.Ordinal);
        Assert.Contains("a City, Country or Enterprise database is expected", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_BrokenSearchTree_ThrowsNamingTheFile()
    {
        var path = TestData.File("MaxMind-DB-test-broken-search-tree-24.mmdb");
        var ex = Assert.Throws<GeoIPLoadException>(() => GeoIPDatabaseLoader.Verify(path, loadIntoMemory: false));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Start_RequiredBrokenDoubleFormatWithVerifyOnLoad_FailsAtStartupNamingTheFile()
    {
        var path = TestData.File("GeoIP2-City-Test-Broken-Double-Format.mmdb");
        var ex = Assert.Throws<InvalidOperationException>(() => GeoIPTestHost.Start(o =>
        {
            o.CityDatabasePath = path;
            o.VerifyOnLoad = true;
            o.Required = true;
        }));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("NumoTelemetry:GeoIP:CityDatabasePath", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Start_GoodDatabaseWithVerifyOnLoad_Loads()
    {
        using var lookup = GeoIPTestHost.Start(o =>
        {
            o.CityDatabasePath = TestData.File("GeoIP2-City-Test.mmdb");
            o.VerifyOnLoad = true;
            o.Required = true;
        });
        Assert.True(lookup.IsEnabled);
    }

    [Fact]
    public void Start_Disabled_LoadsNothing()
    {
        using var lookup = GeoIPTestHost.Start(o =>
        {
            o.Enabled = false;
            o.CityDatabasePath = Path.Combine(_dir, "missing.mmdb");
            o.Required = true;
        });
        Assert.False(lookup.IsEnabled);
    }

    [Fact]
    public void Start_MissingRequiredDirectory_Throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => GeoIPTestHost.Start(o =>
        {
            o.DatabaseDirectory = Path.Combine(_dir, "nope");
            o.Required = true;
        }));
        Assert.Contains("NumoTelemetry:GeoIP:DatabaseDirectory", ex.Message, StringComparison.Ordinal);
    }
}
