using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP.Tests;

public sealed class GeoIPReloadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("numo-geoip-reload-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task Reload_FileReplacedOnDisk_SwapsWithoutFailingConcurrentLookups()
    {
        var target = Path.Combine(_dir, "GeoIP2-City.mmdb");
        File.Copy(TestData.File("GeoIP2-Country-Test.mmdb"), target);
        var options = new GeoIPOptions { CityDatabasePath = target, ReloadDelay = TimeSpan.FromMilliseconds(100) };
        using var lookup = new GeoIPLookup(options, null, NullLogger.Instance, TimeProvider.System, null);
        lookup.Start();
        var london = ClientAddress.FromIPAddress(IPAddress.Parse("81.2.69.160"));
        Assert.Null(lookup.Lookup(london)!.City);
        Assert.Equal("GB", lookup.Lookup(london)!.CountryIsoCode);

        using var stop = new CancellationTokenSource();
        var failures = 0;
        var lookups = 0;
        var hammer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (lookup.Lookup(london)?.CountryIsoCode != "GB")
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }

                lookups++;
            }
        });

        // Atomic replacement, as geoipupdate does it: write beside, then rename over.
        var temp = target + ".tmp";
        File.Copy(TestData.File("GeoIP2-City-Test.mmdb"), temp);
        File.Move(temp, target, overwrite: true);

        var watch = Stopwatch.StartNew();
        while (lookup.Lookup(london)?.City is null && watch.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        await hammer;
        Assert.Equal("London", lookup.Lookup(london)!.City);
        Assert.Equal(2, lookup.Databases!.Generation);
        Assert.Equal(0, failures);
        Assert.True(lookups > 0);
    }

    [SkippableFact]
    public void Reload_ReplacementIsCorrupt_KeepsThePreviousDatabase()
    {
        var target = Path.Combine(_dir, "GeoIP2-City.mmdb");
        File.Copy(TestData.File("GeoIP2-City-Test.mmdb"), target);
        var options = new GeoIPOptions { CityDatabasePath = target, WatchForChanges = false };
        using var lookup = new GeoIPLookup(options, null, NullLogger.Instance, TimeProvider.System, null);
        lookup.Start();
        var before = lookup.Databases;

        File.WriteAllBytes(target + ".tmp", new byte[8192]);
        File.Move(target + ".tmp", target, overwrite: true);

        Assert.False(lookup.Reload());
        Assert.Same(before, lookup.Databases);
        Assert.Equal("London", lookup.Lookup(ClientAddress.FromIPAddress(IPAddress.Parse("81.2.69.160")))!.City);
    }

    [SkippableFact]
    public void Reload_NothingChanged_KeepsTheSameSet()
    {
        using var lookup = GeoIPTestHost.Start(o => o.CityDatabasePath = TestData.File("GeoIP2-City-Test.mmdb"));
        var before = lookup.Databases;
        Assert.False(lookup.Reload());
        Assert.Same(before, lookup.Databases);
    }
}
