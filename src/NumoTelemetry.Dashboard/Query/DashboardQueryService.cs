using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Query.Models;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Query;

/// <summary>
/// Reads cells from the store, merges them over a range and releases them through k-anonymity (and optional Laplace
/// noise). Everything it returns is an aggregate of at least k distinct pseudonyms, or marked suppressed.
/// </summary>
internal sealed partial class DashboardQueryService
{
    private const int MaxAlerts = 1_000;
    private const int LatestAlerts = 20;

    private readonly IDashboardStore _store;
    private readonly IDashboardAlertFeed _alerts;
    private readonly DashboardOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DashboardQueryService> _logger;
    private readonly LaplaceNoise _noise;
    private readonly int _k;

    public DashboardQueryService(
        IDashboardStore store,
        IDashboardAlertFeed alerts,
        IOptions<DashboardOptions> options,
        TimeProvider time,
        ILogger<DashboardQueryService> logger)
    {
        _store = store;
        _alerts = alerts;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _k = Math.Max(1, _options.MinimumCellSize);
        _noise = new LaplaceNoise(_options.NoiseEpsilon, _options.NoiseSensitivity);
    }

    public DashboardMeta Meta() => new(
        _k,
        _noise.Enabled ? _options.NoiseEpsilon : null,
        DashboardRange.Names,
        [.. DashboardDimensions.CubeAxes, .. DashboardDimensions.Analytics, .. DashboardDimensions.Stored],
        _options.LiveMinutes,
        AnalyticsMeta());

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Traffic over time: key figures and one point per bucket.</summary>
    /// <remarks>
    /// A filtered overview is the cube cell of its filters: it is released only when that cell is released in every
    /// list it is a row of (see <see cref="CubeLattice"/>), so it never shows a figure one of its lists suppresses.
    /// </remarks>
    public async ValueTask<Overview> OverviewAsync(DashboardRange range, DashboardFilter filter, CancellationToken cancellationToken)
    {
        var source = CubeSource.Select(null, filter, out _) ?? CubeSource.Views;
        var (lattice, values, mask) = await LatticeAsync(source, range, filter, -1, withTime: true, cancellationToken).ConfigureAwait(false);
        var points = Series(range, lattice, values, mask);
        var cell = lattice.Get(mask, values);
        OverviewTotals totals;
        if (cell is null)
        {
            totals = new OverviewTotals(0, 0, filter.IsEmpty ? 0 : null, null, null, false);
        }
        else if (cell.Withheld)
        {
            totals = new OverviewTotals(null, null, null, null, null, true);
        }
        else
        {
            var total = cell.Aggregate;
            var id = Identity(range, cell);
            var views = _noise.Apply(total.PageViews, id + "|views");
            var visitors = _noise.Apply(total.Visitors.Count(), id + "|visitors");
            long? visits = null;
            double? bounce = null;
            double? duration = null;
            if (filter.IsEmpty)
            {
                visits = _noise.Apply(total.Visits, id + "|visits");
                if (total.Visits > 0)
                {
                    bounce = Math.Clamp(1 - ((double)total.EngagedVisits / total.Visits), 0, 1);
                    duration = total.VisitMilliseconds / 1000.0 / total.Visits;
                }
            }

            totals = new OverviewTotals(views, visitors, visits, bounce, duration, false);
        }

        return new Overview(range.Name, range.Granularity.ToString().ToLowerInvariant(), range.From, range.To, _k, _noise.Enabled, !filter.IsEmpty, totals, points);
    }

    /// <summary>The last minutes.</summary>
    public async ValueTask<LiveView> LiveAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        var minutes = Math.Clamp(_options.LiveMinutes, 5, 180);
        var range = DashboardRange.LastMinutes(minutes, now);
        var (lattice, values, mask) = await LatticeAsync(CubeSource.Views, range, default, -1, withTime: true, cancellationToken).ConfigureAwait(false);
        var points = Series(range, lattice, values, mask);

