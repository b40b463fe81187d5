using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Privacy;

namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>
/// Folds the pseudonymised request stream into minute buckets in memory and writes them, together with their hour
/// and day roll-ups, to the store in one batch every <see cref="DashboardOptions.WriteInterval"/> (and at shutdown).
/// Runs on the pipeline's single consumer thread, so it needs no locks. A failing store is logged and the batch
/// dropped; requests are never affected.
/// </summary>
/// <remarks>
/// Counting rules: a page view is a successful (2xx/3xx) GET by a client that is not a bot. Requests at consent
/// level <see cref="ConsentLevel.FraudPreventionOnly"/> have no analytics visitor: they count as anonymous page views
/// and requests (the privacy notice allows anonymous aggregate analysis), but never toward visitors, visits, bounce or
/// duration. For k-anonymity every record contributes one subject: its analytics visitor, or else its IP pseudonym;
/// only hashed register ranks of it enter a sketch.
/// </remarks>
internal sealed class DashboardProcessor : IRequestRecordProcessor, IDisposable
{
    private readonly IDashboardStore _store;
    private readonly DashboardOptions _options;
    private readonly DashboardRouteFilter _filter;
    private readonly TimeProvider _time;
    private readonly ILogger<DashboardProcessor> _logger;
    private readonly VisitTracker _visits;
    private readonly ValueLimiter _limiter;
    private readonly CancellationTokenRegistration _stopping;
    private readonly StoredAlertFeed? _alerts;
    private Dictionary<CellKey, CellAccumulator> _pending = [];
    private DateTimeOffset _lastWrite;
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;
    private volatile bool _stopRequested;
    private long _written;

    public DashboardProcessor(
        IDashboardStore store,
        IOptions<DashboardOptions> options,
        DashboardRouteFilter filter,
        TimeProvider time,
        ILogger<DashboardProcessor> logger,
        IHostApplicationLifetime? lifetime = null,
        StoredAlertFeed? alerts = null)
    {
        _store = store;
        _alerts = alerts;
        _options = options.Value;
        _filter = filter;
        _time = time;
        _logger = logger;
        _visits = new VisitTracker(_options.VisitTimeout, _options.MaxTrackedVisits);
        _limiter = new ValueLimiter(_options.MaxValuesPerDimension, _options.MaxValueLength);
        _lastWrite = time.GetUtcNow();
        if (lifetime is not null)
        {
            _stopping = lifetime.ApplicationStopping.Register(static state => ((DashboardProcessor)state!)._stopRequested = true, this);
        }
    }

    /// <summary>Cells written to the store so far.</summary>
    internal long Written => Interlocked.Read(ref _written);

    /// <summary>Cells buffered in memory.</summary>
    internal int PendingCount => _pending.Count;

