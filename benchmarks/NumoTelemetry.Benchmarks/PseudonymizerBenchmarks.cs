using System.Security.Cryptography;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// Pseudonymisation cost: the static one-shot HMAC (baseline, re-keys every call), our reused keyed
/// context on a cache miss, and a cache hit, for text (a session id) and for an IP address.
/// </summary>
[MemoryDiagnoser]
public class PseudonymizerBenchmarks
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _message = "CfDJ8Abc123SessionValue"u8.ToArray();
    private Pseudonymizer _cold = null!;
    private Pseudonymizer _warm = null!;
    private ClientAddress _ip;
    private string[] _distinct = null!;
    private int _next;
    private DateTimeOffset _now;

    [GlobalSetup]
    public void Setup()
    {
        var options = new PseudonymizationOptions();
        options.Keys["1"] = KeyRing.GenerateKey();
        // A cache of 16 entries and 64k distinct values: every cold call misses.
        var coldOptions = new PseudonymizationOptions { CacheSize = 16 };
        coldOptions.Keys["1"] = options.Keys["1"];
        _cold = new Pseudonymizer(KeyRing.FromOptions(coldOptions), coldOptions);
        _warm = new Pseudonymizer(KeyRing.FromOptions(options), options);
        _distinct = new string[65_536];
        for (var i = 0; i < _distinct.Length; i++)
        {
            _distinct[i] = "session-" + i.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        }

        ClientAddress.TryParse("198.51.100.23", out _ip);
        _now = DateTimeOffset.UtcNow;
        _warm.Pseudonymize(PseudonymKind.Session, "CfDJ8Abc123SessionValue", _now);
        _warm.PseudonymizeAddress(_ip, PseudonymKind.Ip, _now);
    }

    [Benchmark(Baseline = true, Description = "HMACSHA256.HashData one-shot")]
    public int OneShotHmac()
    {
        Span<byte> mac = stackalloc byte[32];
        return HMACSHA256.HashData(_key, _message, mac);
    }

    [Benchmark(Description = "Pseudonymize text, cache miss")]
    public Pseudonym TextCold() => _cold.PseudonymizeNormalized(PseudonymKind.Session, _distinct[_next++ & 0xFFFF], _now, PseudonymScope.Fraud);

    [Benchmark(Description = "Pseudonymize text, cache hit")]
    public Pseudonym TextCached() => _warm.PseudonymizeNormalized(PseudonymKind.Session, "CfDJ8Abc123SessionValue", _now, PseudonymScope.Fraud);

    [Benchmark(Description = "Pseudonymize IP, cache hit")]
    public Pseudonym IpCached() => _warm.PseudonymizeAddress(_ip, PseudonymKind.Ip, _now);
}
