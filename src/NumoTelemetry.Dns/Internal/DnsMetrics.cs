using System.Diagnostics.Metrics;

namespace NumoTelemetry.Dns;

/// <summary>Reverse DNS instruments on the NumoTelemetry meter: resolutions by status and addresses skipped because the queue was full.</summary>
internal sealed class DnsMetrics
{
    private readonly Counter<long> _resolutions;
    private readonly Counter<long> _dropped;

    public DnsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("NumoTelemetry");
        _resolutions = meter.CreateCounter<long>("numo.dns.resolutions", unit: "{address}", description: "Reverse DNS resolutions with forward confirmation, by status (confirmed, not_confirmed, no_name, failed).");
        _dropped = meter.CreateCounter<long>("numo.dns.queue.dropped", unit: "{address}", description: "Addresses not resolved because the reverse DNS queue was full (tried again on a later request).");
    }

    public void Resolved(ReverseDnsStatus status) => _resolutions.Add(1, new KeyValuePair<string, object?>("numo.dns.status", status switch
    {
        ReverseDnsStatus.Confirmed => "confirmed",
        ReverseDnsStatus.NotConfirmed => "not_confirmed",
        ReverseDnsStatus.NoName => "no_name",
        _ => "failed",
    }));

    public void Dropped() => _dropped.Add(1);
}
