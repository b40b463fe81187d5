using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Sketches;

namespace NumoTelemetry.Dashboard.Query;

/// <summary>Cells merged over a time range for one label (a dimension value or a time bucket), before privacy is applied.</summary>
internal sealed class Aggregate(string label)
{
    /// <summary>
    /// Above this many people on one day, an aggregate's per-day sketches are dropped: it meets any k up to this bound
    /// (a larger k is then met only by this bound, erring toward suppression).
    /// </summary>
    internal const int SettledPeople = 256;

    private readonly CellAccumulator _sum = new();

    // Contributors per UTC day, while no day has reached SettledPeople. Pseudonyms enter sketches hashed under their
    // day's secret, so a union of two days' sketches counts person-days; the most people of any one day is what the
    // range is known to hold at least.
    private List<(long Day, HyperLogLog People)>? _days = [];
    private long _people;

    public string Label { get; } = label;

    public long Requests => _sum.Requests;

    public long PageViews => _sum.PageViews;

    public long Visits => _sum.Visits;

    public long EngagedVisits => _sum.EngagedVisits;

    public long VisitMilliseconds => _sum.VisitMilliseconds;

    public HyperLogLog Visitors => _sum.Visitors;

    public HyperLogLog Contributors => _sum.Contributors;

    /// <summary>
    /// A lower bound on the distinct people behind the aggregate: the most distinct pseudonyms of any one UTC day (at most
    /// <see cref="SettledPeople"/>). The basis of k-anonymity; <see cref="Contributors"/> over several days counts person-days.
    /// </summary>
    public long People => _people;

    /// <summary>Set by <see cref="KAnonymity"/>: the aggregate must not be released.</summary>
    public bool Suppressed { get; set; }

    /// <summary>Adds a stored cell.</summary>
    /// <exception cref="FormatException">A sketch is unreadable (its counters are then not added).</exception>
    public void Add(DashboardCell cell)
    {
        _sum.Add(cell);
        if (_days is not null && cell.Contributors is { } contributors)
        {
            var day = DayOf(cell.BucketStart.UtcTicks / TimeSpan.TicksPerDay);
            day.MergeBytes(contributors);
            Settle(day.Count());
        }
    }

    public void Add(Aggregate other)
    {
        _sum.Merge(other._sum);
        if (other._days is null)
        {
            Settle(other._people);
            return;
        }

        Settle(other._people);
        for (var i = 0; _days is not null && i < other._days.Count; i++)
        {
            var (dayNumber, people) = other._days[i];
            var day = DayOf(dayNumber);
            day.Merge(people);
            Settle(day.Count());
        }
    }

    private HyperLogLog DayOf(long dayNumber)
    {
        var days = _days!;
        for (var i = 0; i < days.Count; i++)
        {
            if (days[i].Day == dayNumber)
            {
                return days[i].People;
            }
        }

        var sketch = new HyperLogLog();
        days.Add((dayNumber, sketch));
        return sketch;
    }

    private void Settle(long dayPeople)
    {
        if (dayPeople > _people)
        {
            _people = Math.Min(dayPeople, SettledPeople);
        }

        if (_people >= SettledPeople)
        {
            _days = null;
        }
    }

    /// <summary>The count a list ranks by: page views for page-view dimensions, requests otherwise.</summary>
    public long Metric(bool pageViews) => pageViews ? PageViews : Requests;
}
