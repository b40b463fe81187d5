using System.Globalization;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Analytics;
using NumoTelemetry.Dashboard.Query.Models;

namespace NumoTelemetry.Dashboard.Query;

/// <summary>Comparisons, goals and events with conversion rates, and funnels.</summary>
internal sealed partial class DashboardQueryService
{
    private AnalyticsDefinitions? _definitions;

    /// <summary>The configured goals and funnels.</summary>
    public AnalyticsDefinitions Definitions => _definitions ??= new AnalyticsDefinitions(_options);

    /// <summary>The site's time zone (validated at start-up; UTC when unset).</summary>
    public TimeZoneInfo TimeZone => string.IsNullOrWhiteSpace(_options.TimeZone) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(_options.TimeZone);

    /// <summary>Days hour buckets are kept (custom ranges in a zone other than UTC use them).</summary>
    public int HourRetentionDays => _options.HourRetentionDays;

    private AnalyticsMeta AnalyticsMeta()
    {
        var goals = new List<string>();
        foreach (var goal in Definitions.Goals)
        {
            goals.Add(goal.Name);
        }

        var funnels = new List<FunnelMeta>();
        foreach (var funnel in Definitions.Funnels)
        {
            funnels.Add(new FunnelMeta(funnel.Name, funnel.WithinDay ? "day" : "visit", [.. funnel.Steps.Select(static s => s.ToString())]));
        }

        return new AnalyticsMeta(string.IsNullOrWhiteSpace(_options.TimeZone) ? "UTC" : _options.TimeZone, goals, funnels, _options.SignOutPath);
    }

    /// <summary>The overview with the compared period beside it.</summary>
    public async ValueTask<Overview> OverviewAsync(DashboardRange range, DashboardFilter filter, DashboardRange? compared, string compare, CancellationToken cancellationToken)
    {
        var current = await OverviewAsync(range, filter, cancellationToken).ConfigureAwait(false);
        if (compared is null)
        {
            return current;
        }

        var previous = await OverviewAsync(compared, filter, cancellationToken).ConfigureAwait(false);
        var t = previous.Totals;
        return current with
        {
            Previous = new PreviousPeriod(compare, compared.From, compared.To, t.PageViews, t.Visitors, t.Visits, t.BounceRate, t.AverageVisitSeconds, t.Suppressed, previous.Series),
        };
    }

    /// <summary>A top list; with <paramref name="compared"/>, each row carries its value in that period and the change.</summary>
    public async ValueTask<TopList> TopAsync(string dimension, DashboardRange range, DashboardFilter filter, int limit, DashboardRange? compared, CancellationToken cancellationToken)
    {
        var list = await TopAsync(dimension, range, filter, limit, cancellationToken).ConfigureAwait(false);
        if (compared is null)
        {
            return list;
        }

        // The compared list is released by the same rules; a value not listed there has no previous value.
        var previous = await TopAsync(dimension, compared, filter, 100, cancellationToken).ConfigureAwait(false);
        var before = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (var row in previous.Rows)
        {
            if (!row.Suppressed)
            {
                before[row.Label] = row.Value;
            }
        }

        var rows = new List<TopRow>(list.Rows.Count);
        foreach (var row in list.Rows)
        {
            rows.Add(before.TryGetValue(row.Label, out var value) ? row with { PreviousValue = value, Change = Change(row.Value, value) } : row);
        }

        var other = list.Other is { } o && previous.Other is { } po ? o with { PreviousValue = po.Value, Change = Change(o.Value, po.Value) } : list.Other;
        var total = previous.Total.Suppressed ? list.Total : list.Total with { PreviousValue = previous.Total.Value, Change = Change(list.Total.Value, previous.Total.Value) };
        return list with { Rows = rows, Other = other, Total = total };
    }

    private static double? Change(long? now, long? before) =>
        now is { } n && before is { } b && b > 0 ? Math.Round((double)(n - b) / b, 4) : null;

    /// <summary>
    /// Goals and events: each row's converting visitors over the visitors of the same view of page views (the filters
    /// without the goal or event, and the row's value): a rate of two released figures, or none.
    /// </summary>
    private async ValueTask<TopList> WithConversionAsync(TopList list, string dimension, DashboardRange range, DashboardFilter filter, CubeSource source, CancellationToken cancellationToken)
    {
        var views = CubeSource.Views;
        var axis = views.AxisOf(dimension);
        var (lattice, values, mask) = await LatticeAsync(views, range, filter.Without(source.Fact!), axis, withTime: false, cancellationToken).ConfigureAwait(false);
        var parent = lattice.Get(mask, values);
        if (parent is null || parent.Withheld)
        {
            return list;
        }

        var released = new Dictionary<string, long>(StringComparer.Ordinal);
        if (axis >= 0)
        {
            foreach (var child in lattice.Children(mask, values, axis))
            {
                if (!child.Withheld)
                {
                    released[child.Values[axis]!] = _noise.Apply(child.Aggregate.Visitors.Count(), Identity(range, child) + "|visitors");
                }
            }
        }

        var all = _noise.Apply(parent.Aggregate.Visitors.Count(), Identity(range, parent) + "|visitors");
        var rows = new List<TopRow>(list.Rows.Count);
        foreach (var row in list.Rows)
        {
            var of = axis < 0 ? all : released.GetValueOrDefault(row.Label);
            rows.Add(row.Visitors is { } v && of > 0 ? row with { ConversionRate = Math.Round(Math.Min(1, (double)v / of), 4) } : row);
        }

        return list with { Rows = rows };
    }

