using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Sketches;

namespace NumoTelemetry.Dashboard.Query;

/// <summary>Cells merged over a time range for one label (a dimension value or a time bucket), before privacy is applied.</summary>
internal sealed class Aggregate(string label)
{
    private readonly CellAccumulator _sum = new();

    public string Label { get; } = label;

    public long Requests => _sum.Requests;

    public long PageViews => _sum.PageViews;

    public long Visits => _sum.Visits;

    public long EngagedVisits => _sum.EngagedVisits;

    public long VisitMilliseconds => _sum.VisitMilliseconds;

    public HyperLogLog Visitors => _sum.Visitors;

    public HyperLogLog Contributors => _sum.Contributors;

    /// <summary>Set by <see cref="KAnonymity"/>: the aggregate must not be released.</summary>
    public bool Suppressed { get; set; }

    /// <summary>Adds a stored cell.</summary>
    /// <exception cref="FormatException">A sketch is unreadable (its counters are then not added).</exception>
    public void Add(DashboardCell cell) => _sum.Add(cell);

    public void Add(Aggregate other) => _sum.Merge(other._sum);

    /// <summary>The count a list ranks by: page views for page-view dimensions, requests otherwise.</summary>
    public long Metric(bool pageViews) => pageViews ? PageViews : Requests;
}
