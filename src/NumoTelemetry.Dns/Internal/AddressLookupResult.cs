using System.Net;

namespace NumoTelemetry.Dns;

/// <summary>The answer to an A or AAAA question.</summary>
internal readonly record struct AddressLookupResult(DnsLookupStatus Status, IReadOnlyList<IPAddress> Addresses)
{
    public static AddressLookupResult NotFound { get; } = new(DnsLookupStatus.NotFound, []);

    public static AddressLookupResult Failed { get; } = new(DnsLookupStatus.Failed, []);
}