        var active = new Aggregate("active");
        var recent = await _store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, DashboardDimensions.Total, range.To.AddMinutes(-5), range.To), cancellationToken).ConfigureAwait(false);
        foreach (var cell in recent)
        {
            TryAdd(active, cell);
        }

        TopRow activeRow = active.Contributors.IsEmpty
            ? new TopRow("active", 0, 0, false)
            : KAnonymity.Meets(active, _k)
                ? new TopRow("active", _noise.Apply(active.Visitors.Count(), $"live|{range.From.ToUnixTimeSeconds()}|active"), null, false)
                : new TopRow("active", null, null, true);
        var routes = await TopAsync(DashboardDimensions.Route, range, default, 10, cancellationToken).ConfigureAwait(false);
        return new LiveView(minutes, now, points, activeRow, routes);
    }

    /// <summary>A top list of <paramref name="dimension"/>; filters apply to every dimension of its cube (request dimensions are not filtered).</summary>
    /// <remarks>
    /// Only values built from at least k people (and not suppressed to protect others) are listed with their label;
    /// the rest is one "Other" row. A cube list is the children of its filters' cell along its axis, decided by
    /// <see cref="CubeLattice"/> consistently with every other list, overview and series of the range and cube.
    /// </remarks>
    public async ValueTask<TopList> TopAsync(string dimension, DashboardRange range, DashboardFilter filter, int limit, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, 100);
        if (Array.IndexOf(DashboardDimensions.Stored, dimension) < 0)
        {
            // A list is not filtered by its own axis, so the chosen value stays visible among the others.
            var source = CubeSource.Select(dimension, filter, out _) ?? CubeSource.Views;
            var axis = source.AxisOf(dimension);
            TopList list;
            if (axis == 0 && source.Partitioned)
            {
                list = await FactListAsync(source, dimension, range, filter, limit, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var (lattice, values, mask) = await LatticeAsync(source, range, filter, axis, withTime: false, cancellationToken).ConfigureAwait(false);
                list = ReleaseCube(dimension, range, lattice, values, mask, axis, limit, source);
            }

            return source == CubeSource.Goals || source == CubeSource.Events
                ? await WithConversionAsync(list, dimension, range, filter, source, cancellationToken).ConfigureAwait(false)
                : list;
        }

        var pageViews = DashboardDimensions.CountsPageViews(dimension);
        var groups = new Dictionary<string, Aggregate>(StringComparer.Ordinal);
        var cells = await _store.ReadAsync(new DashboardCellQuery(range.Granularity, dimension, range.From, range.To), cancellationToken).ConfigureAwait(false);
        foreach (var cell in cells)
        {
            TryAdd(Group(groups, cell.Key), cell);
        }

        return Release(dimension, range, pageViews, [.. groups.Values], limit);
    }

    /// <summary>The fraud overview of a range.</summary>
    public async ValueTask<FraudOverview> FraudAsync(DashboardRange range, CancellationToken cancellationToken)
    {
        var bands = await TopAsync(DashboardDimensions.RiskBand, range, default, 10, cancellationToken).ConfigureAwait(false);
        var scores = await TopAsync(DashboardDimensions.RiskScore, range, default, DashboardDimensions.RiskScoreBuckets.Length, cancellationToken).ConfigureAwait(false);
        scores = scores with { Rows = OrderByBucket(scores.Rows) };
        var reasons = await TopAsync(DashboardDimensions.RiskReason, range, default, 10, cancellationToken).ConfigureAwait(false);

        var alerts = await _alerts.GetAlertsAsync(range.From, MaxAlerts, cancellationToken).ConfigureAwait(false);
        var byRule = new Dictionary<(string Rule, string Severity), int>();
        var latest = new List<AlertRow>(Math.Min(alerts.Count, LatestAlerts));
        foreach (var alert in alerts)
        {
            if (alert.Timestamp >= range.To)
            {
                continue;
            }

            var key = (alert.Rule, alert.Severity);
            byRule[key] = byRule.GetValueOrDefault(key) + 1;
            if (latest.Count < LatestAlerts)
            {
                latest.Add(new AlertRow(alert.Timestamp, alert.Rule, alert.Severity, Math.Round(alert.Score, 1), alert.SubjectKind, _options.ShowAlertSubjects ? alert.Subject : null));
            }
        }

        var counts = new List<AlertCount>(byRule.Count);
        foreach (var ((rule, severity), count) in byRule)
        {
            counts.Add(new AlertCount(rule, severity, count));
        }

        counts.Sort(static (a, b) => b.Count != a.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Rule, b.Rule));
        latest.Sort(static (a, b) => b.Time.CompareTo(a.Time));
        return new FraudOverview(bands, scores, reasons, counts, latest);
    }

    /// <summary>
    /// Reads the cells a view needs and decides them: the cube of <paramref name="source"/> (or, unfiltered page views,
    /// the total cells) over the axes the filters fix, plus <paramref name="listAxis"/> and time when asked.
    /// </summary>
    private async ValueTask<(CubeLattice Lattice, string?[] Values, int Mask)> LatticeAsync(
        CubeSource source, DashboardRange range, DashboardFilter filter, int listAxis, bool withTime, CancellationToken cancellationToken)
    {
        var fact = source.Partitioned ? filter[source.Fact!] : null;
        var (values, mask, full) = Masks(source, filter, listAxis, withTime);
        var timeBit = CubeLattice.Bit(source.AxisCount - 1);
        var cube = source != CubeSource.Views || (full & ~timeBit) != 0;
        var rows = await RowsAsync(source, cube, range, cancellationToken).ConfigureAwait(false);
        if (fact is not null)
        {
            rows = rows.FindAll(row => string.Equals(row.Values[0], fact, StringComparison.Ordinal));
        }

        return (CubeLattice.Build(rows, full, _k, TryAdd, source.AxisCount, source.Scope(fact)), values, mask);
    }

    /// <summary>The values the filters fix, their mask, and the full mask of a view (with its list axis and time).</summary>
    private static (string?[] Values, int Mask, int Full) Masks(CubeSource source, DashboardFilter filter, int listAxis, bool withTime)
    {
        var values = new string?[source.AxisCount];
        var mask = 0;
        foreach (var (dimension, value) in filter.Values)
        {
            var axis = source.AxisOf(dimension);

            // A partitioned cube's fact is not an axis: each fact value is a lattice of its own.
            if (axis >= 0 && axis != listAxis && !(axis == 0 && source.Partitioned))
            {
                values[axis] = value;
                mask |= CubeLattice.Bit(axis);
            }
        }

        var full = mask | (listAxis >= 0 ? CubeLattice.Bit(listAxis) : 0) | (withTime ? CubeLattice.Bit(source.AxisCount - 1) : 0);
        return (values, mask, full);
    }

    /// <summary>The cells of a cube over a range, each with its axis values (time last).</summary>
    private async ValueTask<List<(string[] Values, DashboardCell Cell)>> RowsAsync(CubeSource source, bool cube, DashboardRange range, CancellationToken cancellationToken)
    {
        var timeAxis = source.AxisCount - 1;
        var cells = await _store.ReadAsync(new DashboardCellQuery(range.Granularity, cube ? source.Dimension : DashboardDimensions.Total, range.From, range.To), cancellationToken).ConfigureAwait(false);
        var step = range.Step.Ticks;
        var count = (int)((range.To - range.From).Ticks / step);
        var rows = new List<(string[] Values, DashboardCell Cell)>(cells.Count);
        foreach (var cell in cells)
        {
            var index = (int)((cell.BucketStart - range.From).Ticks / step);
            var axes = new string[source.AxisCount];
            if ((uint)index >= (uint)count || (cube && !source.Split(cell.Key, axes)))
            {
                continue;
            }

            // A total cell of requests without page views (bots, errors, POSTs) is no page-view data: a bucket of
            // them is empty (0), not a cell from fewer than k people.
            if (cell.PageViews == 0 && cell.Contributors is null && cell.Visitors is null)
            {
                continue;
            }

            // Every cell counts, not only those matching the filters: a cell's decision depends on its siblings
            // (the other values of its lists), and must be the same whichever view asks.
            axes[timeAxis] = index.ToString(CultureInfo.InvariantCulture);
            rows.Add((axes, cell));
        }

        return rows;
    }

    /// <summary>
    /// The list of a partitioned cube's facts (goals or events) under filters: each fact's own cell, released by the
    /// lattice of that fact alone. No sum across facts is released, so the list has no "Other"; its total is the sum
    /// of the rows it shows.
    /// </summary>
    private async ValueTask<TopList> FactListAsync(CubeSource source, string dimension, DashboardRange range, DashboardFilter filter, int limit, CancellationToken cancellationToken)
    {
        var (values, mask, full) = Masks(source, filter, -1, withTime: false);
        var rows = await RowsAsync(source, true, range, cancellationToken).ConfigureAwait(false);
        var released = new List<(string Fact, long Value, long Visitors, long Raw)>();
        foreach (var group in rows.GroupBy(static row => row.Values[0], StringComparer.Ordinal))
        {
            var lattice = CubeLattice.Build([.. group], full, _k, TryAdd, source.AxisCount, source.Scope(group.Key));
            if (lattice.Get(mask, values) is { Withheld: false } node)
            {
                var id = Identity(range, node);
                released.Add((group.Key, _noise.Apply(node.Aggregate.PageViews, id + "|views"), _noise.Apply(node.Aggregate.Visitors.Count(), id + "|visitors"), node.Aggregate.PageViews));
            }
        }

        released.Sort(static (a, b) => a.Raw != b.Raw ? b.Raw.CompareTo(a.Raw) : string.CompareOrdinal(a.Fact, b.Fact));
        var shown = new List<TopRow>(Math.Min(limit, released.Count));
        long sum = 0;
        foreach (var (fact, value, visitors, _) in released.Take(limit))
        {
            shown.Add(new TopRow(fact, value, visitors, false));
            sum += value;
        }

        return new TopList(dimension, source.Metric, mask != 0, shown, null, new TopRow("total", sum, null, false));
    }

    private List<SeriesPoint> Series(DashboardRange range, CubeLattice lattice, string?[] values, int mask)
    {
        var step = range.Step;
        var count = (int)((range.To - range.From).Ticks / step.Ticks);
        var points = new List<SeriesPoint>(count);
        var key = (string?[])values.Clone();
        var pointMask = mask | CubeLattice.Bit(lattice.TimeAxis);
        for (var i = 0; i < count; i++)
        {
            key[lattice.TimeAxis] = i.ToString(CultureInfo.InvariantCulture);
            var t = range.From.AddTicks(step.Ticks * i);
            var node = lattice.Get(pointMask, key);
            points.Add(node is null
                ? new SeriesPoint(t, 0, 0, false)
                : node.Withheld
                    ? new SeriesPoint(t, null, null, true)
                    : new SeriesPoint(t, _noise.Apply(node.Aggregate.PageViews, Identity(range, node) + "|views"), _noise.Apply(node.Aggregate.Visitors.Count(), Identity(range, node) + "|visitors"), false));
        }

        return points;
    }

    // Long because: the k-anonymity release of one top list: rows, rest and total decided together.
    private TopList ReleaseCube(string dimension, DashboardRange range, CubeLattice lattice, string?[] values, int mask, int axis, int limit, CubeSource source)
    {
        // Entry pages count the visits that began there; every other list counts its cube's page views, events or exits.
        var visits = source == CubeSource.Views && string.Equals(dimension, DashboardDimensions.EntryPage, StringComparison.Ordinal);
        var metric = visits ? "visits" : source.Metric;
        var suffix = visits ? "|visits" : "|views";
        var filtered = mask != 0;
        var parent = lattice.Get(mask, values);
        if (parent is null)
        {
            return new TopList(dimension, metric, filtered, [], null, new TopRow("total", 0, 0, false));
        }

        if (parent.Withheld)
        {
            // The list's total is withheld (too few people, or suppressed in another list): nothing is released,
            // not even which values occurred.
            return new TopList(dimension, metric, filtered, [], null, new TopRow("total", null, null, true));
        }

        var shown = new List<CubeLattice.Node>();
        var rest = new Aggregate(DashboardDimensions.Other);
        var summed = new List<string>();
        foreach (var child in lattice.Children(mask, values, axis))
        {
            if (child.Withheld)
            {
                rest.Add(child.Aggregate);
                summed.Add(child.Values[axis]!);
            }
            else
            {
                shown.Add(child);
            }
        }

        shown.Sort((a, b) =>
        {
            var byMetric = ValueOf(b.Aggregate, visits).CompareTo(ValueOf(a.Aggregate, visits));
            return byMetric != 0 ? byMetric : string.CompareOrdinal(a.Key, b.Key);
        });
        var rows = new List<TopRow>(Math.Min(limit, shown.Count));
        for (var i = 0; i < shown.Count; i++)
        {
            var node = shown[i];
            if (visits && node.Aggregate.Visits == 0)
            {
                continue; // released, but no visit began there (views of people without a visit)
            }

            if (rows.Count < limit)
            {
                var id = Identity(range, node);
                rows.Add(new TopRow(node.Values[axis]!, _noise.Apply(ValueOf(node.Aggregate, visits), id + suffix), _noise.Apply(node.Aggregate.Visitors.Count(), id + "|visitors"), false));
            }
            else
            {
                rest.Add(node.Aggregate);
                summed.Add(node.Values[axis]!);
            }
        }

        // "Other" is keyed by exactly which values it sums: another limit (or another decision) is another count with
        // noise of its own, so two "Other"s never differ by a noise-free row. Summing every value, it is the total.
        var parentId = Identity(range, parent);
        TopRow? other = null;
        if (summed.Count > 0)
        {
            var otherId = rows.Count == 0
                ? parentId
                : parentId + "|other|" + axis.ToString(CultureInfo.InvariantCulture) + "|" + SetIdentity(summed);
            other = new TopRow(DashboardDimensions.Other, _noise.Apply(ValueOf(rest, visits), otherId + suffix), _noise.Apply(rest.Visitors.Count(), otherId + "|visitors"), false);
        }

        var totalRow = new TopRow("total", _noise.Apply(ValueOf(parent.Aggregate, visits), parentId + suffix), _noise.Apply(parent.Aggregate.Visitors.Count(), parentId + "|visitors"), false);
        return new TopList(dimension, metric, filtered, rows, other, totalRow);
    }

    private static long ValueOf(Aggregate aggregate, bool visits) => visits ? aggregate.Visits : aggregate.PageViews;

    /// <summary>The identity a cell's noise is derived from: the cell itself (range and fixed values), whichever view releases it.</summary>
    private static string Identity(DashboardRange range, CubeLattice.Node node) =>
        $"cell|{range.Name}|{range.From.ToUnixTimeSeconds()}|{node.Key}";

    private TopList Release(string dimension, DashboardRange range, bool pageViews, List<Aggregate> groups, int limit)
    {
        var id = $"top|{dimension}|{range.Name}|{range.From.ToUnixTimeSeconds()}|";
        var total = new Aggregate("total");
        foreach (var group in groups)
        {
            total.Add(group);
        }

        var metric = pageViews ? "pageViews" : "requests";
        if (groups.Count == 0)
        {
            return new TopList(dimension, metric, false, [], null, new TopRow("total", 0, 0, false));
        }

        if (!KAnonymity.Meets(total, _k))
        {
            // Too few people in the whole list: nothing is released, not even which values occurred.
            return new TopList(dimension, metric, false, [], null, new TopRow("total", null, null, true));
        }

        // Only values from at least k people are listed with their label; suppressed ones are in "other" only.
        var suppression = KAnonymity.Apply(groups, _k, limit, pageViews);
        var rows = new List<TopRow>(suppression.Shown.Count);
        foreach (var group in suppression.Shown)
        {
            var rowId = id + "row|" + group.Label + "|";
            rows.Add(new TopRow(group.Label, _noise.Apply(group.Metric(pageViews), rowId + "views"), VisitorsOf(group, pageViews, rowId), false));
        }

        // "Other" is keyed by exactly which values it sums (see ReleaseCube); summing every value, it is the total.
        var totalId = id + "total|";
        TopRow? other = null;
        if (suppression.RemainderReleasable)
        {
            var otherId = totalId;
            if (suppression.Shown.Count > 0)
            {
                var summed = new List<string>(suppression.Remainder.Count);
                foreach (var group in suppression.Remainder)
                {
                    summed.Add(group.Label);
                }

                otherId = id + "other|" + SetIdentity(summed) + "|";
            }

            other = new TopRow(DashboardDimensions.Other, _noise.Apply(suppression.RemainderTotal.Metric(pageViews), otherId + "views"), VisitorsOf(suppression.RemainderTotal, pageViews, otherId), false);
        }

        var totalRow = new TopRow("total", _noise.Apply(total.Metric(pageViews), totalId + "views"), VisitorsOf(total, pageViews, totalId), false);
        return new TopList(dimension, metric, false, rows, other, totalRow);
    }

    private long? VisitorsOf(Aggregate group, bool pageViews, string id) =>
        pageViews ? _noise.Apply(group.Visitors.Count(), id + "visitors") : null;

    /// <summary>
    /// A digest of exactly which values a sum covers (in any order), so that each distinct sum is a count with noise
    /// of its own.
    /// </summary>
    private static string SetIdentity(List<string> values)
    {
        values.Sort(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[sizeof(int)];
        foreach (var value in values)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private bool TryAdd(Aggregate aggregate, DashboardCell cell)
    {
        try
        {
            aggregate.Add(cell);
            return true;
        }
        catch (FormatException ex)
        {
            DashboardLog.SketchUnreadable(_logger, ex.Message);
            return false;
        }
    }

    private static Aggregate Group(Dictionary<string, Aggregate> groups, string label)
    {
        if (!groups.TryGetValue(label, out var group))
        {
            group = new Aggregate(label);
            groups[label] = group;
        }

        return group;
    }

    private static IReadOnlyList<TopRow> OrderByBucket(IReadOnlyList<TopRow> rows)
    {
        var ordered = new List<TopRow>(rows.Count);
        foreach (var bucket in DashboardDimensions.RiskScoreBuckets)
        {
            foreach (var row in rows)
            {
                if (row.Label == bucket)
                {
                    ordered.Add(row);
                }
            }
        }

        return ordered;
    }
}
