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

    // Contributors per UTC day; a day's sketch is dropped (null) once that day reached SettledPeople. Pseudonyms enter
    // sketches hashed under their day's secret, so a union of two days' sketches counts person-days; the most people of
    // any one day is what the range is known to hold at least, and (for day cells) the fewest people of any day with
    // data is what the day-wise rule checks.
    private readonly List<(long Day, HyperLogLog? People)> _days = [];
    private long _people;
    private long _minDay = long.MaxValue;
    private bool _minDirty;

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

    /// <summary>
    /// Whether the aggregate sums day cells: it is then released only when each of its days is empty or from at least k
    /// people (<see cref="KAnonymity.Meets"/>), so two ranges of whole days never differ by a day of fewer than k people.
    /// </summary>
    public bool DayWise { get; private set; }

    /// <summary>The fewest distinct people of any UTC day with data (at most <see cref="SettledPeople"/>; 0 without data).</summary>
    public long FewestDayPeople
    {
        get
        {
            if (_minDirty)
            {
                _minDirty = false;
                _minDay = long.MaxValue;
                foreach (var (_, people) in _days)
                {
                    _minDay = Math.Min(_minDay, people is null ? SettledPeople : Math.Min(people.Count(), SettledPeople));
                }
            }

            return _minDay == long.MaxValue ? 0 : _minDay;
        }
    }

    /// <summary>Set by <see cref="KAnonymity"/>: the aggregate must not be released.</summary>
    public bool Suppressed { get; set; }

    /// <summary>Adds a stored cell.</summary>
    /// <exception cref="FormatException">A sketch is unreadable (its counters are then not added).</exception>
    public void Add(DashboardCell cell)
    {
        _sum.Add(cell);
        DayWise |= cell.Granularity == DashboardGranularity.Day;
        if (cell.Contributors is { } contributors)
        {
            var index = DayOf(cell.BucketStart.UtcTicks / TimeSpan.TicksPerDay);
            if (_days[index].People is { } day)
            {
                day.MergeBytes(contributors);
                Settle(index, day.Count());
            }
        }
    }

    public void Add(Aggregate other)
    {
        _sum.Merge(other._sum);
        DayWise |= other.DayWise;
        foreach (var (dayNumber, people) in other._days)
        {
            var index = DayOf(dayNumber);
            if (people is null)
            {
                Settle(index, SettledPeople);
            }
            else if (_days[index].People is { } day)
            {
                day.Merge(people);
                Settle(index, day.Count());
            }
        }
    }

    private int DayOf(long dayNumber)
    {
        for (var i = 0; i < _days.Count; i++)
        {
            if (_days[i].Day == dayNumber)
            {
                return i;
            }
        }

        _days.Add((dayNumber, new HyperLogLog()));
        _minDirty = true;
        return _days.Count - 1;
    }

    private void Settle(int index, long dayPeople)
    {
        _minDirty = true;
        if (dayPeople > _people)
        {
            _people = Math.Min(dayPeople, SettledPeople);
        }

        if (dayPeople >= SettledPeople)
        {
            _days[index] = (_days[index].Day, null);
        }
    }

    /// <summary>The count a list ranks by: page views for page-view dimensions, requests otherwise.</summary>
    public long Metric(bool pageViews) => pageViews ? PageViews : Requests;
}
