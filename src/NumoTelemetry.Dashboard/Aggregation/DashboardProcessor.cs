using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard.Analytics;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>
/// Folds the pseudonymised request stream into minute buckets in memory and writes them, together with their hour
/// and day roll-ups, to the store in one batch every <see cref="DashboardOptions.WriteInterval"/> (and at shutdown).
/// Runs on the pipeline's single consumer thread, so it needs no locks. A failing store never affects requests: each
/// failed store call counts in <c>numo.errors{numo.stage=dashboard_store}</c>, the store is logged once as failing and
/// once as recovered, and the cells of a failed write stay buffered and go with the next write (up to
/// <see cref="MaxRetainedCells"/>; beyond that they are dropped and their records counted in
/// <c>numo.pipeline.records.dropped{numo.reason=dashboard_store}</c>).
/// </summary>
/// <remarks>
/// Counting rules: a page view is a successful (2xx/3xx) GET by a client that is not a bot. Requests at consent
/// level <see cref="ConsentLevel.FraudPreventionOnly"/> have no analytics visitor: they count as anonymous page views
/// and requests (the privacy notice allows anonymous aggregate analysis), but never toward visitors, visits, bounce or
/// duration. For k-anonymity every record contributes one subject: its analytics visitor, or else its IP pseudonym.
/// Pseudonyms enter a sketch only hashed under their UTC day's secret (<see cref="DailySketchSecrets"/>), destroyed
/// when the day closes, so a stored sketch cannot be tested for a pseudonym.
/// </remarks>
internal sealed partial class DashboardProcessor : IRequestRecordProcessor, IDisposable
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
    private readonly ILossCounter? _metrics;
    private readonly DailySketchSecrets _secrets;
    private Dictionary<CellKey, CellAccumulator> _pending = [];
    private DateTimeOffset _lastWrite;
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;
    private volatile bool _stopRequested;
    private bool _hasClient;
    private ulong _client;
    private long _written;
    private int _storeFailures;
    private bool _droppedWhileFailing;

    /// <summary>Minute cells kept for retry while the store fails; beyond this they are dropped.</summary>
    internal const int MaxRetainedCells = 50_000;

    public DashboardProcessor(
        IDashboardStore store,
        IOptions<DashboardOptions> options,
        DashboardRouteFilter filter,
        TimeProvider time,
        ILogger<DashboardProcessor> logger,
        IHostApplicationLifetime? lifetime = null,
        StoredAlertFeed? alerts = null,
        ILossCounter? metrics = null)
    {
        _store = store;
        _metrics = metrics;
        _alerts = alerts;
        _options = options.Value;
        _filter = filter;
        _time = time;
        _logger = logger;
        _visits = new VisitTracker(_options.VisitTimeout, _options.MaxTrackedVisits);
        _limiter = new ValueLimiter(_options.MaxValuesPerDimension, _options.MaxValueLength);
        _lastWrite = time.GetUtcNow();
        _secrets = new DailySketchSecrets(store);
        _analytics = new AnalyticsDefinitions(_options);
        _paths = new PathAdmission(Math.Max(1, _options.MinimumCellSize), Math.Max(1_000, _options.MaxValuesPerDimension * 20));
        _secrets.Advance(_lastWrite);
        if (lifetime is not null)
        {
            _stopping = lifetime.ApplicationStopping.Register(static state => ((DashboardProcessor)state!)._stopRequested = true, this);
        }
    }

    /// <summary>Cells written to the store so far.</summary>
    internal long Written => Interlocked.Read(ref _written);

    /// <summary>Cells buffered in memory.</summary>
    internal int PendingCount => _pending.Count;

    /// <summary>The day secrets.</summary>
    internal DailySketchSecrets Secrets => _secrets;

    /// <summary>Consecutive failed store calls (0 while the store works).</summary>
    internal int StoreFailures => _storeFailures;

    public async ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken)
    {
        _secrets.Advance(_time.GetUtcNow());
        long day;
        while ((day = FirstDayWithoutSecret(batch.Span)) != long.MinValue)
        {
            try
            {
                await _secrets.LoadAsync(day, cancellationToken).ConfigureAwait(false);
                StoreSucceeded();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                StoreFailed(ex); // the day runs on a secret of this process only
            }
        }

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

    private long FirstDayWithoutSecret(ReadOnlySpan<RequestRecord> records)
    {
        var checkedDay = long.MinValue;
        for (var i = 0; i < records.Length; i++)
        {
            var day = records[i].Timestamp.UtcTicks / TimeSpan.TicksPerDay;
            if (day != checkedDay)
            {
                if (_secrets.Needs(day))
                {
                    return day;
                }

                checkedDay = day;
            }
        }

        return long.MinValue;
    }

    /// <summary>Folds one record into the buffered minute cells.</summary>
    // Long because: hot path: one record folded into every minute cell in one pass, no calls per dimension.
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
        var rawVisitor = r.AnalyticsVisitor.Hash64;

        // What enters a sketch is the pseudonym hashed under the day's secret; nothing after the day closed.
        var day = ticks / TimeSpan.TicksPerDay;
        var sketchVisitor = false;
        ulong visitor = 0;
        var hasSubject = false;
        ulong subject = 0;
        if (hasVisitor)
        {
            sketchVisitor = hasSubject = _secrets.TryHash(day, rawVisitor, out visitor);
            subject = visitor;
        }
        else if (!r.Ip.IsEmpty)
        {
            hasSubject = _secrets.TryHash(day, r.Ip.Hash64, out subject);
        }

        // The client that sent a value (ValueLimiter), in memory only: its network, else its address, else its visitor.
        _hasClient = true;
        if (!r.IpPrefix.IsEmpty)
        {
            _client = r.IpPrefix.Hash64;
        }
        else if (!r.Ip.IsEmpty)
        {
            _client = r.Ip.Hash64;
        }
        else if (hasVisitor)
        {
            _client = rawVisitor;
        }
        else
        {
            _hasClient = false;
        }

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

        var total = Cell(new CellKey(minute, DashboardDimensions.Total, string.Empty));
        total.Requests++;
        var subjects = new VisitSubject(sketchVisitor, visitor, hasSubject, subject);
        var visitKey = r.Session.IsEmpty ? rawVisitor : rawVisitor ^ (r.Session.Hash64 * 0x9E3779B97F4A7C15UL);
        _hitGoals.Clear();
        _hitEvents.Clear();
        FoldEvents(in r, ticks);
        string? page = null;
        string? entry = null;
        var started = false;
        if (isView)
        {
            // Page-view dimensions.
            total.PageViews++;
            AddSubjects(total, sketchVisitor, visitor, hasSubject, subject);
            page = FoldPage(in r, ticks, in subjects);
            if (hasVisitor)
            {
                _visits.PageView(visitKey, ticks, page, in subjects, out started, out var engaged, out var gap, out entry);
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
        }
        else if (hasVisitor && (_hitGoals.Count > 0 || _hitEvents.Count > 0))
        {
            entry = _visits.EntryPage(visitKey, ticks);
        }

        if (isView || _hitGoals.Count > 0 || _hitEvents.Count > 0)
        {
            // Referrer and UTM are the visit's (of its entry view), so every view and conversion of a visit counts
            // toward where the visit came from.
            if (!hasVisitor || started || !_visits.TryGetSource(visitKey, ticks, out var source))
            {
                source = new VisitSource(
                    Limit(DashboardDimensions.Referrer, r.ReferrerHost ?? "(direct)", ticks),
                    r.UtmSource is { Length: > 0 } utmSource ? Limit(DashboardDimensions.UtmSource, utmSource, ticks) : DashboardDimensions.None,
                    r.UtmMedium is { Length: > 0 } medium ? Limit(DashboardDimensions.UtmMedium, medium, ticks) : DashboardDimensions.None,
                    r.UtmCampaign is { Length: > 0 } campaign ? Limit(DashboardDimensions.UtmCampaign, campaign, ticks) : DashboardDimensions.None);
                if (started)
                {
                    _visits.SetSource(visitKey, ticks, in source);
                }
            }

            var cubeKey = CubeKey(in r, in source, page ?? Limit(DashboardDimensions.Page, r.Route ?? "(unmatched)", ticks), entry, ticks);
            if (isView)
            {
                var cube = Cell(new CellKey(minute, DashboardDimensions.Cube, cubeKey));
                cube.Requests++;
                cube.PageViews++;
                if (started)
                {
                    cube.Visits++;
                }

                AddSubjects(cube, sketchVisitor, visitor, hasSubject, subject);
                if (hasVisitor)
                {
                    _visits.SetLastKey(visitKey, ticks, cubeKey);
                }
            }

            FoldFacts(minute, cubeKey, in subjects);
        }

        FoldPaths(page, minute, ticks, in subjects, rawVisitor, visitKey);
        FoldExits();
        FoldFunnels(in r, isView, minute, ticks, in subjects, hasVisitor, rawVisitor, visitKey);
    }

    /// <summary>The record's cube key: its value of every page-view dimension (<see cref="DashboardDimensions.CubeAxes"/>).</summary>
    private string CubeKey(in RequestRecord r, in VisitSource source, string page, string? entry, long ticks)
    {
        var ua = r.UserAgent;
        return _keys.Start()
            .Value(Limit(DashboardDimensions.Route, r.Route ?? "(unmatched)", ticks))
            .Value(Limit(DashboardDimensions.Country, r.Geo?.CountryIsoCode ?? "unknown", ticks))
            .Value(Limit(DashboardDimensions.Browser, ua?.Browser.Family ?? "Other", ticks))
            .Value(ua?.DeviceType ?? "other")
            .Value(source.Referrer!)
            .Value(source.UtmSource)
            .Value(source.UtmMedium)
            .Value(source.UtmCampaign)
            .Value(Limit(DashboardDimensions.Os, ua?.Os.Family ?? "Other", ticks))
            .Value(Limit(DashboardDimensions.Language, r.Language ?? "(unknown)", ticks))
            .Value(page)
            .Value(entry ?? DashboardDimensions.None)
            .Build();
    }

    /// <summary>Writes the queued fraud alerts, then the buffered minute cells and their hour and day roll-ups in one batch.</summary>
    // Long because: one write cadence: secrets, alerts, cells and roll-ups in order, each step's failure counted.
    internal async ValueTask WritePendingAsync(CancellationToken cancellationToken)
    {
        _lastWrite = _time.GetUtcNow();

        // Closed days: their secrets go from memory now and from the store on this write's cadence.
        _secrets.Advance(_lastWrite);
        if (_secrets.DeletePending)
        {
            try
            {
                await _secrets.DeleteClosedAsync(cancellationToken).ConfigureAwait(false);
                StoreSucceeded();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                StoreFailed(ex);
            }
        }

        // Fraud alerts queued since the last write go in the same cadence: one batch, not one transaction per alert.
        // A failed alert write keeps its alerts queued for the next one.
        if (_alerts is not null)
        {
            try
            {
                if (await _alerts.WritePendingAsync(cancellationToken).ConfigureAwait(false))
                {
                    StoreSucceeded();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                StoreFailed(ex);
            }
        }

        // Visits idle beyond the timeout end now, so their exit pages are written without waiting for more traffic.
        _visits.SweepIdle(_lastWrite.UtcTicks);
        FoldExits();
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
            StoreSucceeded();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            StoreFailed(ex);
            Retain(pending);
        }
    }

    /// <summary>Keeps the cells of a failed write (one transaction: none of it was stored) for the next write.</summary>
    private void Retain(Dictionary<CellKey, CellAccumulator> failed)
    {
        if (failed.Count + _pending.Count > MaxRetainedCells)
        {
            // Every record adds one request to its minute's total cell: that is how many records are lost.
            long records = 0;
            foreach (var (key, cell) in failed)
            {
                if (ReferenceEquals(key.Dimension, DashboardDimensions.Total))
                {
                    records += cell.Requests;
                }
            }

            if (_metrics is not null)
            {
                for (long i = 0; i < records; i++)
                {
                    _metrics.RecordDropped("dashboard_store");
                }
            }

            if (!_droppedWhileFailing)
            {
                _droppedWhileFailing = true;
                DashboardLog.StoreCellsDropped(_logger, failed.Count, records, MaxRetainedCells);
            }

            return;
        }

        if (_pending.Count == 0)
        {
            _pending = failed;
            return;
        }

        foreach (var (key, cell) in failed)
        {
            Cell(key).Merge(cell);
        }
    }

    private void StoreFailed(Exception ex)
    {
        _metrics?.RecordError("dashboard_store");
        if (_storeFailures++ == 0)
        {
            DashboardLog.StoreFailing(_logger, ex.GetType().Name, ex.Message);
        }
    }

    private void StoreSucceeded()
    {
        if (_storeFailures > 0)
        {
            DashboardLog.StoreRecovered(_logger, _storeFailures);
            _storeFailures = 0;
            _droppedWhileFailing = false;
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
            StoreSucceeded();
            if (removed > 0)
            {
                DashboardLog.Purged(_logger, removed);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            StoreFailed(ex); // retried within the hour
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
        var cell = Cell(new CellKey(minute, dimension, value));
        cell.Requests++;
        if (hasSubject)
        {
            cell.Contributors.Add(subject);
        }
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

    private string Limit(string dimension, string value, long ticks) => _limiter.Limit(dimension, value, ticks, _hasClient, _client);

    internal static string ConsentName(ConsentLevel level) => level switch
    {
        ConsentLevel.Full => "full",
        ConsentLevel.AnalyticsWithoutCookies => "analytics",
        _ => "fraud_prevention_only",
    };

    internal static string BandName(NumoTelemetry.Records.RiskBand band) => band switch
    {
        NumoTelemetry.Records.RiskBand.Watch => "watch",
        NumoTelemetry.Records.RiskBand.Alert => "alert",
        NumoTelemetry.Records.RiskBand.Page => "page",
        _ => "none",
    };

    public void Dispose() => _stopping.Dispose();
}
