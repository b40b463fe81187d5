using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP.Tests;

/// <summary>Directory mode (as the sample and <c>geoipupdate</c> use it): reloads, broken replacements, Required, a directory that appears later.</summary>
public sealed class GeoIPDirectoryReloadTests : IDisposable
{
    private static readonly ClientAddress s_london = ClientAddress.FromIPAddress(IPAddress.Parse("81.2.69.160"));

    private readonly string _dir = Directory.CreateTempSubdirectory("numo-geoip-dir-").FullName;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeLogCollector _logs = new();

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private GeoIPLookup Create(GeoIPOptions options) =>
        new(options, null, new FakeLogger(_logs), TimeProvider.System, new GeoIPMetrics(_services.GetRequiredService<IMeterFactory>()));

    private MetricCollector<long> Reloads() => new(_services.GetRequiredService<IMeterFactory>(), "NumoTelemetry", "numo.geoip.reloads");

    private static long Count(MetricCollector<long> collector, string outcome) =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags["numo.outcome"], outcome)).Sum(m => m.Value);

    /// <summary>Replaces a file atomically (write beside, rename over), as geoipupdate does.</summary>
    private static void Replace(string target, byte[] content)
    {
        File.WriteAllBytes(target + ".tmp", content);
        File.Move(target + ".tmp", target, overwrite: true);
    }

    private static List<(IPAddress Probe, string? Country, string? City)> Answers(GeoIPLookup lookup)
    {
        var answers = new List<(IPAddress, string?, string?)>();
        foreach (var (probe, _) in SourceJson.Probes(TestData.File("GeoIP2-City-Test.source.json")))
        {
            var facts = lookup.LookupUncached(probe);
            answers.Add((probe, facts.CountryIsoCode, facts.City));
        }

        Assert.Contains(answers, a => a.Item2 is not null);
        return answers;
    }

    /// <summary>Every probe of the City test database still answers as before the broken replacement: lookups continue on the old file.</summary>
    private static void AssertSameAnswers(GeoIPLookup lookup, List<(IPAddress Probe, string? Country, string? City)> expected)
    {
        foreach (var (probe, country, city) in expected)
        {
            var facts = lookup.LookupUncached(probe);
            Assert.Equal(country, facts.CountryIsoCode);
            Assert.Equal(city, facts.City);
        }
    }

    private string SeedCityAndAsn()
    {
        File.Copy(TestData.File("GeoIP2-City-Test.mmdb"), Path.Combine(_dir, "GeoIP2-City.mmdb"));
        File.Copy(TestData.File("GeoLite2-ASN-Test.mmdb"), Path.Combine(_dir, "GeoLite2-ASN.mmdb"));
        return Path.Combine(_dir, "GeoIP2-City.mmdb");
    }

    [SkippableFact]
    public void Reload_ReplacedFileFailsToOpen_KeepsThePreviousDatabaseLogsReloadFailedAndCountsIt()
    {
        var city = SeedCityAndAsn();
        using var lookup = Create(new GeoIPOptions { DatabaseDirectory = _dir, WatchForChanges = false });
        lookup.Start();
        var before = lookup.Databases!;
        using var reloads = Reloads();
        _logs.Clear();

        Replace(city, new byte[8192]);

        Assert.False(lookup.Reload());
        Assert.Same(before, lookup.Databases);
        Assert.Same(before[GeoIPSlot.Geo], lookup.Databases![GeoIPSlot.Geo]);
        Assert.Equal("London", lookup.Lookup(s_london)!.City);
        var records = _logs.GetSnapshot();
        var failed = Assert.Single(records, r => r.Id.Name == "GeoIPReloadFailed");
        Assert.Contains(city, failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(records, r => r.Id.Name == "GeoIPDatabaseMissing");
        Assert.Equal(1, Count(reloads, "failure"));
    }

    [SkippableFact]
    public void Reload_ReplacedFileFailsToOpenWhileAnotherIsUpdated_SwapsTheUpdateAndKeepsTheOldOne()
    {
        var city = SeedCityAndAsn();
        using var lookup = Create(new GeoIPOptions { DatabaseDirectory = _dir, WatchForChanges = false });
        lookup.Start();
        var oldGeo = lookup.Databases![GeoIPSlot.Geo];
        using var reloads = Reloads();

        Replace(city, new byte[8192]);
        File.Copy(TestData.File("GeoIP2-Anonymous-IP-Test.mmdb"), Path.Combine(_dir, "GeoIP2-Anonymous-IP.mmdb"));

        Assert.True(lookup.Reload());
        Assert.Same(oldGeo, lookup.Databases![GeoIPSlot.Geo]);
        Assert.NotNull(lookup.Databases[GeoIPSlot.AnonymousIP]);
        Assert.Equal("London", lookup.Lookup(s_london)!.City);
        Assert.Equal(1, Count(reloads, "failure"));
        Assert.Equal(1, Count(reloads, "success"));
    }

    [SkippableTheory]
    [InlineData("GeoIP2-City-Test-Broken-Double-Format.mmdb")]
    [InlineData("MaxMind-DB-test-broken-search-tree-24.mmdb")]
    public void Reload_ExplicitPathReplacedByBrokenTestDatabase_IsVerifiedAndTheOldOneKept(string broken)
    {
        var city = Path.Combine(_dir, "GeoIP2-City.mmdb");
        File.Copy(TestData.File("GeoIP2-City-Test.mmdb"), city);
        using var lookup = Create(new GeoIPOptions { CityDatabasePath = city, WatchForChanges = false });
        lookup.Start();
        var before = lookup.Databases;
        var expected = Answers(lookup);
        using var reloads = Reloads();

        Replace(city, File.ReadAllBytes(TestData.File(broken)));

        Assert.False(lookup.Reload());
        Assert.Same(before, lookup.Databases);
        Assert.Contains(_logs.GetSnapshot(), r => r.Id.Name == "GeoIPReloadFailed" && r.Message.Contains(city, StringComparison.Ordinal));
        Assert.Equal(1, Count(reloads, "failure"));
        AssertSameAnswers(lookup, expected);
    }

    [SkippableFact]
    public void Reload_DirectoryFileReplacedByBrokenDoubleFormat_IsVerifiedAndTheOldOneKept()
    {
        var city = SeedCityAndAsn();
        using var lookup = Create(new GeoIPOptions { DatabaseDirectory = _dir, WatchForChanges = false });
        lookup.Start();
        var before = lookup.Databases;
        var expected = Answers(lookup);

        Replace(city, File.ReadAllBytes(TestData.File("GeoIP2-City-Test-Broken-Double-Format.mmdb")));

        Assert.False(lookup.Reload());
        Assert.Same(before, lookup.Databases);
        Assert.Contains(_logs.GetSnapshot(), r => r.Id.Name == "GeoIPReloadFailed" && r.Message.Contains("corrupt", StringComparison.Ordinal));
        AssertSameAnswers(lookup, expected);
    }

    [SkippableFact]
    public void Reload_DirectoryFileReplacedByAGoodOne_SwapsIt()
    {
        var city = SeedCityAndAsn();
        using var lookup = Create(new GeoIPOptions { DatabaseDirectory = _dir, WatchForChanges = false });
        lookup.Start();
        Assert.Equal("London", lookup.Lookup(s_london)!.City);

        Replace(city, File.ReadAllBytes(TestData.File("GeoIP2-Country-Test.mmdb")));

        Assert.True(lookup.Reload());
        Assert.Equal("GB", lookup.Lookup(s_london)!.CountryIsoCode);
        Assert.Null(lookup.Lookup(s_london)!.City);
    }

    [SkippableFact]
    public void Start_RequiredDirectoryWithAFileThatDoesNotOpen_FailsNamingTheFile()
    {
        TestData.RequireMaxMind();
        File.Copy(TestData.File("GeoLite2-ASN-Test.mmdb"), Path.Combine(_dir, "GeoLite2-ASN.mmdb"));
        var city = Path.Combine(_dir, "GeoLite2-City.mmdb");
        File.WriteAllBytes(city, new byte[8192]);

        using (var lenient = Create(new GeoIPOptions { DatabaseDirectory = _dir, WatchForChanges = false }))
        {
            lenient.Start();
            Assert.True(lenient.IsEnabled);
        }

        using var lookup = Create(new GeoIPOptions { DatabaseDirectory = _dir, WatchForChanges = false, Required = true });
        var ex = Assert.Throws<InvalidOperationException>(lookup.Start);
        Assert.Contains(city, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NumoTelemetry:GeoIP:DatabaseDirectory", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Start_RequiredDirectoryWithVerifyOnLoadAndACorruptCity_FailsNamingTheFile()
    {
        TestData.RequireMaxMind();
        File.Copy(TestData.File("GeoLite2-ASN-Test.mmdb"), Path.Combine(_dir, "GeoLite2-ASN.mmdb"));
        var city = Path.Combine(_dir, "GeoIP2-City.mmdb");
        File.Copy(TestData.File("GeoIP2-City-Test-Broken-Double-Format.mmdb"), city);

        using var lookup = Create(new GeoIPOptions { DatabaseDirectory = _dir, WatchForChanges = false, Required = true, VerifyOnLoad = true });
        var ex = Assert.Throws<InvalidOperationException>(lookup.Start);
        Assert.Contains(city, ex.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Start_DirectoryMissing_WatchesTheParentAndLoadsFilesDroppedInLater()
    {
        TestData.RequireMaxMind();
        var directory = Path.Combine(_dir, "var", "GeoIP");
        using var lookup = Create(new GeoIPOptions { DatabaseDirectory = directory, ReloadDelay = TimeSpan.FromMilliseconds(100) });
        lookup.Start();
        Assert.False(lookup.IsEnabled);
        var waiting = Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "GeoIPWaitingForDirectory");
        Assert.Contains(directory, waiting.Message, StringComparison.Ordinal);
        Assert.Contains(_dir, waiting.Message, StringComparison.Ordinal);

        // Two levels are missing: both are created, then the database is dropped in.
        Directory.CreateDirectory(directory);
        await Task.Delay(200);
        var staged = Path.Combine(_dir, "GeoIP2-City.mmdb.tmp");
        File.Copy(TestData.File("GeoIP2-City-Test.mmdb"), staged);
        File.Move(staged, Path.Combine(directory, "GeoIP2-City.mmdb"));

        var watch = Stopwatch.StartNew();
        while (lookup.Lookup(s_london)?.City is null && watch.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(50);
        }

        Assert.True(lookup.IsEnabled);
        Assert.Equal("London", lookup.Lookup(s_london)!.City);
    }
}
