using System.Net;
using System.Net.Sockets;

namespace NumoTelemetry.Dns;

/// <summary>The DNS questions reverse DNS enrichment asks (a seam for unit tests; the real one is <see cref="DnsClientResolver"/>).</summary>
internal interface IDnsResolver
{
    /// <summary>PTR names of <paramref name="address"/>.</summary>
    Task<PtrLookupResult> ReverseAsync(IPAddress address, CancellationToken cancellationToken);

    /// <summary>A (<see cref="AddressFamily.InterNetwork"/>) or AAAA addresses of <paramref name="name"/>.</summary>
    Task<AddressLookupResult> ForwardAsync(string name, AddressFamily family, CancellationToken cancellationToken);
}
