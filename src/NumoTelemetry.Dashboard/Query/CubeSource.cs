using NumoTelemetry.Dashboard.Aggregation;

namespace NumoTelemetry.Dashboard.Query;

/// <summary>
/// Which cube a view is read from: page views (<c>cube</c>), or a fact cube whose first axis is the fact's name
/// (goals, events, exit pages), followed by the page-view dimensions. A view filtered by, or listing, a goal reads
/// the goal cube; an event, the event cube; an exit page, the exit cube; anything else, the page-view cube.
/// </summary>
internal sealed class CubeSource
{
    public static readonly CubeSource Views = new(DashboardDimensions.Cube, null, "pageViews", false);
    public static readonly CubeSource Goals = new(DashboardDimensions.GoalCube, DashboardDimensions.Goal, "events", true);
    public static readonly CubeSource Events = new(DashboardDimensions.EventCube, DashboardDimensions.Event, "events", true);
    public static readonly CubeSource Exits = new(DashboardDimensions.ExitCube, DashboardDimensions.ExitPage, "visits", false);

    private CubeSource(string dimension, string? fact, string metric, bool partitioned)
    {
        Dimension = dimension;
        Fact = fact;
        Metric = metric;
        Partitioned = partitioned;
        Offset = fact is null ? 0 : 1;
        AxisCount = Offset + DashboardDimensions.CubeAxes.Length + 1;
    }

    /// <summary>
    /// Whether each fact value is a cube of its own (goals, events: their counts are never summed across names, so a
    /// small goal withheld cannot make another goal's breakdown withheld too). Exits are one cube (exits sum to visits).
    /// </summary>
    public bool Partitioned { get; }

    /// <summary>The scope of a lattice of this cube (of one fact value when partitioned): part of every cell's identity.</summary>
    public string Scope(string? fact) =>
        Fact is null ? string.Empty : Partitioned ? Dimension + "\u001e" + fact + "\u001e" : Dimension + "\u001e";

    /// <summary>The stored dimension of the cube's cells.</summary>
    public string Dimension { get; }

    /// <summary>The dimension of the fact axis (axis 0), or <see langword="null"/> for page views.</summary>
    public string? Fact { get; }

    /// <summary>What the cube's page-view counter counts: page views, events or visits (exits).</summary>
    public string Metric { get; }

    /// <summary>Axes before the page-view dimensions (the fact axis).</summary>
    public int Offset { get; }

    /// <summary>The lattice's axes: the fact, the page-view dimensions and time.</summary>
    public int AxisCount { get; }

    /// <summary>The lattice axis of a dimension, or -1.</summary>
    public int AxisOf(string dimension)
    {
        if (Fact is not null && string.Equals(dimension, Fact, StringComparison.Ordinal))
        {
            return 0;
        }

        var axis = DashboardDimensions.CubeAxis(dimension);
        return axis < 0 ? -1 : axis + Offset;
    }

    /// <summary>
    /// The cube of a view listing <paramref name="dimension"/> (or <see langword="null"/>) under <paramref name="filter"/>,
    /// or an error when the view combines facts of two cubes.
    /// </summary>
    public static CubeSource? Select(string? dimension, DashboardFilter filter, out string? error)
    {
        CubeSource? chosen = null;
        error = null;
        foreach (var source in (CubeSource[])[Goals, Events, Exits])
        {
            if (filter[source.Fact!] is not null || string.Equals(dimension, source.Fact, StringComparison.Ordinal))
            {
                if (chosen is not null)
                {
                    error = $"A view can list or filter by one of goal, event and exit_page, not both {chosen.Fact} and {source.Fact}.";
                    return null;
                }

                chosen = source;
            }
        }

        return chosen ?? Views;
    }

    /// <summary>Splits a stored key into the lattice values (time is set by the caller); false when it is not a key of this cube.</summary>
    public bool Split(string key, string[] values)
    {
        var span = key.AsSpan();
        var axes = AxisCount - 1;
        for (var axis = 0; axis < axes; axis++)
        {
            var at = span.IndexOf(DashboardDimensions.CubeSeparator);
            if (at < 0)
            {
                if (axis == axes - 1)
                {
                    values[axis] = span.ToString();
                    return true;
                }

                // A page-view key of the first stored version holds the first four axes only.
                if (Fact is null && axis == DashboardDimensions.LegacyCubeAxes - 1)
                {
                    values[axis] = span.ToString();
                    for (var rest = axis + 1; rest < axes; rest++)
                    {
                        values[rest] = DashboardDimensions.None;
                    }

                    return true;
                }

                return false;
            }

            values[axis] = span[..at].ToString();
            span = span[(at + 1)..];
        }

        return false; // more values than axes
    }
}
