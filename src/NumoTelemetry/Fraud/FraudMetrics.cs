using System.Diagnostics.Metrics;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Fraud;

/// <summary>
/// Fraud instruments (and, inherited, the alert delivery ones) on the <c>NumoTelemetry</c> meter. Tags are reason codes, severities, sink names and outcomes:
/// bounded sets, never a pseudonym.
/// </summary>
internal sealed class FraudMetrics : AlertMetrics
{
    private readonly Counter<long> _detections;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _falsePositives;
    private readonly Counter<long> _confirmed;
    private readonly Counter<long> _listChanges;
    private readonly Counter<long> _listApplied;
    private readonly Counter<long> _subjectRights;
    private Feedback.FraudListBook? _lists;
    private IFraudStateCounts? _state;

    public FraudMetrics(IMeterFactory meterFactory)
        : base(meterFactory)
    {
        var meter = Meter;
        _detections = meter.CreateCounter<long>("numo.fraud.detections", unit: "{detection}", description: "Detector hits that raised a subject's score, by reason code.");
        _errors = meter.CreateCounter<long>("numo.fraud.errors", unit: "{error}", description: "Fraud detection failures, by stage (state store, detector). A failure never fails a request.");
        _falsePositives = meter.CreateCounter<long>("numo.fraud.false_positives", unit: "{mark}", description: "Alerts the fraud team marked a false positive, by rule: which detectors misfire.");
        _confirmed = meter.CreateCounter<long>("numo.fraud.confirmed", unit: "{mark}", description: "Alerts the fraud team confirmed as fraud, by rule.");
        _listChanges = meter.CreateCounter<long>("numo.fraud.list.changes", unit: "{entry}", description: "Allow-list and deny-list changes, by list and action (add, remove, expire, load_skipped).");
        _listApplied = meter.CreateCounter<long>("numo.fraud.list.applied", unit: "{hit}", description: "Allow-list and deny-list entries applied: detector hits an allow entry dropped, requests of denied subjects; by list and rule.");
        meter.CreateObservableGauge("numo.fraud.list.entries", ObserveLists, unit: "{entry}", description: "Allow-list and deny-list entries held, by list.");
        _subjectRights = meter.CreateCounter<long>("numo.subject_rights.account_closures", unit: "{account}", description: "Account closures taken by the fraud engine, by outcome (account_closed: its fraud state erased; held: kept under the legal hold).");
        meter.CreateObservableGauge("numo.fraud.subjects", () => (long)(_state?.SubjectCount ?? 0), unit: "{subject}", description: "Subjects held by the in-memory fraud state.");
        meter.CreateObservableGauge("numo.fraud.subjects.memory", () => _state?.HeldBytes ?? 0, unit: "By", description: "Bytes the subjects of the in-memory fraud state hold (slots, feature blocks, sketches), bounded by Fraud:MaxStateBytes.");
        meter.CreateObservableCounter("numo.fraud.subjects.evicted", ObserveEvictions, unit: "{subject}", description: "Subjects the in-memory fraud state let go: expired, or evicted over its bounds (Fraud:MaxSubjects, Fraud:MaxStateBytes) by class (new, new-evidence, repeat, evidence; cheapest first), or heavy (over Fraud:MaxStateBytes, addresses, prefixes, sessions and visitors holding heavy distinct counts first).");
    }

    public void SetListSource(Feedback.FraudListBook lists) => _lists = lists;

    private IEnumerable<Measurement<long>> ObserveLists()
    {
        if (_lists is not { } lists)
        {
            return [];
        }

        var (allow, deny) = lists.Counts;
        return
        [
            new(allow, new KeyValuePair<string, object?>("numo.list", "allow")),
            new(deny, new KeyValuePair<string, object?>("numo.list", "deny")),
        ];
    }

    public void FalsePositive(string rule) => _falsePositives.Add(1, new KeyValuePair<string, object?>("numo.rule", rule));

    public void Confirmed(string rule) => _confirmed.Add(1, new KeyValuePair<string, object?>("numo.rule", rule));

    public void ListChanged(Feedback.FraudListKind list, string action) =>
        _listChanges.Add(1, new KeyValuePair<string, object?>("numo.list", Feedback.FraudFeedback.ListName(list)), new KeyValuePair<string, object?>("numo.action", action));

    public void ListApplied(Feedback.FraudListKind list, string rule)
    {
        if (_listApplied.Enabled)
        {
            _listApplied.Add(1, new KeyValuePair<string, object?>("numo.list", Feedback.FraudFeedback.ListName(list)), new KeyValuePair<string, object?>("numo.rule", rule));
        }
    }

    /// <summary>The store whose subjects held and let go the gauges report (a bounded in-process store).</summary>
    public void SetStateSource(IFraudStateCounts state) => _state = state;

    private IEnumerable<Measurement<long>> ObserveEvictions()
    {
        // Read on the collector's thread while the pipeline thread writes: each count is one aligned long (a torn read is
        // impossible on a 64-bit process; a count a batch behind is fine).
        if (_state is not { } store)
        {
            return [];
        }

        return
        [
            new(store.Expired, new KeyValuePair<string, object?>("numo.class", "expired")),
            Evicted(store, EvictionClass.New),
            Evicted(store, EvictionClass.Repeat),
            Evicted(store, EvictionClass.Evidence),
            Evicted(store, EvictionClass.NewEvidence),
            new(store.EvictedHeavy, new KeyValuePair<string, object?>("numo.class", "heavy")),
        ];

        static Measurement<long> Evicted(IFraudStateCounts store, EvictionClass evictionClass) =>
            new(store.EvictedOverBound(evictionClass), new KeyValuePair<string, object?>("numo.class", EvictionClasses.Tag(evictionClass)));
    }

    public void Detection(string reason) => _detections.Add(1, new KeyValuePair<string, object?>("numo.reason", reason));

    public void SubjectRights(string outcome) => _subjectRights.Add(1, new KeyValuePair<string, object?>("numo.outcome", outcome));

    public void Error(string stage) => _errors.Add(1, new KeyValuePair<string, object?>("numo.stage", stage));
}
