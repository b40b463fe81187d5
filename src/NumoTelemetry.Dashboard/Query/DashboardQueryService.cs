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
        [.. DashboardDimensions.CubeAxes, .. DashboardDimensions.Stored, .. DashboardDimensions.Analytics],
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
        var (lattice, values, mask) = await LatticeAsync(range, filter, -1, withTime: true, cancellationToken).ConfigureAwait(false);
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
        var (lattice, values, mask) = await LatticeAsync(range, default, -1, withTime: true, cancellationToken).ConfigureAwait(false);
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

    /// <summary>A top list of <paramref name="dimension"/>; filters apply to the cube axes.</summary>
    /// <remarks>
    /// Only values built from at least k people (and not suppressed to protect others) are listed with their label;
    /// the rest is one "Other" row. A cube list is the children of its filters' cell along its axis, decided by
    /// <see cref="CubeLattice"/> consistently with every other list, overview and series of the range.
    /// </remarks>
    public async ValueTask<TopList> TopAsync(string dimension, DashboardRange range, DashboardFilter filter, int limit, CancellationToken cancellationToken)
    {
        var axis = DashboardDimensions.CubeAxis(dimension);
        if (Array.IndexOf(DashboardDimensions.Analytics, dimension) >= 0)
        {
            return await AnalyticsTopAsync(dimension, range, Math.Clamp(limit, 1, 100), cancellationToken).ConfigureAwait(false);
        }

        var pageViews = DashboardDimensions.CountsPageViews(dimension);
        limit = Math.Clamp(limit, 1, 100);
        if (axis >= 0)
        {
            // A list is not filtered by its own axis, so the chosen value stays visible among the others.
            var (lattice, values, mask) = await LatticeAsync(range, filter, axis, withTime: false, cancellationToken).ConfigureAwait(false);
            var filtered = mask != 0;
            return ReleaseCube(dimension, range, lattice, values, mask, axis, filtered, limit);
        }

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
    /// Reads the cells a view needs and decides them: the cube (or, unfiltered, the total cells) over the axes the
    /// filters fix, plus <paramref name="listAxis"/> and time when asked.
    /// </summary>
    private async ValueTask<(CubeLattice Lattice, string?[] Values, int Mask)> LatticeAsync(
        DashboardRange range, DashboardFilter filter, int listAxis, bool withTime, CancellationToken cancellationToken)
    {
        var values = new string?[CubeLattice.AxisCount];
        var mask = 0;
        for (var axis = 0; axis < 4; axis++)
        {
            if (axis != listAxis && filter[axis] is { } value)
            {
                values[axis] = value;
                mask |= CubeLattice.Bit(axis);
            }
        }

        var full = mask | (listAxis >= 0 ? CubeLattice.Bit(listAxis) : 0) | (withTime ? CubeLattice.Bit(CubeLattice.TimeAxis) : 0);
        var cube = (full & 0b1111) != 0;
        var cells = await _store.ReadAsync(new DashboardCellQuery(range.Granularity, cube ? DashboardDimensions.Cube : DashboardDimensions.Total, range.From, range.To), cancellationToken).ConfigureAwait(false);
        var step = range.Step.Ticks;
        var count = (int)((range.To - range.From).Ticks / step);
        var rows = new List<(string[] Values, DashboardCell Cell)>(cells.Count);
        foreach (var cell in cells)
        {
            var index = (int)((cell.BucketStart - range.From).Ticks / step);
            var axes = new string[CubeLattice.AxisCount];
            if ((uint)index >= (uint)count || (cube && !SplitCube(cell.Key, axes)))
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
            axes[CubeLattice.TimeAxis] = index.ToString(CultureInfo.InvariantCulture);
            rows.Add((axes, cell));
        }

        return (CubeLattice.Build(rows, full, _k, TryAdd), values, mask);
    }

    private List<SeriesPoint> Series(DashboardRange range, CubeLattice lattice, string?[] values, int mask)
    {
        var step = range.Step;
        var count = (int)((range.To - range.From).Ticks / step.Ticks);
        var points = new List<SeriesPoint>(count);
        var key = (string?[])values.Clone();
        var pointMask = mask | CubeLattice.Bit(CubeLattice.TimeAxis);
        for (var i = 0; i < count; i++)
        {
            key[CubeLattice.TimeAxis] = i.ToString(CultureInfo.InvariantCulture);
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
    private TopList ReleaseCube(string dimension, DashboardRange range, CubeLattice lattice, string?[] values, int mask, int axis, bool filtered, int limit)
    {
        const string Metric = "pageViews";
        var parent = lattice.Get(mask, values);
        if (parent is null)
        {
            return new TopList(dimension, Metric, filtered, [], null, new TopRow("total", 0, 0, false));
        }

        if (parent.Withheld)
        {
            // The list's total is withheld (too few people, or suppressed in another list): nothing is released,
            // not even which values occurred.
            return new TopList(dimension, Metric, filtered, [], null, new TopRow("total", null, null, true));
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

        shown.Sort(static (a, b) =>
        {
            var byViews = b.Aggregate.PageViews.CompareTo(a.Aggregate.PageViews);
            return byViews != 0 ? byViews : string.CompareOrdinal(a.Key, b.Key);
        });
        var rows = new List<TopRow>(Math.Min(limit, shown.Count));
        for (var i = 0; i < shown.Count; i++)
        {
            var node = shown[i];
            if (i < limit)
            {
                var id = Identity(range, node);
                rows.Add(new TopRow(node.Values[axis]!, _noise.Apply(node.Aggregate.PageViews, id + "|views"), _noise.Apply(node.Aggregate.Visitors.Count(), id + "|visitors"), false));
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
            other = new TopRow(DashboardDimensions.Other, _noise.Apply(rest.PageViews, otherId + "|views"), _noise.Apply(rest.Visitors.Count(), otherId + "|visitors"), false);
        }

        var totalRow = new TopRow("total", _noise.Apply(parent.Aggregate.PageViews, parentId + "|views"), _noise.Apply(parent.Aggregate.Visitors.Count(), parentId + "|visitors"), false);
        return new TopList(dimension, Metric, filtered, rows, other, totalRow);
    }

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

    internal static bool SplitCube(string key, Span<string> values)
    {
        var span = key.AsSpan();
        for (var axis = 0; axis < 3; axis++)
        {
            var at = span.IndexOf(DashboardDimensions.CubeSeparator);
            if (at < 0)
            {
                return false;
            }

            values[axis] = span[..at].ToString();
            span = span[(at + 1)..];
        }

        values[3] = span.ToString();
        return true;
    }
}
