using System.Runtime.InteropServices;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud;

/// <summary>
/// The engine's local view of risk scores: per subject, one decaying value per reason (the store contract's arithmetic:
/// <c>v = max(v·2^(-Δt/H), points)</c>, total = Σ v). Holds only subjects that have been hit; bounded, swept of
/// subjects whose score has decayed away. Single-threaded (the pipeline thread).
/// </summary>
internal sealed class ScoreBoard
{
    private const double Forgotten = 0.5;
    private readonly Dictionary<SubjectKey, Entry> _entries = new();
    private readonly double _halfLifeMs;
    private readonly int _maxEntries;
    private long _lastSweepMs;

    public ScoreBoard(TimeSpan halfLife, int maxEntries)
    {
        _halfLifeMs = Math.Max(1, halfLife.TotalMilliseconds);
        _maxEntries = Math.Max(16, maxEntries);
    }

    public int Count => _entries.Count;

    /// <summary>Reasons whose points are not enforced (detectors in <c>Observe</c> or <c>Alert</c> mode); empty by default.</summary>
    public HashSet<string> Unenforced { get; } = new(StringComparer.Ordinal);

    public double HalfLifeMs => _halfLifeMs;

    /// <summary>
    /// Raises <paramref name="reason"/> of <paramref name="subject"/> to <paramref name="points"/>. Returns whether that changed the
    /// score materially (a new reason, or one that had decayed below 90% of the points): only then is the store told.
    /// </summary>
    public bool Add(in SubjectKey subject, string reason, double points, DateTimeOffset at, out double total, out string? topReason) =>
        Add(subject, reason, points, at, out total, out topReason, out _);

    /// <summary>The same, with the part of the total that is enforced (reasons not in <see cref="Unenforced"/>, and a shared store's total).</summary>
    public bool Add(in SubjectKey subject, string reason, double points, DateTimeOffset at, out double total, out string? topReason, out double enforced)
    {
        var atMs = StateMath.UnixMs(at);
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, subject, out _);
        entry ??= new Entry();
        entry.DecayTo(atMs, _halfLifeMs);
        var changed = entry.Raise(reason, points);
        total = entry.Total(out topReason);
        enforced = Unenforced.Count == 0 ? total : entry.Enforced(Unenforced);
        if (total < entry.External)
        {
            total = entry.External;
        }

        if (enforced < entry.External)
        {
            enforced = entry.External;
        }