    public async ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken)
    {
        var records = batch.Span;
        for (var i = 0; i < records.Length; i++)
        {
            Fold(in records[i]);
        }

        if (_time.GetUtcNow() - _lastWrite >= _options.WriteInterval)
        {
            await WritePendingAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_stopRequested || now - _lastWrite >= _options.WriteInterval)
        {
            await WritePendingAsync(cancellationToken).ConfigureAwait(false);
        }

        if (now - _lastPurge >= TimeSpan.FromHours(1))
        {
            _lastPurge = now;
            await PurgeAsync(now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Folds one record into the buffered minute cells.</summary>
    internal void Fold(in RequestRecord r)
    {
        if (_filter.IsExcluded(r.Route))
        {
            return;
        }

        var ticks = r.Timestamp.UtcTicks;
        var minute = ticks - (ticks % TimeSpan.TicksPerMinute);
        var ua = r.UserAgent;
        var isBot = ua is not null && ua.Bot.IsBot;
        var isView = !isBot && r.StatusCode is >= 200 and < 400 && string.Equals(r.Method, "GET", StringComparison.Ordinal);
        var hasVisitor = !r.AnalyticsVisitor.IsEmpty;
        var visitor = r.AnalyticsVisitor.Hash64;
        var hasSubject = hasVisitor || !r.Ip.IsEmpty;
        var subject = hasVisitor ? visitor : r.Ip.Hash64;

        // Request dimensions: every request.
        AddRequest(minute, DashboardDimensions.Status, DashboardDimensions.StatusClass(r.StatusCode), hasSubject, subject);
        AddRequest(minute, DashboardDimensions.Bot, isBot ? "bot" : "human", hasSubject, subject);
        AddRequest(minute, DashboardDimensions.Consent, ConsentName(r.Consent), hasSubject, subject);
        AddRequest(minute, DashboardDimensions.Network, Limit(DashboardDimensions.Network, r.NetworkDomain ?? "(unknown)", ticks), hasSubject, subject);
        var risk = r.Risk;
        AddRequest(minute, DashboardDimensions.RiskBand, BandName(risk.Band), hasSubject, subject);
        AddRequest(minute, DashboardDimensions.RiskScore, DashboardDimensions.RiskScoreBucket(risk.Score), hasSubject, subject);
        if (risk.TopReason is { Length: > 0 } reason)
        {
            AddRequest(minute, DashboardDimensions.RiskReason, Limit(DashboardDimensions.RiskReason, reason, ticks), hasSubject, subject);
        }

        var total = Cell(new CellKey(minute, DashboardDimensions.Total, string.Empty, string.Empty, string.Empty, string.Empty));
        total.Requests++;
        if (!isView)
        {
            return;
        }

        // Page-view dimensions.
        total.PageViews++;
        AddSubjects(total, hasVisitor, visitor, hasSubject, subject);
        if (hasVisitor)
        {
            var visitKey = r.Session.IsEmpty ? visitor : visitor ^ (r.Session.Hash64 * 0x9E3779B97F4A7C15UL);
            _visits.PageView(visitKey, ticks, out var started, out var engaged, out var gap);
            if (started)
            {
                total.Visits++;
            }

            if (engaged)
            {
                total.EngagedVisits++;
            }

            total.VisitMilliseconds += gap;
        }

        var cube = Cell(new CellKey(
            minute,
            DashboardDimensions.Cube,
            Limit(DashboardDimensions.Route, r.Route ?? "(unmatched)", ticks),
            Limit(DashboardDimensions.Country, r.Geo?.CountryIsoCode ?? "unknown", ticks),
            Limit(DashboardDimensions.Browser, ua?.Browser.Family ?? "Other", ticks),
            ua?.DeviceType ?? "other"));
        cube.Requests++;
        cube.PageViews++;
        AddSubjects(cube, hasVisitor, visitor, hasSubject, subject);

        AddView(minute, DashboardDimensions.Referrer, r.ReferrerHost ?? "(direct)", ticks, hasVisitor, visitor, hasSubject, subject);
        AddView(minute, DashboardDimensions.Os, ua?.Os.Family ?? "Other", ticks, hasVisitor, visitor, hasSubject, subject);
        AddView(minute, DashboardDimensions.Language, r.Language ?? "(unknown)", ticks, hasVisitor, visitor, hasSubject, subject);
        if (r.UtmSource is { Length: > 0 } source)
        {
            AddView(minute, DashboardDimensions.UtmSource, source, ticks, hasVisitor, visitor, hasSubject, subject);
        }

        if (r.UtmMedium is { Length: > 0 } medium)
        {
            AddView(minute, DashboardDimensions.UtmMedium, medium, ticks, hasVisitor, visitor, hasSubject, subject);
        }

        if (r.UtmCampaign is { Length: > 0 } campaign)
        {
            AddView(minute, DashboardDimensions.UtmCampaign, campaign, ticks, hasVisitor, visitor, hasSubject, subject);
        }
    }

    /// <summary>Writes the queued fraud alerts, then the buffered minute cells and their hour and day roll-ups in one batch.</summary>
    internal async ValueTask WritePendingAsync(CancellationToken cancellationToken)
    {
        _lastWrite = _time.GetUtcNow();

        // Fraud alerts queued since the last write go in the same cadence: one batch, not one transaction per alert.
        if (_alerts is not null)
        {
            await _alerts.WritePendingAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_pending.Count == 0)
        {
            return;
        }

        var pending = _pending;
        _pending = [];
        var hours = new Dictionary<CellKey, CellAccumulator>();
        var days = new Dictionary<CellKey, CellAccumulator>();
        var cells = new List<DashboardCell>(pending.Count * 3);
        foreach (var (key, cell) in pending)
        {
            cells.Add(cell.ToCell(DashboardGranularity.Minute, key));
            RollUp(hours, key.WithBucket(key.BucketTicks - (key.BucketTicks % TimeSpan.TicksPerHour)), cell);
            RollUp(days, key.WithBucket(key.BucketTicks - (key.BucketTicks % TimeSpan.TicksPerDay)), cell);
        }

        foreach (var (key, cell) in hours)
        {
            cells.Add(cell.ToCell(DashboardGranularity.Hour, key));
        }

        foreach (var (key, cell) in days)
        {
            cells.Add(cell.ToCell(DashboardGranularity.Day, key));
        }

        try
        {
            await _store.WriteAsync(cells, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _written, cells.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            DashboardLog.StoreWriteFailed(_logger, cells.Count, ex.GetType().Name, ex.Message);
        }
    }

    private async ValueTask PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var removed = await _store.PurgeAsync(DashboardGranularity.Minute, now.AddDays(-_options.MinuteRetentionDays), cancellationToken).ConfigureAwait(false);
            removed += await _store.PurgeAsync(DashboardGranularity.Hour, now.AddDays(-_options.HourRetentionDays), cancellationToken).ConfigureAwait(false);
            removed += await _store.PurgeAsync(DashboardGranularity.Day, now.AddDays(-_options.DayRetentionDays), cancellationToken).ConfigureAwait(false);
            removed += await _store.PurgeAlertsAsync(now.AddDays(-_options.DayRetentionDays), cancellationToken).ConfigureAwait(false);
            if (removed > 0)
            {
                DashboardLog.Purged(_logger, removed);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            DashboardLog.StorePurgeFailed(_logger, ex.GetType().Name, ex.Message);
        }
    }

    private static void RollUp(Dictionary<CellKey, CellAccumulator> target, CellKey key, CellAccumulator cell)
    {
        ref var existing = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(target, key, out _);
        existing ??= new CellAccumulator();
        existing.Merge(cell);
    }

    private CellAccumulator Cell(CellKey key)
    {
        ref var cell = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_pending, key, out _);
        return cell ??= new CellAccumulator();
    }

    private void AddRequest(long minute, string dimension, string value, bool hasSubject, ulong subject)
    {
        var cell = Cell(new CellKey(minute, dimension, value, string.Empty, string.Empty, string.Empty));
        cell.Requests++;
        if (hasSubject)
        {
            cell.Contributors.Add(subject);
        }
    }

    private void AddView(long minute, string dimension, string value, long ticks, bool hasVisitor, ulong visitor, bool hasSubject, ulong subject)
    {
        var cell = Cell(new CellKey(minute, dimension, Limit(dimension, value, ticks), string.Empty, string.Empty, string.Empty));
        cell.Requests++;
        cell.PageViews++;
        AddSubjects(cell, hasVisitor, visitor, hasSubject, subject);
    }

    private static void AddSubjects(CellAccumulator cell, bool hasVisitor, ulong visitor, bool hasSubject, ulong subject)
    {
        if (hasVisitor)
        {
            cell.Visitors.Add(visitor);
        }

        if (hasSubject)
        {
            cell.Contributors.Add(subject);
        }
    }

    private string Limit(string dimension, string value, long ticks) => _limiter.Limit(dimension, value, ticks);

    internal static string ConsentName(ConsentLevel level) => level switch
    {
        ConsentLevel.Full => "full",
        ConsentLevel.AnalyticsWithoutCookies => "analytics",
        _ => "fraud_prevention_only",
    };

    internal static string BandName(NumoTelemetry.Fraud.RiskBand band) => band switch
    {
        NumoTelemetry.Fraud.RiskBand.Watch => "watch",
        NumoTelemetry.Fraud.RiskBand.Alert => "alert",
        NumoTelemetry.Fraud.RiskBand.Page => "page",
        _ => "none",
    };

    public void Dispose() => _stopping.Dispose();
}
