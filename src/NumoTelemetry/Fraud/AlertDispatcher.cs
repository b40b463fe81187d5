using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Internal;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud;

/// <summary>
/// Groups detector verdicts per subject and rule and decides when to notify, Alertmanager-style (group wait, group interval,
/// repeat interval), within a bound on open groups and a global notification rate. Time is the caller's (record time in replay).
/// Single-threaded (the pipeline thread).
/// </summary>
internal sealed class AlertDispatcher
{
    private readonly AlertOptions _options;
    private readonly FraudOptions _fraud;
    private readonly IAlertSink[] _sinks;
    private readonly ScoreBoard _scores;
    private readonly FraudMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IAlertDeduplicator? _deduplicator;
    private readonly Dictionary<GroupKey, Group> _groups = new();
    private readonly List<FraudReason> _reasons = new();
    private readonly List<GroupKey> _expired = new();
    private readonly List<FraudAlert> _outbox = new();
    private bool[] _claimed = [];
    private readonly long _waitMs;
    private readonly long _intervalMs;
    private readonly long _repeatMs;
    private readonly long _idleMs; // a sent group idle this long is dropped
    private readonly int _perMinute; // notifications a minute (the token rate and bucket size)
    private readonly int _maxGroups; // open groups at most
    private long _earliestDueMs = long.MaxValue;
    private long _expiryNotBeforeMs = long.MaxValue; // no open group can expire before this time (a lower bound)
    private long _lastScanMs;
    private double _tokens;
    private long _tokensAtMs;

    public AlertDispatcher(AlertOptions options, FraudOptions fraud, IEnumerable<IAlertSink> sinks, ScoreBoard scores, FraudMetrics metrics, ILogger logger, IAlertDeduplicator? deduplicator = null)
    {
        _deduplicator = deduplicator;
        _options = options;
        _fraud = fraud;
        _sinks = [.. sinks];
        _scores = scores;
        _metrics = metrics;
        _logger = logger;
        _waitMs = (long)options.GroupWait.TotalMilliseconds;
        _intervalMs = (long)options.GroupInterval.TotalMilliseconds;
        _repeatMs = (long)options.RepeatInterval.TotalMilliseconds;
        _idleMs = Math.Max(_repeatMs, 2 * _intervalMs);
        _perMinute = Math.Max(1, options.MaxNotificationsPerMinute);
        _maxGroups = Math.Max(1, options.MaxGroups);
        _tokens = _perMinute;
    }

    public int OpenGroups => _groups.Count;

    /// <summary>How many times the open groups were searched for idle ones (each search reads every open group).</summary>
    internal long ExpirySearches { get; private set; }

    /// <summary>Drops the open alert groups of <paramref name="subjects"/> (a subject's erasure): their hits are never sent.</summary>
    public int Forget(IReadOnlySet<SubjectKey> subjects)
    {
        _expired.Clear();
        foreach (var key in _groups.Keys)
        {
            if (subjects.Contains(key.Subject))
            {
                _expired.Add(key);
            }
        }

        foreach (var key in _expired)
        {
            _groups.Remove(key);
        }

        var dropped = _expired.Count;
        _expired.Clear();
        return dropped;
    }

    /// <summary>Adds a verdict to its group (creating the group, if there is room).</summary>
    public void Raise(in DetectorHit hit, double score, RiskBand band)
    {
        if (!_options.Enabled)
        {
            return;
        }

        var atMs = StateMath.UnixMs(hit.At);
        var key = new GroupKey(hit.Subject, hit.Reason);
        if (!_groups.TryGetValue(key, out var group))
        {
            if (_groups.Count >= _maxGroups)
            {
                Expire(atMs);
                if (_groups.Count >= _maxGroups)
                {
                    _metrics.AlertDropped("groups_full");
                    return;
                }
            }

            group = new Group(hit.Subject, hit.Reason, hit.At);
            _groups.Add(key, group);
            group.DueMs = atMs + _waitMs;
        }

        group.Count++;
        group.LastSeen = hit.At > group.LastSeen ? hit.At : group.LastSeen;
        group.Score = score;
        group.Band = band > group.Band ? band : group.Band;
        group.Evidence = hit.Evidence;

        if (group.DueMs == long.MaxValue && group.Sent > 0
            && (group.Band > group.SentBand || group.Count >= 2 * group.SentCount))
        {
            group.DueMs = Math.Max(atMs, group.SentMs + _intervalMs);
        }

        if (group.DueMs < _earliestDueMs)
        {
            _earliestDueMs = group.DueMs;
        }
    }

