using NumoTelemetry.Dashboard.Sketches;

namespace NumoTelemetry.Dashboard.Query;

/// <summary>Cells merged over a time range for one label (a dimension value or a time bucket), before privacy is applied.</summary>
internal sealed class Aggregate(string label)
{
    public string Label { get; } = label;

    public long Requests { get; private set; }

    public long PageViews { get; private set; }

    public long Visits { get; private set; }

    public long EngagedVisits { get; private set; }

    public long VisitMilliseconds { get; private set; }

    public HyperLogLog Visitors { get; } = new();

    public HyperLogLog Contributors { get; } = new();

    /// <summary>Set by <see cref="KAnonymity"/>: the aggregate must not be released.</summary>
    public bool Suppressed { get; set; }

    public void Add(DashboardCell cell)
    {
        Requests += cell.Requests;
        PageViews += cell.PageViews;
        Visits += cell.Visits;
        EngagedVisits += cell.EngagedVisits;
        VisitMilliseconds += cell.VisitMilliseconds;
        if (cell.Visitors is { } visitors)
        {
            Visitors.MergeBytes(visitors);
        }

        if (cell.Contributors is { } contributors)
        {
            Contributors.MergeBytes(contributors);
        }
    }

    public void Add(Aggregate other)
    {
        Requests += other.Requests;
        PageViews += other.PageViews;
        Visits += other.Visits;
        EngagedVisits += other.EngagedVisits;
        VisitMilliseconds += other.VisitMilliseconds;
        Visitors.Merge(other.Visitors);
        Contributors.Merge(other.Contributors);
    }

    /// <summary>The count a list ranks by: page views for page-view dimensions, requests otherwise.</summary>
    public long Metric(bool pageViews) => pageViews ? PageViews : Requests;
}
