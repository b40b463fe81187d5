using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Query.Models;

namespace NumoTelemetry.Dashboard.Query;

/// <summary>
/// Reads cells from the store, merges them over a range and releases them through k-anonymity (and optional Laplace
/// noise). Everything it returns is an aggregate of at least k distinct pseudonyms, or marked suppressed.
/// </summary>
internal sealed class DashboardQueryService
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
        [.. DashboardDimensions.CubeAxes, .. DashboardDimensions.Stored],
        _options.LiveMinutes);

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Traffic over time: key figures and one point per bucket.</summary>
    public async ValueTask<Overview> OverviewAsync(DashboardRange range, DashboardFilter filter, CancellationToken cancellationToken)
    {
        var (points, total) = await SeriesAsync(range, filter, cancellationToken).ConfigureAwait(false);
        var id = $"overview|{range.Name}|{range.From.ToUnixTimeSeconds()}|{filter}";
        OverviewTotals totals;
        if (total.PageViews == 0 && total.Contributors.IsEmpty)
        {
            totals = new OverviewTotals(0, 0, filter.IsEmpty ? 0 : null, null, null, false);
        }
        else if (!KAnonymity.Meets(total, _k))
        {
            totals = new OverviewTotals(null, null, null, null, null, true);
        }
        else
        {
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
        var (points, _) = await SeriesAsync(range, default, cancellationToken).ConfigureAwait(false);

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
    public async ValueTask<TopList> TopAsync(string dimension, DashboardRange range, DashboardFilter filter, int limit, CancellationToken cancellationToken)
    {
        var axis = DashboardDimensions.CubeAxis(dimension);
        var pageViews = DashboardDimensions.CountsPageViews(dimension);
        var groups = new Dictionary<string, Aggregate>(StringComparer.Ordinal);
        var filtered = false;
        if (axis >= 0)
        {
            filtered = !filter.IsEmpty;
            var cells = await _store.ReadAsync(new DashboardCellQuery(range.Granularity, DashboardDimensions.Cube, range.From, range.To), cancellationToken).ConfigureAwait(false);
            var values = new string[4];
            foreach (var cell in cells)
            {
                if (!SplitCube(cell.Key, values) || !filter.Matches(values, axis))
                {
                    continue;
                }

                // A list is not filtered by its own axis, so the chosen value stays visible among the others.
                TryAdd(Group(groups, values[axis]), cell);
            }
        }
        else
        {
            var cells = await _store.ReadAsync(new DashboardCellQuery(range.Granularity, dimension, range.From, range.To), cancellationToken).ConfigureAwait(false);
            foreach (var cell in cells)
            {
                TryAdd(Group(groups, cell.Key), cell);
            }
        }

        return Release(dimension, range, filter, filtered, pageViews, [.. groups.Values], limit);
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

    private async ValueTask<(List<SeriesPoint> Points, Aggregate Total)> SeriesAsync(DashboardRange range, DashboardFilter filter, CancellationToken cancellationToken)
    {
        var dimension = filter.IsEmpty ? DashboardDimensions.Total : DashboardDimensions.Cube;
        var cells = await _store.ReadAsync(new DashboardCellQuery(range.Granularity, dimension, range.From, range.To), cancellationToken).ConfigureAwait(false);
        var step = range.Step;
        var count = (int)((range.To - range.From).Ticks / step.Ticks);
        var buckets = new Aggregate[count];
        for (var i = 0; i < count; i++)
        {
            buckets[i] = new Aggregate(range.From.AddTicks(step.Ticks * i).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        }

        var total = new Aggregate("total");
        var values = new string[4];
        foreach (var cell in cells)
        {
            if (!filter.IsEmpty && (!SplitCube(cell.Key, values) || !filter.Matches(values)))
            {
                continue;
            }

            var index = (int)((cell.BucketStart - range.From).Ticks / step.Ticks);
            if ((uint)index < (uint)count && TryAdd(buckets[index], cell))
            {
                total.Add(cell);
            }
        }

        var nonEmpty = new List<Aggregate>(count);
        foreach (var bucket in buckets)
        {
            if (bucket.PageViews > 0 || !bucket.Contributors.IsEmpty)
            {
                nonEmpty.Add(bucket);
            }
        }

        KAnonymity.Apply(nonEmpty, _k, int.MaxValue, pageViews: true);
        var id = $"series|{range.Name}|{filter}|";
        var points = new List<SeriesPoint>(count);
        for (var i = 0; i < count; i++)
        {
            var bucket = buckets[i];
            var t = range.From.AddTicks(step.Ticks * i);
            points.Add(bucket.PageViews == 0 && bucket.Contributors.IsEmpty
                ? new SeriesPoint(t, 0, 0, false)
                : bucket.Suppressed
                    ? new SeriesPoint(t, null, null, true)
                    : new SeriesPoint(t, _noise.Apply(bucket.PageViews, id + bucket.Label + "|views"), _noise.Apply(bucket.Visitors.Count(), id + bucket.Label + "|visitors"), false));
        }

        return (points, total);
    }

    private TopList Release(string dimension, DashboardRange range, DashboardFilter filter, bool filtered, bool pageViews, List<Aggregate> groups, int limit)
    {
        var id = $"top|{dimension}|{range.Name}|{range.From.ToUnixTimeSeconds()}|{(filtered ? filter.ToString() : string.Empty)}|";
        var total = new Aggregate("total");
        foreach (var group in groups)
        {
            total.Add(group);
        }

        var metric = pageViews ? "pageViews" : "requests";
        if (groups.Count == 0)
        {
            return new TopList(dimension, metric, filtered, [], null, new TopRow("total", 0, 0, false));
        }

        if (!KAnonymity.Meets(total, _k))
        {
            // Too few people in the whole list: nothing is released, not even which values occurred.
            return new TopList(dimension, metric, filtered, [], null, new TopRow("total", null, null, true));
        }

        var suppression = KAnonymity.Apply(groups, _k, Math.Clamp(limit, 1, 100), pageViews);
        var rows = new List<TopRow>(suppression.Shown.Count + suppression.Remainder.Count);
        foreach (var group in suppression.Shown)
        {
            rows.Add(new TopRow(group.Label, _noise.Apply(group.Metric(pageViews), id + group.Label), VisitorsOf(group, pageViews, id), false));
        }

        // Suppressed values are listed as "< k" (at most as many as the limit); the tail beyond the limit is only in "other".
        var listed = 0;
        foreach (var group in suppression.Remainder)
        {
            if (group.Suppressed && listed++ < limit)
            {
                rows.Add(new TopRow(group.Label, null, null, true));
            }
        }

        TopRow? other = suppression.RemainderReleasable
            ? new TopRow(DashboardDimensions.Other, _noise.Apply(suppression.RemainderTotal.Metric(pageViews), id + "(other)"), VisitorsOf(suppression.RemainderTotal, pageViews, id + "(other)"), false)
            : null;
        var totalRow = new TopRow("total", _noise.Apply(total.Metric(pageViews), id + "(total)"), VisitorsOf(total, pageViews, id + "(total)"), false);
        return new TopList(dimension, metric, filtered, rows, other, totalRow);
    }

    private long? VisitorsOf(Aggregate group, bool pageViews, string id) =>
        pageViews ? _noise.Apply(group.Visitors.Count(), id + group.Label + "|visitors") : null;

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
