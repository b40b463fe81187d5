using System.Diagnostics.Metrics;

namespace NumoTelemetry.GeoIP;

/// <summary>GeoIP instruments on the NumoTelemetry meter: cache misses, lookup errors by database, reloads by outcome.</summary>
internal sealed class GeoIPMetrics
{
    private readonly Counter<long> _misses;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _reloads;

    public GeoIPMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("NumoTelemetry");
        _misses = meter.CreateCounter<long>("numo.geoip.cache.misses", unit: "{lookup}", description: "GeoIP lookups that missed the cache and read the databases.");
        _errors = meter.CreateCounter<long>("numo.geoip.errors", unit: "{error}", description: "GeoIP lookups that failed in one database (corrupt data), by database type.");
        _reloads = meter.CreateCounter<long>("numo.geoip.reloads", unit: "{reload}", description: "GeoIP database reloads after a file change, by outcome: success per swapped set, failure per replaced file that failed to open or verify (the previous database stays).");
    }

    public void CacheMiss() => _misses.Add(1);

    public void Error(string databaseType) => _errors.Add(1, new KeyValuePair<string, object?>("numo.geoip.database", databaseType));

    public void Reload(bool success) => _reloads.Add(1, new KeyValuePair<string, object?>("numo.outcome", success ? "success" : "failure"));
}
