using System.Net;
using Microsoft.Extensions.Primitives;
using NumoTelemetry.Capture;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>Client IP resolution through a forwarding chain, against parsing one address with <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>.</summary>
[MemoryDiagnoser]
public class ClientIpBenchmarks
{
    private readonly ClientIpResolver _resolver = new(new ClientIpOptions { TrustedProxies = ["10.0.0.0/8"] });
    private readonly StringValues _xff = new("198.51.100.23, 10.1.2.3, 10.0.0.7");
    private readonly StringValues _forwarded = new("for=198.51.100.23;proto=https, for=\"[2001:db8::7]:443\", for=10.0.0.7");
    private ClientAddress _peer;

    [GlobalSetup]
    public void Setup() => ClientAddress.TryParse("10.0.0.2", out _peer);

    [Benchmark(Baseline = true, Description = "IPAddress.TryParse (one address)")]
    public IPAddress? ParseOne() => IPAddress.TryParse("198.51.100.23", out var a) ? a : null;

    [Benchmark(Description = "Resolve X-Forwarded-For (3 hops)")]
    public ClientAddress ResolveXff() => _resolver.Resolve(_peer, default, _xff, out _, out _);

    [Benchmark(Description = "Resolve Forwarded (3 hops, IPv6)")]
    public ClientAddress ResolveForwarded() => _resolver.Resolve(_peer, _forwarded, default, out _, out _);
}
