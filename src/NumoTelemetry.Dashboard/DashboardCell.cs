namespace NumoTelemetry.Dashboard;

/// <summary>
/// One aggregate cell of the dashboard store: counters and distinct-count sketches of one dimension value in one
/// time bucket. It holds no per-person data: sketches keep hashed register ranks only.
/// </summary>
/// <remarks>
/// Writing a cell whose key already exists adds its counters and merges its sketches, so a store only needs
/// "upsert-add" semantics.
/// </remarks>
public sealed class DashboardCell
{
    /// <summary>The bucket width.</summary>
    public DashboardGranularity Granularity { get; init; }

    /// <summary>The bucket start (UTC), aligned to <see cref="Granularity"/>.</summary>
    public DateTimeOffset BucketStart { get; init; }

    /// <summary>The dimension, for example <c>total</c>, <c>cube</c>, <c>referrer</c> or <c>status</c>.</summary>
    public required string Dimension { get; init; }

    /// <summary>The dimension value (for the cubes, their values joined by U+001F).</summary>
    public required string Key { get; init; }

    /// <summary>Requests.</summary>
    public long Requests { get; set; }

    /// <summary>Page views (successful GET requests by clients that are not bots).</summary>
    public long PageViews { get; set; }

    /// <summary>Visits started.</summary>
    public long Visits { get; set; }

    /// <summary>Visits that went on to a second page view (bounces are <see cref="Visits"/> minus these).</summary>
    public long EngagedVisits { get; set; }

    /// <summary>Summed time between consecutive page views of a visit, in milliseconds.</summary>
    public long VisitMilliseconds { get; set; }

    /// <summary>HyperLogLog sketch of the analytics visitors, or <see langword="null"/>.</summary>
    public byte[]? Visitors { get; set; }

    /// <summary>HyperLogLog sketch of every pseudonym that contributed (the basis of k-anonymity), or <see langword="null"/>.</summary>
    public byte[]? Contributors { get; set; }
}
