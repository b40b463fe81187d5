using NumoTelemetry.Dashboard.Sketches;

namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>Counters and sketches of one cell while it is buffered in memory.</summary>
internal sealed class CellAccumulator
{
    public long Requests;
    public long PageViews;
    public long Visits;
    public long EngagedVisits;
    public long VisitMilliseconds;
    public readonly HyperLogLog Visitors = new();
    public readonly HyperLogLog Contributors = new();

    public void Merge(CellAccumulator other)
    {
        Requests += other.Requests;
        PageViews += other.PageViews;
        Visits += other.Visits;
        EngagedVisits += other.EngagedVisits;
        VisitMilliseconds += other.VisitMilliseconds;
        Visitors.Merge(other.Visitors);
        Contributors.Merge(other.Contributors);
    }

    /// <summary>Adds a stored cell (counters added, serialised sketches merged).</summary>
    /// <exception cref="FormatException">A sketch is unreadable.</exception>
    public void Add(DashboardCell cell)
    {
        if (cell.Visitors is { } visitors)
        {
            Visitors.MergeBytes(visitors);
        }

        if (cell.Contributors is { } contributors)
        {
            Contributors.MergeBytes(contributors);
        }

        Requests += cell.Requests;
        PageViews += cell.PageViews;
        Visits += cell.Visits;
        EngagedVisits += cell.EngagedVisits;
        VisitMilliseconds += cell.VisitMilliseconds;
    }

    public DashboardCell ToCell(DashboardGranularity granularity, in CellKey key) => new()
    {
        Granularity = granularity,
        BucketStart = new DateTimeOffset(key.BucketTicks, TimeSpan.Zero),
        Dimension = key.Dimension,
        Key = key.StoredKey,
        Requests = Requests,
        PageViews = PageViews,
        Visits = Visits,
        EngagedVisits = EngagedVisits,
        VisitMilliseconds = VisitMilliseconds,
        Visitors = Visitors.IsEmpty ? null : Visitors.ToBytes(),
        Contributors = Contributors.IsEmpty ? null : Contributors.ToBytes(),
    };
}
