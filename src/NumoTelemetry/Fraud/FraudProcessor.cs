using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud.Detectors;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Internal;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud;

/// <summary>
/// The fraud engine, a processor of the pseudonymised stream. Per batch: plan every record's state operations, apply them in
/// one store call, read each record's <see cref="AccessPattern"/>, run the detectors, fold hits into decaying scores (published to
/// the hot-path <see cref="RiskCache"/>), and hand verdicts in the alert band to the <see cref="AlertDispatcher"/>.
/// </summary>
/// <remarks>
/// Score changes reach a shared store with the next batch's operations (still one round trip per batch); the local
/// <see cref="ScoreBoard"/> decides at once. Time is record time for state and the <see cref="TimeProvider"/> for alert timing,
/// which <c>numo replay</c> sets to record time.
/// </remarks>
internal sealed class FraudProcessor : IRequestRecordProcessor, IDisposable
{
    private readonly FraudOptions _options;
    private readonly IFraudStateStore _store;
    private readonly ILocalFraudStateStore? _local;
    private readonly ILocalFraudStateStore? _evidence;
    private readonly RiskCache _cache;
    private readonly ScoreBoard _scores;
    private readonly AccessPatternTracker _tracker;
    private readonly FraudDetector[] _detectors;
    private readonly DetectorMode[] _modes;
    private readonly FraudFeedback? _feedback;
    private readonly FraudListBook? _lists;
    private long _listsVersion;
    private readonly DetectionContext _context;
    private readonly AlertDispatcher _alerts;
    private readonly FraudMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly FraudStateBatch _state = new();
    private readonly List<StateOperation> _pendingScores = new();
    private readonly HashSet<SubjectKey> _readScores = new();
    private AccessPlan[] _plans = new AccessPlan[1024];
    private readonly FraudWorkQueue? _work;

    public FraudProcessor(
        IOptions<NumoTelemetryOptions> options,
        IFraudStateStore store,
        RiskCache cache,
        IEnumerable<IAlertSink> sinks,
        FraudMetrics metrics,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        IAlertDeduplicator? deduplicator = null,
        FraudFeedback? feedback = null,
        FraudWorkQueue? work = null)
    {
        _options = options.Value.Fraud;
        _work = work;
        if (work is not null && _options.Enabled)
        {
            work.HasConsumer = true;
        }

        _store = store;
        _cache = cache;
        _metrics = metrics;
        _time = time;
        _logger = loggerFactory.CreateLogger<FraudProcessor>();
        _scores = new ScoreBoard(_options.ScoreHalfLife, Math.Max(1024, _options.RiskCacheSize * 2));
        _tracker = new AccessPatternTracker(_options);
        var detectors = DetectorSet.Create(_options);
        (_detectors, _modes) = (detectors.Detectors, detectors.Modes);
        detectors.AddUnenforcedRules(_scores.Unenforced);
        _feedback = feedback;
        _lists = feedback?.Book;
        _context = new DetectionContext(_options, _scores);
        _alerts = new AlertDispatcher(options.Value.Alerts, _options, sinks, _scores, metrics, _logger, deduplicator);
        _local = store as ILocalFraudStateStore;

        // The in-process store, or a shared store's local view: where verdicts mark evidence and what the gauges report.
        var view = store is ISharedFraudStateStore shared ? shared.LocalView : store;
        _evidence = view as ILocalFraudStateStore;
        if (view is IFraudStateCounts counts)
        {
            metrics.SetStateSource(counts);
        }
    }

    internal ScoreBoard Scores => _scores;

    internal AlertDispatcher Alerts => _alerts;

