using System.Security.Cryptography;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// Pseudonymisation cost for a session-cookie-sized value (125 characters) and an IPv4 address: the keyed function on
/// its own (HMAC-SHA256 through a reused context, the former choice, against AES-256-CMAC), and the pseudonymizer over
/// 65,536 distinct values (a site's many clients) and over one value.
/// </summary>
[MemoryDiagnoser]
public class PseudonymizerBenchmarks
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _message = System.Text.Encoding.UTF8.GetBytes("\u0003CfDJ8" + new string('x', 120));
    private readonly byte[] _address = [3, 198, 51, 100, 23, 255];
    private IncrementalHash _hmac = null!;
    private AesCmac _cmac = null!;
    private Pseudonymizer _pseudonymizer = null!;
    private string[] _sessions = null!;
    private ClientAddress[] _addresses = null!;
    private Pseudonym[] _pseudonyms = null!;
    private int _next;
    private long _tag;

    [GlobalSetup]
    public void Setup()
    {
        var options = new PseudonymizationOptions();
        options.Keys["1"] = KeyRing.GenerateKey();
        _pseudonymizer = new Pseudonymizer(KeyRing.FromOptions(options), options);
        _sessions = new string[65_536];
        _addresses = new ClientAddress[65_536];
        for (var i = 0; i < _sessions.Length; i++)
        {
            _sessions[i] = "CfDJ8" + i.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + new string('s', 112);
            ClientAddress.TryParse($"10.{i >> 8}.{i & 255}.7", out _addresses[i]);
        }

        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        _cmac = new AesCmac(_key);
        _tag = _pseudonymizer.TagOf(PseudonymScope.Fraud, DateTimeOffset.UtcNow);
        _pseudonyms = Array.ConvertAll(_addresses, a => _pseudonymizer.PseudonymizeAddress(a, PseudonymKind.Ip, _tag, PseudonymScope.Fraud));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hmac.Dispose();
        _cmac.Dispose();
        _pseudonymizer.Dispose();
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

    [Benchmark(Description = "Pseudonymize session, 64k distinct")]
    public Pseudonym SessionDistinct() => _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Session, _sessions[_next++ & 0xFFFF], _tag, PseudonymScope.Fraud);

    [Benchmark(Description = "Pseudonymize session, one value")]
    public Pseudonym SessionSame() => _pseudonymizer.PseudonymizeNormalized(PseudonymKind.Session, _sessions[0], _tag, PseudonymScope.Fraud);

    [Benchmark(Description = "Pseudonymize IP, 64k distinct")]
    public Pseudonym IpDistinct() => _pseudonymizer.PseudonymizeAddress(_addresses[_next++ & 0xFFFF], PseudonymKind.Ip, _tag, PseudonymScope.Fraud);

    [Benchmark(Description = "Pseudonym text (UTF-8), 64k distinct")]
    public int TextDistinct()
    {
        Span<byte> text = stackalloc byte[Pseudonym.MaxTextLength];
        _pseudonyms[_next++ & 0xFFFF].TryFormatUtf8(text, out var written);
        return written;
    }
}
