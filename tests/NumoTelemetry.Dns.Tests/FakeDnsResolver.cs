using System.Net;
using System.Net.Sockets;

namespace NumoTelemetry.Dns.Tests;

/// <summary>A hand-written resolver: answers from tables, counts questions.</summary>
internal sealed class FakeDnsResolver : IDnsResolver
{
    private readonly Dictionary<IPAddress, PtrLookupResult> _ptr = [];
    private readonly Dictionary<(string, AddressFamily), AddressLookupResult> _forward = [];

    public int Questions { get; private set; }

    public FakeDnsResolver Ptr(string ip, params string[] names)
    {
        _ptr[IPAddress.Parse(ip)] = new PtrLookupResult(DnsLookupStatus.Found, names);
        return this;
    }

    public FakeDnsResolver PtrFails(string ip)
    {
        _ptr[IPAddress.Parse(ip)] = PtrLookupResult.Failed;
        return this;
    }

    public FakeDnsResolver Forward(string name, params string[] addresses)
    {
        var parsed = addresses.Select(IPAddress.Parse).ToArray();
        var family = parsed.Length > 0 ? parsed[0].AddressFamily : AddressFamily.InterNetwork;
        _forward[(name, family)] = new AddressLookupResult(DnsLookupStatus.Found, parsed);
        return this;
    }

    public FakeDnsResolver ForwardFails(string name)
    {
        _forward[(name, AddressFamily.InterNetwork)] = AddressLookupResult.Failed;
        _forward[(name, AddressFamily.InterNetworkV6)] = AddressLookupResult.Failed;
        return this;
    }

    public Task<PtrLookupResult> ReverseAsync(IPAddress address, CancellationToken cancellationToken)
    {
        Questions++;
        return Task.FromResult(_ptr.TryGetValue(address, out var r) ? r : PtrLookupResult.NotFound);
    }

    public Task<AddressLookupResult> ForwardAsync(string name, AddressFamily family, CancellationToken cancellationToken)
    {
        Questions++;
        return Task.FromResult(_forward.TryGetValue((name, family), out var r) ? r : AddressLookupResult.NotFound);
    }
}