    public async ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken)
    {
        if (!_options.Enabled || batch.IsEmpty)
        {
            return;
        }

        if (_work is { IsEmpty: false })
        {
            await TakeWorkAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_local is { } local)
        {
            if (ProcessLocal(batch.Span, local))
            {
                await _alerts.TickAsync(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        _state.Clear();
        var pending = AddPendingScores();
        var records = batch.Span;
        Plan(records);
        var reads = _store.IsShared ? AddScoreReads(records) : _state.Count;
        try
        {
            await _store.ApplyAsync(_state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _metrics.Error("state_store");
            Log.FraudStateFailed(_logger, batch.Length, ex.GetType().Name, ex.Message);
            return;
        }

        TakeScores(0, pending);
        TakeScores(reads, _state.Count);
        Detect(batch.Span);
        await _alerts.TickAsync(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The in-process store: plan, apply and detect <see cref="LocalChunk"/> records at a time rather than the whole batch, so
    /// the chunk's operations and results (a few hundred bytes per operation, about 25 operations per record) stay in the
    /// processor's cache between planning, applying and reading; a whole batch of them (megabytes) went out to memory and back.
    /// Same answers: operations are applied in the same order, nothing the detectors read depends on operations of later
    /// records, and the store's sweep still runs once, after the batch's last operation. Returns <see langword="false"/> when
    /// the store failed (the rest of the batch is not judged, as with any store).
    /// </summary>
    private bool ProcessLocal(ReadOnlySpan<RequestRecord> records, ILocalFraudStateStore store)
    {
        for (var start = 0; start < records.Length; start += LocalChunk)
        {
            var chunk = records.Slice(start, Math.Min(LocalChunk, records.Length - start));
            _state.Clear();
            Plan(chunk);

            try
            {
                store.ApplyOperations(_state);
            }
            catch (Exception ex)
            {
                _metrics.Error("state_store");
                Log.FraudStateFailed(_logger, records.Length - start, ex.GetType().Name, ex.Message);
                return false;
            }

            Detect(chunk);
        }

        store.EndBatch();
        return true;
    }

    /// <summary>Plans the state operations of <paramref name="records"/> into the batch state, their plans in <c>_plans</c>.</summary>
    private void Plan(ReadOnlySpan<RequestRecord> records)
    {
        if (_plans.Length < records.Length)
        {
            _plans = new AccessPlan[records.Length];
        }

        for (var i = 0; i < records.Length; i++)
        {
            _plans[i] = _tracker.Plan(in records[i], _state);
        }
    }

    /// <summary>Records planned, applied and judged at once with the in-process store (see <see cref="ProcessLocal"/>).</summary>
    internal const int LocalChunk = 32;

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        if (_work is { IsEmpty: false })
        {
            await TakeWorkAsync(cancellationToken).ConfigureAwait(false);
        }

        // A shared store gets the idle flush even with no score to send, to replay what an outage left behind (see
        // IFraudStateStore.ApplyAsync).
        if (_pendingScores.Count > 0 || _store.IsShared)
        {
            _state.Clear();
            var pending = AddPendingScores();
            try
            {
                await _store.ApplyAsync(_state, cancellationToken).ConfigureAwait(false);
                TakeScores(0, pending);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _metrics.Error("state_store");
                Log.FraudStateFailed(_logger, 0, ex.GetType().Name, ex.Message);
            }
        }

        await _alerts.TickAsync(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Work handed in from outside the pipeline (see <see cref="FraudWorkQueue"/>), run here on the pipeline thread.</summary>
    private async ValueTask TakeWorkAsync(CancellationToken cancellationToken)
    {
        while (_work!.TryDequeue(out var work))
        {
            try
            {
                await work(this, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _metrics.Error("subject_rights");
                Log.SubjectRightsFailed(_logger, "fraud_state", ex.GetType().Name, ex.Message);
            }
        }
    }

    /// <summary>The engine's options.</summary>
    internal FraudOptions Options => _options;

    /// <summary>The engine's metrics.</summary>
    internal FraudMetrics Metrics => _metrics;

    /// <summary>The engine's logger.</summary>
    internal ILogger Logger => _logger;

    /// <summary>The engine's clock.</summary>
    internal TimeProvider Time => _time;

    /// <summary>The highest current score of <paramref name="subjects"/> (pipeline thread).</summary>
    internal double ScoreOf(IReadOnlyList<SubjectKey> subjects, DateTimeOffset now)
    {
        var score = 0.0;
        var reasons = new List<FraudReason>();
        foreach (var subject in subjects)
        {
            score = Math.Max(score, _scores.Snapshot(subject, now, reasons));
        }

        return score;
    }

    /// <summary>
    /// Writes what the engine holds about <paramref name="subjects"/> (pipeline thread): <c>memory</c>, the store's state of each
    /// subject held, and <c>scores</c>, the engine's current scores with their reasons.
    /// </summary>
    internal async ValueTask DescribeSubjectsAsync(IReadOnlyList<SubjectKey> subjects, System.Text.Json.Utf8JsonWriter w, DateTimeOffset now, CancellationToken cancellationToken)
    {
        w.WriteStartArray("memory");
        if (_store is ISubjectStateStore store)
        {
            await store.DescribeSubjectsAsync(subjects, w, cancellationToken).ConfigureAwait(false);
        }

        w.WriteEndArray();
        w.WriteStartArray("scores");
        var reasons = new List<FraudReason>();
        foreach (var subject in subjects)
        {
            var total = _scores.Snapshot(subject, now, reasons);
            if (total <= 0)
            {
                continue;
            }

            w.WriteStartObject();
            w.WriteString("kind", SubjectKey.KindName(subject.Kind));
            w.WriteString("subject", subject.ToString());
            w.WriteNumber("score", Math.Round(total, 1));
            w.WriteStartObject("reasons");
            foreach (var reason in reasons)
            {
                w.WriteNumber(reason.Code, reason.Points);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>
    /// Erases the subjects' state held by the engine and its store (pipeline thread): scores, the risk cache, open alert groups,
    /// pending score changes, the store's state. Returns the store's count of erased entries.
    /// </summary>
    internal async ValueTask<long> EraseSubjectsAsync(IReadOnlyList<SubjectKey> subjects, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var set = new HashSet<SubjectKey>(subjects);
        foreach (var subject in subjects)
        {
            _scores.Forget(subject);
            _cache.Set(subject, 0, null, now);
        }

        _alerts.Forget(set);
        _pendingScores.RemoveAll(op => set.Contains(op.Subject));
        var erased = _store is ISubjectStateStore store ? await store.ForgetSubjectsAsync(set, cancellationToken).ConfigureAwait(false) : 0;
        Log.SubjectStateErased(_logger, set.Count, "erase");
        return erased;
    }

    /// <summary>Sends every open alert group's unsent hits now (end of a replay).</summary>
    internal void FlushAlerts() => _alerts.FlushAll(_time.GetUtcNow());

    /// <summary>At shutdown (after the pipeline drained and flushed): groups still in their group wait are sent within the notification rate; the rest are counted and logged.</summary>
    public void Dispose()
    {
        try
        {
            if (_options.Enabled)
            {
                _alerts.FlushAtShutdown(_time.GetUtcNow());
            }
        }
        catch (Exception ex)
        {
            _metrics.Error("shutdown");
            Log.AlertSinkFailed(_logger, nameof(FraudProcessor), ex.GetType().Name);
        }
    }

    private void Detect(ReadOnlySpan<RequestRecord> records)
    {
        var context = _context;
        var alertScore = _options.AlertScore;
        var lists = ApplyLists(records);
        for (var i = 0; i < records.Length; i++)
        {
            ref readonly var record = ref records[i];
            var pattern = AccessPatternTracker.Read(in record, in _plans[i], _state);
            context.Clear();
            for (var d = 0; d < _detectors.Length; d++)
            {
                var from = context.HitCount;
                try
                {
                    _detectors[d].Evaluate(in record, in pattern, context);
                }
                catch (Exception ex)
                {
                    _metrics.Error("detector");
                    Log.DetectorFailed(_logger, _detectors[d].GetType().Name, ex.GetType().Name, ex.Message);
                }

                if (_modes[d] != DetectorMode.Enforce)
                {
                    context.SetMode(from, _modes[d], _scores.Unenforced, _feedback);
                }
            }

            if (lists is not null)
            {
                Deny(in record, lists);
            }

            var hits = context.Hits;
            for (var h = 0; h < hits.Length; h++)
            {
                ref readonly var hit = ref hits[h];
                if (lists is not null && lists.Allows(hit.Subject, hit.Reason, StateMath.UnixMs(hit.At)))
                {
                    // The fraud team allowed this subject for this rule (or every rule): no points, no alert.
                    _metrics.ListApplied(FraudListKind.Allow, _feedback!.TagRule(hit.Reason));
                    continue;
                }

                Judge(in record, in hit, alertScore);
            }
        }
    }

    /// <summary>Folds a detector hit into its subject's score; a verdict in the alert band raises an alert.</summary>
    private void Judge(in RequestRecord record, in DetectorHit hit, double alertScore)
    {
        var changed = Score(hit.Subject, hit.Reason, hit.Points, hit.At, out var total, hit.Mode);
        if (changed)
        {
            _metrics.Detection(hit.Reason);
        }

        if (hit.Verdict && total >= alertScore && hit.Mode >= DetectorMode.Alert)
        {
            _alerts.Raise(in hit, total, _options.BandOf(total));
        }

        if (hit.Verdict && changed)
        {
            // The subject of a verdict keeps its state over subjects without evidence (a risk factor alone does not:
            // a flood from a hosting network would make every address of it evidence).
            _evidence?.MarkEvidence(hit.Subject);
        }

        if (hit.Verdict && hit.Subject.Kind == SubjectKind.User && _options.AccountRiskShare > 0)
        {
            // Account-level verdicts (takeover, impossible travel, brute force) are judged per account, but the site acts per
            // request: the request's session and visitor carry a share of it, so HttpContext.GetNumoRisk() sees it. No alert.
            var points = hit.Points * _options.AccountRiskShare;
            Score(SubjectKey.From(SubjectKind.Session, record.Session), hit.Reason, points, hit.At, out _, hit.Mode);
            Score(SubjectKey.From(SubjectKind.Visitor, record.Visitor), hit.Reason, points, hit.At, out _, hit.Mode);
        }
    }

    /// <summary>Folds points into a subject's score; publishes a material change to the risk cache (and a shared store).</summary>
    private bool Score(in SubjectKey subject, string reason, double points, DateTimeOffset at, out double total, DetectorMode mode = DetectorMode.Enforce)
    {
        if (subject.IsEmpty || points <= 0)
        {
            total = 0;
            return false;
        }

        var changed = _scores.Add(subject, reason, points, at, out total, out var top, out var enforced);
        if (changed)
        {
            _cache.Set(subject, total, top, at, enforced);

            // A fleet shares enforced points only: another node cannot tell an observed reason in a shared total.
            if (_store.IsShared && mode == DetectorMode.Enforce)
            {
                _pendingScores.Add(new StateOperation { Kind = StateOperationKind.AddScore, Subject = subject, Feature = FraudFeature.Score, At = at, Window = _options.ScoreHalfLife, Reason = reason, Points = points });
            }
        }

        return changed;
    }

    private int AddPendingScores()
    {
        foreach (var op in _pendingScores)
        {
            _state.Add(op);
        }

        _pendingScores.Clear();
        return _state.Count;
    }

    /// <summary>A shared store: read the scores of the batch's subjects too, so other nodes' risk reaches this node.</summary>
    private int AddScoreReads(ReadOnlySpan<RequestRecord> records)
    {
        var start = _state.Count;
        _readScores.Clear();
        for (var i = 0; i < records.Length; i++)
        {
            ref readonly var r = ref records[i];
            AddRead(SubjectKey.From(SubjectKind.Ip, r.Ip), r.Timestamp);
            AddRead(SubjectKey.From(SubjectKind.IpPrefix, r.IpPrefix), r.Timestamp);
            AddRead(SubjectKey.From(SubjectKind.Session, r.Session), r.Timestamp);
            AddRead(SubjectKey.From(SubjectKind.Visitor, r.Visitor), r.Timestamp);
        }

        return start;
    }

    private void AddRead(in SubjectKey subject, DateTimeOffset at)
    {
        if (!subject.IsEmpty && _readScores.Add(subject))
        {
            _state.Add(new StateOperation { Kind = StateOperationKind.AddScore, Subject = subject, Feature = FraudFeature.Score, At = at, Window = _options.ScoreHalfLife });
        }
    }

    private void TakeScores(int from, int to)
    {
        var operations = _state.Operations;
        var results = _state.Results;
        for (var i = from; i < to; i++)
        {
            ref readonly var op = ref operations[i];
            if (op.Kind != StateOperationKind.AddScore || results[i].Score <= 0)
            {
                continue;
            }

            if (_lists?.Current.Find(op.Subject) is { } allowed && allowed.Allows(results[i].TopReason, StateMath.UnixMs(op.At)))
            {
                continue; // allowed for every rule, or for the rule the shared total is made of
            }

            _scores.SetExternal(op.Subject, results[i].Score, op.At);
            var total = _scores.Current(op.Subject, op.At, out var top, out var enforced);
            _cache.Set(op.Subject, total, results[i].TopReason ?? top, op.At, enforced);
        }
    }

    /// <summary>
    /// Once per batch: expired entries go; a change of the lists since the last batch takes allowed rules out of subjects'
    /// scores (republished to the hot path) and closes their alert groups. Returns the lists, or <see langword="null"/> when empty.
    /// </summary>
    private FraudListSnapshot? ApplyLists(ReadOnlySpan<RequestRecord> records)
    {
        if (_lists is null || records.IsEmpty)
        {
            return null;
        }

        var at = records[^1].Timestamp;
        _feedback!.Sweep(_time.GetUtcNow());
        var lists = _lists.Current;
        if (lists.Version != _listsVersion)
        {
            _listsVersion = lists.Version;
            var atMs = StateMath.UnixMs(at);
            foreach (var held in lists.Entries)
            {
                if (held.Entry.List != FraudListKind.Allow || held.UntilMs <= atMs)
                {
                    continue;
                }

                _alerts.Forget(held.Subject, held.Entry.Rule);
                if (_scores.Remove(held.Subject, held.Entry.Rule))
                {
                    var total = _scores.Current(held.Subject, at, out var top, out var enforced);
                    _cache.Set(held.Subject, total, top, at, enforced);
                }
            }
        }

        return lists.IsEmpty ? null : lists;
    }

    /// <summary>A request of a denied subject: counted, and a <see cref="ReasonCodes.DenyList"/> alert (grouped like any other).</summary>
    private void Deny(in RequestRecord record, FraudListSnapshot lists)
    {
        var atMs = StateMath.UnixMs(record.Timestamp);
        DenySubject(SubjectKey.From(SubjectKind.Ip, record.Ip), record.Timestamp, atMs, lists);
        DenySubject(SubjectKey.From(SubjectKind.IpPrefix, record.IpPrefix), record.Timestamp, atMs, lists);
        DenySubject(SubjectKey.From(SubjectKind.Session, record.Session), record.Timestamp, atMs, lists);
        DenySubject(SubjectKey.From(SubjectKind.Visitor, record.Visitor), record.Timestamp, atMs, lists);
        DenySubject(SubjectKey.From(SubjectKind.User, record.User), record.Timestamp, atMs, lists);
    }

    private void DenySubject(in SubjectKey subject, DateTimeOffset at, long atMs, FraudListSnapshot lists)
    {
        if (lists.Find(subject) is not { } entries || !entries.Denied(atMs))
        {
            return;
        }

        _metrics.ListApplied(FraudListKind.Deny, ReasonCodes.DenyList);
        var evidence = default(Evidence);
        evidence.Add("list", "deny");
        evidence.Add("entry", entries.DenyEntryId);
        evidence.Add("deniedFor", entries.DenyRule);
        var hit = new DetectorHit { Subject = subject, Reason = ReasonCodes.DenyList, Points = _options.PageScore, Verdict = true, At = at, Evidence = evidence, Mode = DetectorMode.Enforce };
        var score = Math.Max(_options.PageScore, _scores.Snapshot(subject, at, _denyReasons));
        _alerts.Raise(in hit, score, RiskBand.Page);
    }

    private readonly List<FraudReason> _denyReasons = new();
}
