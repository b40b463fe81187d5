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
    /// <summary>The <see cref="Dimension"/> of a bucket's total cell (key empty): every record adds one request to its minute's total cell.</summary>
    public const string TotalDimension = "total";

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

    /// <summary>
    /// Adds the counters of <paramref name="other"/> to this cell's and merges its sketches into this cell's: the upsert-add of
    /// a store, for a store that coalesces the cells of one key before it writes them.
    /// </summary>
    /// <param name="other">A cell of the same granularity, bucket start, dimension and key.</param>
    /// <exception cref="ArgumentException"><paramref name="other"/> is a cell of another bucket, dimension or key.</exception>
    public void Add(DashboardCell other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Granularity != Granularity || other.BucketStart != BucketStart
            || !string.Equals(other.Dimension, Dimension, StringComparison.Ordinal) || !string.Equals(other.Key, Key, StringComparison.Ordinal))
        {
            throw new ArgumentException("Only a cell of the same granularity, bucket start, dimension and key can be added.", nameof(other));
        }

        Requests += other.Requests;
        PageViews += other.PageViews;
        Visits += other.Visits;
        EngagedVisits += other.EngagedVisits;
        VisitMilliseconds += other.VisitMilliseconds;
        Visitors = Sketches.HyperLogLog.MergeSerialized(Visitors, other.Visitors);
        Contributors = Sketches.HyperLogLog.MergeSerialized(Contributors, other.Contributors);
    }
}