        MaybeSweep(atMs);
        return changed;
    }

    /// <summary>Takes a total from a shared store (other nodes' contributions) when it is higher than the local one.</summary>
    public void SetExternal(in SubjectKey subject, double score, DateTimeOffset at)
    {
        if (score <= 0)
        {
            return;
        }

        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, subject, out _);
        entry ??= new Entry();
        entry.DecayTo(StateMath.UnixMs(at), _halfLifeMs);
        entry.External = Math.Max(entry.External, score);
    }

    /// <summary>
    /// Takes <paramref name="reason"/> (every reason when <see langword="null"/>, and a shared store's total then too) out of a
    /// subject's score: the fraud team allowed it. Returns whether the subject had a score.
    /// </summary>
    public bool Remove(in SubjectKey subject, string? reason)
    {
        if (!_entries.TryGetValue(subject, out var entry))
        {
            return false;
        }

        if (reason is null)
        {
            _entries.Remove(subject);
            return true;
        }

        entry.Clear(reason);
        return true;
    }

    /// <summary>The decayed total, enforced part and top reason of a subject at <paramref name="at"/> (after <see cref="Remove"/>, to publish).</summary>
    public double Current(in SubjectKey subject, DateTimeOffset at, out string? topReason, out double enforced)
    {
        topReason = null;
        enforced = 0;
        if (!_entries.TryGetValue(subject, out var entry))
        {
            return 0;
        }

        entry.DecayTo(StateMath.UnixMs(at), _halfLifeMs);
        var total = entry.Total(out topReason);
        enforced = Math.Max(Unenforced.Count == 0 ? total : entry.Enforced(Unenforced), entry.External);
        return Math.Max(total, entry.External);
    }

    /// <summary>Forgets a subject's score (a subject's erasure); returns whether it had one.</summary>
    public bool Forget(in SubjectKey subject) => _entries.Remove(subject);

    /// <summary>The decayed value of one reason of a subject.</summary>
    public double ValueOf(in SubjectKey subject, string reason, DateTimeOffset at)
    {
        if (!_entries.TryGetValue(subject, out var entry))
        {
            return 0;
        }

        var value = entry.Get(reason);
        return StateMath.Decay(value, StateMath.UnixMs(at) - entry.UpdatedMs, _halfLifeMs);
    }

    /// <summary>The decayed total and reasons of a subject, largest first (allocates: for alerts only).</summary>
    public double Snapshot(in SubjectKey subject, DateTimeOffset at, List<FraudReason> reasons)
    {
        reasons.Clear();
        if (!_entries.TryGetValue(subject, out var entry))
        {
            return 0;
        }

        var elapsed = StateMath.UnixMs(at) - entry.UpdatedMs;
        double total = 0;
        for (var i = 0; i < entry.Count; i++)
        {
            var value = StateMath.Decay(entry.Values[i], elapsed, _halfLifeMs);
            if (value >= Forgotten)
            {
                total += value;
                reasons.Add(new FraudReason(entry.Reasons[i]!, Math.Round(value, 1)));
            }
        }

        reasons.Sort(static (a, b) => b.Points.CompareTo(a.Points));
        return Math.Max(total, StateMath.Decay(entry.External, elapsed, _halfLifeMs));
    }

    private void MaybeSweep(long nowMs)
    {
        if (_entries.Count <= _maxEntries && nowMs - _lastSweepMs < 60_000)
        {
            return;
        }

        _lastSweepMs = nowMs;
        foreach (var (key, entry) in _entries)
        {
            entry.DecayTo(nowMs, _halfLifeMs);
            if (entry.Total(out _) < Forgotten && entry.External < Forgotten)
            {
                _entries.Remove(key);
            }
        }

        if (_entries.Count > _maxEntries)
        {
            // Still over: drop the weakest half.
            var threshold = 0.0;
            foreach (var entry in _entries.Values)
            {
                threshold += entry.Total(out _);
            }

            threshold /= _entries.Count;
            foreach (var (key, entry) in _entries)
            {
                if (entry.Total(out _) <= threshold)
                {
                    _entries.Remove(key);
                }
            }
        }
    }

    private sealed class Entry
    {
        public string?[] Reasons = new string?[2];
        public double[] Values = new double[2];
        public int Count;
        public long UpdatedMs;
        public double External;

        public void DecayTo(long atMs, double halfLifeMs)
        {
            if (atMs <= UpdatedMs)
            {
                return;
            }

            if (UpdatedMs != 0)
            {
                var elapsed = atMs - UpdatedMs;
                for (var i = 0; i < Count; i++)
                {
                    Values[i] = StateMath.Decay(Values[i], elapsed, halfLifeMs);
                }

                External = StateMath.Decay(External, elapsed, halfLifeMs);
            }

            UpdatedMs = atMs;
        }

        public double Get(string reason)
        {
            for (var i = 0; i < Count; i++)
            {
                if (ReferenceEquals(Reasons[i], reason) || string.Equals(Reasons[i], reason, StringComparison.Ordinal))
                {
                    return Values[i];
                }
            }

            return 0;
        }

        public bool Raise(string reason, double points)
        {
            for (var i = 0; i < Count; i++)
            {
                if (ReferenceEquals(Reasons[i], reason) || string.Equals(Reasons[i], reason, StringComparison.Ordinal))
                {
                    var before = Values[i];
                    Values[i] = Math.Max(before, points);
                    return before < points * 0.9;
                }
            }

            if (Count == Reasons.Length)
            {
                Array.Resize(ref Reasons, Count * 2);
                Array.Resize(ref Values, Count * 2);
            }

            Reasons[Count] = reason;
            Values[Count++] = points;
            return true;
        }

        public void Clear(string reason)
        {
            for (var i = 0; i < Count; i++)
            {
                if (string.Equals(Reasons[i], reason, StringComparison.Ordinal))
                {
                    Values[i] = 0;
                }
            }

            External = 0; // the shared total included it; the store's next read brings the rest back
        }

        public double Enforced(HashSet<string> unenforced)
        {
            double total = 0;
            for (var i = 0; i < Count; i++)
            {
                if (!unenforced.Contains(Reasons[i]!))
                {
                    total += Values[i];
                }
            }

            return total;
        }

        public double Total(out string? topReason)
        {
            double total = 0;
            double top = 0;
            topReason = null;
            for (var i = 0; i < Count; i++)
            {
                total += Values[i];
                if (Values[i] > top)
                {
                    top = Values[i];
                    topReason = Reasons[i];
                }
            }

            return total;
        }
    }
}
