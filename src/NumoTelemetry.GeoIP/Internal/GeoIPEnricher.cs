using NumoTelemetry.Enrichment;
using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP;

/// <summary>Sets <see cref="RequestRecord.Geo"/> from the cached GeoIP lookup (no allocation on a cache hit).</summary>
internal sealed class GeoIPEnricher(GeoIPLookup lookup) : IRequestEnricher
{
    public void Enrich(in ClientAddress client, ref RequestRecord record)
    {
        if (lookup.Lookup(client) is { } facts)
        {
            record.Geo = facts;
        }
    }
}
