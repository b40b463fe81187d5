using System.Collections.Frozen;
using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Fraud.Feedback;

/// <summary>
/// This process's copy of the allow and deny lists: the entries by id (writers take a lock; changes are rare) and the
/// <see cref="FraudListSnapshot"/> the hot path reads without one. Bounded by <see cref="FraudOptions.MaxListEntries"/>.
/// </summary>
internal sealed class FraudListBook
{
    private readonly object _gate = new();
    private readonly Dictionary<string, FraudListSnapshot.HeldEntry> _entries = new(StringComparer.Ordinal);
    private readonly int _max;
    private FraudListSnapshot _snapshot = FraudListSnapshot.Empty;
    private long _version;

    public FraudListBook(int maxEntries)
    {
        _max = Math.Max(1, maxEntries);
    }

    /// <summary>The current snapshot (lock-free).</summary>
    public FraudListSnapshot Current => Volatile.Read(ref _snapshot);

    public int Capacity => _max;

    /// <summary>Entries held per list (the metrics' gauge).</summary>
    public (int Allow, int Deny) Counts
    {
        get
        {
            var entries = Current.Entries;
            int allow = 0, deny = 0;
            foreach (var held in entries)
            {
                if (held.Entry.List == FraudListKind.Allow)
                {
                    allow++;
                }
                else
                {
                    deny++;
                }
            }

            return (allow, deny);
        }
    }

    /// <summary>Whether an entry with <paramref name="id"/> is held.</summary>
    public bool Contains(string id)
    {
        lock (_gate)
        {
            return _entries.ContainsKey(id);
        }
    }

    /// <summary>Adds or replaces an entry; <see langword="false"/> when the book is full and <paramref name="entry"/> is new.</summary>
    public bool Put(FraudListEntry entry, in SubjectKey subject)
    {
        lock (_gate)
        {
            if (!_entries.ContainsKey(entry.Id) && _entries.Count >= _max)
            {
                return false;
            }

            _entries[entry.Id] = new FraudListSnapshot.HeldEntry(entry, subject, UntilMs(entry));
            Publish();
            return true;
        }
    }

    /// <summary>Removes an entry; the entry removed, or <see langword="null"/>.</summary>
    public FraudListEntry? Remove(string id)
    {
        lock (_gate)
        {
            if (!_entries.Remove(id, out var held))
            {
                return null;
            }

            Publish();
            return held.Entry;
        }
    }

    /// <summary>Replaces every entry (a fleet's full refresh); keeps at most the capacity, newest first.</summary>
    public void ReplaceAll(IReadOnlyList<(FraudListEntry Entry, SubjectKey Subject)> entries)
    {
        lock (_gate)
        {
            _entries.Clear();
            var ordered = entries.OrderByDescending(static e => e.Entry.Created);
            foreach (var (entry, subject) in ordered)
            {
                if (_entries.Count >= _max)
                {
                    break;
                }

                _entries[entry.Id] = new FraudListSnapshot.HeldEntry(entry, subject, UntilMs(entry));
            }

            Publish();
        }
    }

    /// <summary>Drops entries expired at <paramref name="nowMs"/>; returns them.</summary>
    public List<FraudListEntry>? Sweep(long nowMs)
    {
        if (Current.NextExpiryMs > nowMs)
        {
            return null;
        }

        lock (_gate)
        {
            List<FraudListEntry>? expired = null;
            foreach (var (id, held) in _entries)
            {
                if (held.UntilMs <= nowMs)
                {
                    (expired ??= new()).Add(held.Entry);
                    _entries.Remove(id);
                }
            }

            Publish();
            return expired;
        }
    }

    private static long UntilMs(FraudListEntry entry) => entry.Expires is { } expires ? expires.ToUnixTimeMilliseconds() : long.MaxValue;

    /// <summary>Builds and publishes a new snapshot (under the lock).</summary>
    private void Publish()
    {
        var held = new FraudListSnapshot.HeldEntry[_entries.Count];
        _entries.Values.CopyTo(held, 0);
        var bySubject = new Dictionary<SubjectKey, List<FraudListSnapshot.HeldEntry>>();
        var next = long.MaxValue;
        foreach (var entry in held)
        {
            if (!bySubject.TryGetValue(entry.Subject, out var list))
            {
                bySubject[entry.Subject] = list = new();
            }

            list.Add(entry);
            next = Math.Min(next, entry.UntilMs);
        }

        var subjects = new Dictionary<SubjectKey, SubjectLists>(bySubject.Count);
        foreach (var (subject, list) in bySubject)
        {
            var allow = new List<AllowRule>();
            long denyUntil = 0;
            string? denyId = null;
            string? denyRule = null;
            foreach (var entry in list)
            {
                if (entry.Entry.List == FraudListKind.Allow)
                {
                    allow.Add(new AllowRule(entry.Entry.Rule, entry.UntilMs));
                }
                else if (entry.UntilMs > denyUntil)
                {
                    denyUntil = entry.UntilMs;
                    denyId = entry.Entry.Id;
                    denyRule = entry.Entry.Rule;
                }
            }

            subjects[subject] = new SubjectLists([.. allow], denyUntil, denyId, denyRule);
        }

        Array.Sort(held, static (a, b) => b.Entry.Created.CompareTo(a.Entry.Created));
        Volatile.Write(ref _snapshot, new FraudListSnapshot(++_version, subjects.ToFrozenDictionary(), held, next));
    }
}
