using System.Security.Cryptography;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// Pseudonymisation cost for a session-cookie-sized value (125 characters) and an IPv4 address: the keyed function on
/// its own (HMAC-SHA256 through a reused context, the former choice, against AES-256-CMAC), and the pseudonymizer on a
/// cache miss (64k distinct values) and a cache hit.
/// </summary>
[MemoryDiagnoser]
public class PseudonymizerBenchmarks
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _message = System.Text.Encoding.UTF8.GetBytes("\u0003CfDJ8" + new string('x', 120));
    private readonly byte[] _address = [3, 198, 51, 100, 23, 255];
    private IncrementalHash _hmac = null!;
    private AesCmac _cmac = null!;
    private ClientAddress[] _addresses = null!;
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
            _distinct[i] = "CfDJ8" + i.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + new string('s', 112);
        }

        _addresses = new ClientAddress[65_536];
        for (var i = 0; i < _addresses.Length; i++)
        {
            ClientAddress.TryParse($"10.{i >> 8}.{i & 255}.7", out _addresses[i]);
        }

        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        _cmac = new AesCmac(_key);

        ClientAddress.TryParse("198.51.100.23", out _ip);
        _now = DateTimeOffset.UtcNow;
        _warm.Pseudonymize(PseudonymKind.Session, _distinct[0], _now);
        _warm.PseudonymizeAddress(_ip, PseudonymKind.Ip, _now);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hmac.Dispose();
        _cmac.Dispose();
        _cold.Dispose();
        _warm.Dispose();
    }

    [Benchmark(Baseline = true, Description = "HMAC-SHA256 reused context, 126 B")]
    public int HmacText()
    {
        Span<byte> mac = stackalloc byte[32];
        _hmac.AppendData(_message);
        return _hmac.GetHashAndReset(mac);
    }

    [Benchmark(Description = "AES-256-CMAC, 126 B")]
    public int CmacText()
    {
        Span<byte> mac = stackalloc byte[16];
        return _cmac.Compute(_message, mac);
    }

    [Benchmark(Description = "HMAC-SHA256 reused context, address")]
    public int HmacAddress()
    {
        Span<byte> mac = stackalloc byte[32];
        _hmac.AppendData(_address);
        return _hmac.GetHashAndReset(mac);
    }

    [Benchmark(Description = "AES-256-CMAC, address")]
    public int CmacAddress()
    {
        Span<byte> mac = stackalloc byte[16];
        return _cmac.Compute(_address, mac);
    }

    [Benchmark(Description = "Pseudonymize text, cache miss")]
    public Pseudonym TextCold() => _cold.PseudonymizeNormalized(PseudonymKind.Session, _distinct[_next++ & 0xFFFF], _now, PseudonymScope.Fraud);

    [Benchmark(Description = "Pseudonymize text, cache hit")]
    public Pseudonym TextCached() => _warm.PseudonymizeNormalized(PseudonymKind.Session, _distinct[0], _now, PseudonymScope.Fraud);

    [Benchmark(Description = "Pseudonymize IP, cache miss")]
    public Pseudonym IpCold() => _cold.PseudonymizeAddress(_addresses[_next++ & 0xFFFF], PseudonymKind.Ip, _now);

    [Benchmark(Description = "Pseudonymize IP, cache hit")]
    public Pseudonym IpCached() => _warm.PseudonymizeAddress(_ip, PseudonymKind.Ip, _now);
}