    /// <summary>
    /// A funnel over a range: a configured one (counted as visitors passed its steps), else any steps (pages, goals,
    /// events) read from the visits' or visitors' day paths. Each step's visitors passed the steps before it in order;
    /// a step is released only when it is from at least k people, its drop-off from the step before is none or from at
    /// least k people, and so is the difference from everyone who reached the step's page, goal or event at all; a step
    /// withheld withholds every later step.
    /// </summary>
    // Long because: the funnel's release rules run step by step, each withholding every later step.
    public async ValueTask<FunnelView> FunnelAsync(DashboardRange range, IReadOnlyList<AnalyticsDefinitions.Step> steps, bool? withinDay, CancellationToken cancellationToken)
    {
        var funnel = Definitions.Find(steps, withinDay);
        var day = funnel?.WithinDay ?? withinDay ?? false;
        var (pathReached, alone) = await PathsAsync(range, steps, day, cancellationToken).ConfigureAwait(false);
        var name = funnel?.Name ?? string.Empty;
        var reached = funnel is null ? pathReached : await ConfiguredAsync(range, funnel, steps.Count, cancellationToken).ConfigureAwait(false);
        var identity = funnel is null ? "adhoc|" + (day ? "day|" : "visit|") + string.Join('|', steps) : funnel.Name;
        var result = new List<FunnelStep>(steps.Count);
        var open = true;
        long first = 0;
        long previous = 0;
        for (var i = 0; i < steps.Count; i++)
        {
            var label = steps[i].ToString();
            var aggregate = reached[i];
            var visitors = aggregate is null ? 0 : aggregate.Visitors.Count();
            if (open && aggregate is not null && !aggregate.Contributors.IsEmpty)
            {
                open = KAnonymity.Meets(aggregate, _k)
                    && (i == 0 || Gap(previous, visitors))
                    && (alone[i] is not { } standalone || Gap(standalone.Visitors.Count(), visitors));
            }

            if (!open)
            {
                result.Add(new FunnelStep(label, null, null, null, true));
                continue;
            }

            var id = $"funnel|{identity}|{range.Name}|{range.From.ToUnixTimeSeconds()}|{i}";
            var released = aggregate is null || aggregate.Contributors.IsEmpty ? 0 : _noise.Apply(visitors, id);
            if (i == 0)
            {
                first = released;
            }

            result.Add(new FunnelStep(
                label,
                released,
                first > 0 ? Math.Round(Math.Min(1, (double)released / first), 4) : null,
                i == 0 ? null : Math.Max(0, previous - released),
                false));
            previous = released;
        }

        return new FunnelView(name, day ? "day" : "visit", range.Name, range.From, range.To, _k, result);
    }

    /// <summary>The visitors a configured funnel counted at each step.</summary>
    private async ValueTask<Aggregate?[]> ConfiguredAsync(DashboardRange range, AnalyticsDefinitions.Funnel funnel, int steps, CancellationToken cancellationToken)
    {
        var prefix = funnel.Name + DashboardDimensions.CubeSeparator;
        var reached = new Aggregate?[steps];
        var cells = await _store.ReadAsync(new DashboardCellQuery(range.Granularity, DashboardDimensions.Funnel, range.From, range.To), cancellationToken).ConfigureAwait(false);
        foreach (var cell in cells)
        {
            if (cell.Key.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(cell.Key.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var step)
                && step >= 1 && step <= steps)
            {
                TryAdd(reached[step - 1] ??= new Aggregate(cell.Key), cell);
            }
        }

        return reached;
    }

    /// <summary>Whether the people between two counts (one a subset of the other) are none or at least k.</summary>
    private bool Gap(long larger, long smaller)
    {
        var gap = larger - smaller;
        return gap <= 0 || gap >= _k;
    }

    /// <summary>
    /// From the visit (or day) paths of the range: the people who passed the first 1, 2, … steps in order, and the
    /// people who reached each step's page, goal or event at all. A path is stored each time it grows, so a person is
    /// in several cells of one path; the sketches' union counts them once.
    /// </summary>
    private async ValueTask<(Aggregate?[] Reached, Aggregate?[] Alone)> PathsAsync(DashboardRange range, IReadOnlyList<AnalyticsDefinitions.Step> steps, bool day, CancellationToken cancellationToken)
    {
        var reached = new Aggregate?[steps.Count];
        var alone = new Aggregate?[steps.Count];
        var cells = await _store.ReadAsync(new DashboardCellQuery(range.Granularity, day ? DashboardDimensions.DayPath : DashboardDimensions.VisitPath, range.From, range.To), cancellationToken).ConfigureAwait(false);
        foreach (var cell in cells)
        {
            var passed = 0;
            foreach (var item in cell.Key.Split(DashboardDimensions.CubeSeparator))
            {
                if (passed < steps.Count && steps[passed].MatchesItem(item))
                {
                    passed++;
                }

                for (var i = 0; i < steps.Count; i++)
                {
                    if (steps[i].MatchesItem(item))
                    {
                        TryAdd(alone[i] ??= new Aggregate(steps[i].ToString()), cell);
                    }
                }
            }

            for (var i = 0; i < passed; i++)
            {
                TryAdd(reached[i] ??= new Aggregate(steps[i].ToString()), cell);
            }
        }

        return (reached, alone);
    }
}
