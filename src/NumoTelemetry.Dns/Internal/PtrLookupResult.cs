namespace NumoTelemetry.Dns;

/// <summary>The answer to a PTR question: names without the trailing dot.</summary>
internal readonly record struct PtrLookupResult(DnsLookupStatus Status, IReadOnlyList<string> Names)
{
    public static PtrLookupResult NotFound { get; } = new(DnsLookupStatus.NotFound, []);

    public static PtrLookupResult Failed { get; } = new(DnsLookupStatus.Failed, []);
}