    /// <summary>
    /// Closes the open groups of <paramref name="subject"/> for <paramref name="rule"/> (every rule when <see langword="null"/>),
    /// unsent hits included: the fraud team allowed the subject.
    /// </summary>
    public void Forget(in SubjectKey subject, string? rule)
    {
        if (rule is not null)
        {
            _groups.Remove(new GroupKey(subject, rule));
            return;
        }

        foreach (var key in _groups.Keys)
        {
            if (key.Subject == subject)
            {
                _expired.Add(key);
            }
        }

        foreach (var key in _expired)
        {
            _groups.Remove(key);
        }

        _expired.Clear();
    }

    /// <summary>Sends what is due at <paramref name="now"/>; repeats unchanged groups that still fire; closes idle groups.</summary>
    public void Tick(DateTimeOffset now)
    {
        Scan(StateMath.UnixMs(now), flushAll: false);
        DrainOutbox();
    }

    /// <summary>
    /// The same; with a de-duplicator, every alert due is claimed in one asynchronous call (one round trip for a fleet), so the
    /// pipeline thread never blocks on the network.
    /// </summary>
    public ValueTask TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        Scan(StateMath.UnixMs(now), flushAll: false);
        return _outbox.Count == 0 ? ValueTask.CompletedTask : DrainOutboxAsync(cancellationToken);
    }

    /// <summary>Sends every group with unsent hits now, ignoring waits and the rate (end of a replay: every alert is output).</summary>
    public void FlushAll(DateTimeOffset now)
    {
        Scan(StateMath.UnixMs(now), flushAll: true);
        DrainOutbox();
    }

    /// <summary>
    /// At shutdown: sends groups with unsent hits now, ignoring their waits but not the notification rate — the highest band and score
    /// first, as many as the rate's bucket holds. The rest are dropped, counted (metric reason <c>shutdown_rate</c>) and summarised in one
    /// log warning, so a shutdown during an attack cannot flood the sinks (and overflow the webhook queue). Returns how many were dropped.
    /// </summary>
    public int FlushAtShutdown(DateTimeOffset now)
    {
        if (_groups.Count == 0)
        {
            return 0;
        }

        var nowMs = StateMath.UnixMs(now);
        var pending = new List<Group>();
        foreach (var group in _groups.Values)
        {
            if (group.DueMs != long.MaxValue || group.Count > group.SentCount)
            {
                pending.Add(group);
            }
        }

        pending.Sort(static (a, b) => a.Band != b.Band ? b.Band.CompareTo(a.Band) : b.Score.CompareTo(a.Score));
        var dropped = 0;
        Dictionary<string, int>? droppedByRule = null;
        foreach (var group in pending)
        {
            if (TakeToken(nowMs))
            {
                Notify(group, nowMs);
                continue;
            }

            dropped++;
            Settle(group);
            _metrics.AlertDropped("shutdown_rate");
            droppedByRule ??= new Dictionary<string, int>(StringComparer.Ordinal);
            droppedByRule[group.Rule] = droppedByRule.TryGetValue(group.Rule, out var n) ? n + 1 : 1;
        }

        DrainOutbox();

        if (dropped > 0)
        {
            var rules = new StringBuilder();
            foreach (var (rule, count) in droppedByRule!)
            {
                rules.Append(rules.Length == 0 ? string.Empty : ", ").Append(rule).Append(' ').Append(count);
            }

            Log.AlertsDroppedAtShutdown(_logger, dropped, _perMinute, rules.ToString());
        }

        return dropped;
    }

    private void Scan(long nowMs, bool flushAll)
    {
        if (!flushAll && nowMs < _earliestDueMs && nowMs - _lastScanMs < 60_000)
        {
            return;
        }

        _lastScanMs = nowMs;
        _earliestDueMs = long.MaxValue;
        var outOfTokens = false;
        foreach (var group in _groups.Values)
        {
            if (group.DueMs == long.MaxValue && group.Sent > 0 && group.LastSeenMs >= nowMs - _intervalMs && nowMs >= group.SentMs + _repeatMs)
            {
                group.DueMs = nowMs; // still firing, unchanged: repeat
            }

            var due = flushAll ? group.DueMs != long.MaxValue || group.Count > group.SentCount : group.DueMs <= nowMs;
            if (due)
            {
                if (flushAll || (!outOfTokens && TakeToken(nowMs)))
                {
                    Notify(group, nowMs);
                }
                else
                {
                    outOfTokens = true;
                    if (!group.Deferred)
                    {
                        group.Deferred = true;
                        _metrics.AlertDeferred();
                    }
                }
            }

            if (group.DueMs < _earliestDueMs)
            {
                _earliestDueMs = group.DueMs;
            }
        }

        if (outOfTokens)
        {
            // Nothing more can be sent before the next token: a backlog of due groups is not searched on every tick.
            _earliestDueMs = Math.Max(_earliestDueMs, NextTokenMs());
        }

        Expire(nowMs);
    }

    /// <summary>
    /// Drops the groups idle for longer than the repeat interval (and twice the group interval). A group's last hit only
    /// moves forward, so no group can expire before the earliest last hit's expiry: until then there is nothing to search,
    /// and a flood of hits from new subjects while the groups are full costs a comparison each, not a search of every group.
    /// </summary>
    private void Expire(long nowMs)
    {
        if (nowMs < _expiryNotBeforeMs)
        {
            return;
        }

        ExpirySearches++;
        var notBefore = long.MaxValue;
        foreach (var (key, group) in _groups)
        {
            if (group.DueMs != long.MaxValue)
            {
                continue; // waits to be sent; lowers the bound when it has been (Settle)
            }

            var expiry = ExpiryOf(group.LastSeenMs);
            if (nowMs >= expiry)
            {
                _expired.Add(key);
            }
            else
            {
                notBefore = Math.Min(notBefore, expiry);
            }
        }

        foreach (var key in _expired)
        {
            _groups.Remove(key);
        }

        _expired.Clear();
        _expiryNotBeforeMs = notBefore;
    }

    /// <summary>Marks <paramref name="group"/> as having nothing to send, which makes it one that can expire.</summary>
    private void Settle(Group group)
    {
        group.DueMs = long.MaxValue;
        _expiryNotBeforeMs = Math.Min(_expiryNotBeforeMs, ExpiryOf(group.LastSeenMs));
    }

    /// <summary>When a group last hit at <paramref name="lastSeenMs"/> becomes idle enough to drop.</summary>
    private long ExpiryOf(long lastSeenMs) => lastSeenMs > long.MaxValue - _idleMs - 1 ? long.MaxValue : lastSeenMs + _idleMs + 1;

    private bool TakeToken(long nowMs)
    {
        if (nowMs > _tokensAtMs)
        {
            _tokens = Math.Min(_perMinute, _tokens + ((nowMs - _tokensAtMs) * _perMinute / 60_000.0));
            _tokensAtMs = nowMs;
        }

        if (_tokens < 1)
        {
            return false;
        }

        _tokens--;
        return true;
    }

    /// <summary>When the rate gives the next whole token (after a <see cref="TakeToken"/> that found none).</summary>
    private long NextTokenMs() => _tokensAtMs + (long)Math.Ceiling((1 - _tokens) * 60_000.0 / _perMinute);

    private void Notify(Group group, long nowMs)
    {
        var score = _scores.Snapshot(group.Subject, group.LastSeen, _reasons);
        score = Math.Max(score, group.Score);
        var band = _fraud.BandOf(score);
        if (band < RiskBand.Alert)
        {
            band = group.Band;
        }

        if (group.Rule == ReasonCodes.DenyList && !_reasons.Exists(static r => r.Code == ReasonCodes.DenyList))
        {
            _reasons.Insert(0, new FraudReason(ReasonCodes.DenyList, Math.Round(_fraud.PageScore, 1)));
        }

        group.Sent++;
        var evidence = new List<KeyValuePair<string, object>>(group.Evidence.Count);
        for (var i = 0; i < group.Evidence.Count; i++)
        {
            var item = group.Evidence[i];
            evidence.Add(new KeyValuePair<string, object>(item.Name, item.Text ?? (object)item.Value));
        }

        var alert = new FraudAlert(
            group.Id,
            group.Rule,
            band,
            score,
            SubjectKey.KindName(group.Subject.Kind),
            group.Subject.ToString(),
            group.FirstSeen,
            group.LastSeen,
            group.Count,
            [.. _reasons],
            evidence,
            group.Sent);
        group.SentMs = nowMs;
        group.SentCount = group.Count;
        group.SentBand = band;
        group.Deferred = false;
        Settle(group);
        if (_deduplicator is not null)
        {
            _outbox.Add(alert); // claimed with the others due now, then published
            return;
        }

        Publish(alert);
    }

    /// <summary>Claims the alerts due (synchronously: shutdown, replay, <see cref="Tick"/>) and publishes those claimed.</summary>
    private void DrainOutbox()
    {
        for (var i = 0; i < _outbox.Count; i++)
        {
            PublishIfClaimed(_outbox[i], Claim(_outbox[i]));
        }

        _outbox.Clear();
    }

    private async ValueTask DrainOutboxAsync(CancellationToken cancellationToken)
    {
        if (_claimed.Length < _outbox.Count)
        {
            _claimed = new bool[Math.Max(_outbox.Count, 2 * _claimed.Length)];
        }

        try
        {
            await _deduplicator!.ClaimAsync(_outbox, _claimed, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _metrics.Error("alert_dedup");
            Log.AlertSinkFailed(_logger, _deduplicator!.GetType().Name, ex.GetType().Name);
            Array.Fill(_claimed, true, 0, _outbox.Count); // a duplicate is better than a lost alert
        }

        for (var i = 0; i < _outbox.Count; i++)
        {
            PublishIfClaimed(_outbox[i], _claimed[i]);
        }

        _outbox.Clear();
    }

    private void PublishIfClaimed(FraudAlert alert, bool claimed)
    {
        if (!claimed)
        {
            _metrics.AlertDropped("fleet_duplicate"); // another node of the fleet notifies for this subject and rule
            return;
        }

        Publish(alert);
    }

    private void Publish(FraudAlert alert)
    {
        _metrics.AlertNotified(alert.Rule, alert.Severity);
        for (var i = 0; i < _sinks.Length; i++)
        {
            try
            {
                _sinks[i].Publish(alert);
            }
            catch (Exception ex)
            {
                _metrics.AlertDelivery(_sinks[i].GetType().Name, "error");
                Log.AlertSinkFailed(_logger, _sinks[i].GetType().Name, ex.GetType().Name);
            }
        }
    }

    private bool Claim(FraudAlert alert)
    {
        try
        {
            return _deduplicator!.TryClaim(alert);
        }
        catch (Exception ex)
        {
            _metrics.Error("alert_dedup");
            Log.AlertSinkFailed(_logger, _deduplicator!.GetType().Name, ex.GetType().Name);
            return true;
        }
    }

    private readonly record struct GroupKey(SubjectKey Subject, string Rule);

    private sealed class Group(SubjectKey subject, string rule, DateTimeOffset firstSeen)
    {
        public SubjectKey Subject { get; } = subject;

        public string Rule { get; } = rule;

        public DateTimeOffset FirstSeen { get; } = firstSeen;

        public string Id { get; } = MakeId(subject, rule, firstSeen);

        public DateTimeOffset LastSeen { get; set; } = firstSeen;

        public long LastSeenMs => StateMath.UnixMs(LastSeen);

        public long Count { get; set; }

        public double Score { get; set; }

        public RiskBand Band { get; set; }

        public Evidence Evidence { get; set; }

        public long DueMs { get; set; } = long.MaxValue;

        public int Sent { get; set; }

        public long SentMs { get; set; }

        public long SentCount { get; set; }

        public RiskBand SentBand { get; set; }

        /// <summary>Whether the notification due now was held back by the rate (counted once until it is sent).</summary>
        public bool Deferred { get; set; }

        /// <summary>A stable id: the same subject, rule and first hit always give the same id (deterministic replays).</summary>
        private static string MakeId(SubjectKey subject, string rule, DateTimeOffset firstSeen)
        {
            var text = $"{SubjectKey.KindName(subject.Kind)}|{subject}|{rule}|{StateMath.UnixMs(firstSeen)}";
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
            return "al_" + Base64Url.EncodeToString(hash[..15]);
        }
    }
}
