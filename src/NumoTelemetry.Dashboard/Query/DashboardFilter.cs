using NumoTelemetry.Dashboard.Aggregation;

namespace NumoTelemetry.Dashboard.Query;

/// <summary>Equality filters on dimensions (a cube axis, or a goal, event or exit page); the default filters nothing.</summary>
internal readonly record struct DashboardFilter
{
    /// <summary>How many filters a view may combine (each doubles the cells a view decides).</summary>
    public const int MaxFilters = 3;

    private readonly SortedList<string, string>? _values;

    /// <summary>Filters on the first four cube axes; <see langword="null"/> means any.</summary>
    public DashboardFilter(string? route, string? country, string? browser, string? device)
        : this(Pairs(route, country, browser, device))
    {
    }

    /// <summary>Filters on the given dimensions.</summary>
    public DashboardFilter(IEnumerable<KeyValuePair<string, string>> values)
    {
        foreach (var (dimension, value) in values)
        {
            (_values ??= new SortedList<string, string>(StringComparer.Ordinal))[dimension] = value;
        }
    }

    public bool IsEmpty => _values is null || _values.Count == 0;

    public int Count => _values?.Count ?? 0;

    /// <summary>The filters, ordered by dimension.</summary>
    public IEnumerable<KeyValuePair<string, string>> Values => _values ?? Enumerable.Empty<KeyValuePair<string, string>>();

    public string? Route => this[DashboardDimensions.Route];

    public string? Country => this[DashboardDimensions.Country];

    public string? Browser => this[DashboardDimensions.Browser];

    public string? Device => this[DashboardDimensions.Device];

    /// <summary>The value a dimension is filtered to, or <see langword="null"/>.</summary>
    public string? this[string dimension] => _values is not null && _values.TryGetValue(dimension, out var value) ? value : null;

    /// <summary>The same filters without <paramref name="dimension"/>.</summary>
    public DashboardFilter Without(string dimension)
    {
        var kept = new List<KeyValuePair<string, string>>();
        foreach (var pair in Values)
        {
            if (!string.Equals(pair.Key, dimension, StringComparison.Ordinal))
            {
                kept.Add(pair);
            }
        }

        return new DashboardFilter(kept);
    }

    public override string ToString() => string.Join('|', Values.Select(static p => p.Key + "=" + p.Value));

    private static List<KeyValuePair<string, string>> Pairs(string? route, string? country, string? browser, string? device)
    {
        var pairs = new List<KeyValuePair<string, string>>(4);
        Add(pairs, DashboardDimensions.Route, route);
        Add(pairs, DashboardDimensions.Country, country);
        Add(pairs, DashboardDimensions.Browser, browser);
        Add(pairs, DashboardDimensions.Device, device);
        return pairs;
    }

    private static void Add(List<KeyValuePair<string, string>> pairs, string dimension, string? value)
    {
        if (value is not null)
        {
            pairs.Add(new(dimension, value));
        }
    }
}
