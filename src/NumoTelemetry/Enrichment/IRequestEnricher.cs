using NumoTelemetry.Records;

namespace NumoTelemetry.Enrichment;

/// <summary>
/// Adds facts to a request record from caches: GeoIP, reverse DNS verdicts, and so on. Enrichers run after
/// pseudonymisation, when the capture is finished: on the pipeline's consumer (in batches, after the request), or on
/// the request thread before the site's handler when the request needs its risk (<c>GetNumoRisk()</c>, enforcement).
/// They receive the raw client address, which they may use for lookups but must never store beyond their bounded
/// in-process caches.
/// </summary>
/// <remarks>
/// Must be thread-safe, must not block or do I/O (schedule slow work in the background) and should
/// allocate nothing on a cache hit. An exception is caught, counted and the request goes on.
/// </remarks>
public interface IRequestEnricher
{
    /// <summary>Enriches <paramref name="record"/>.</summary>
    void Enrich(in ClientAddress client, ref RequestRecord record);
}
