using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using NumoTelemetry.GeoIP;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// GeoIP on the hot path: a cached lookup (the enricher's hit path, goal 0 B) against an uncached one (what every
/// request would cost without the cache: address conversion plus City and ASN database reads). Uses MaxMind's
/// test databases from ../shared/testdata/maxmind.
/// </summary>
[MemoryDiagnoser]
public class GeoIPLookupBenchmarks
{
    private GeoIPLookup _lookup = null!;
    private ClientAddress _address;

    [GlobalSetup]
    public void Setup()
    {
        var dir = NumoTelemetry.Testing.SharedTestData.Find("maxmind") ?? throw new InvalidOperationException("MaxMind test databases not found: they live in ../shared/testdata/maxmind beside the repository.");
        _lookup = new GeoIPLookup(
            new GeoIPOptions
            {
                CityDatabasePath = Path.Combine(dir, "GeoIP2-City-Test.mmdb"),
                AsnDatabasePath = Path.Combine(dir, "GeoLite2-ASN-Test.mmdb"),
                WatchForChanges = false,
            },
            null,
            NullLogger.Instance,
            TimeProvider.System,
            null);
        _lookup.Start();
        _address = ClientAddress.FromIPAddress(IPAddress.Parse("89.160.20.115"));
        _lookup.Lookup(_address);
    }

    [GlobalCleanup]
    public void Cleanup() => _lookup.Dispose();

    [Benchmark(Baseline = true, Description = "uncached (City + ASN read)")]
    public GeoFacts Uncached() => _lookup.LookupUncached(_address.ToIPAddress()!);

    [Benchmark(Description = "cached hit")]
    public GeoFacts? Cached() => _lookup.Lookup(_address);
}
