namespace NumoTelemetry.UserAgents.Caching;

/// <summary>
/// A bounded, thread-safe, two-way set-associative cache of parse results keyed by the full User-Agent.
/// Reads take no lock and allocate nothing: one hash, at most two reference loads and a string
/// comparison. Writes replace whole immutable entries (a single reference store each), so a reader
/// never sees a torn entry; a racing write can at worst evict an entry early. It never holds more
/// than its capacity.
/// </summary>
internal sealed class ParseCache
{
    private readonly CacheEntry?[] _slots;
    private readonly uint _sets;
    private readonly int _ways;

    /// <summary>Creates a cache that holds at most <paramref name="capacity"/> entries (at least 1).</summary>
    public ParseCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ways = capacity >= 2 ? 2 : 1;
        _sets = (uint)(capacity / _ways);
        _slots = new CacheEntry?[_sets * _ways];
    }

    /// <summary>The maximum number of entries.</summary>
    public int Capacity => _slots.Length;

    /// <summary>The number of entries held now (a scan; for tests and statistics).</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var entry in _slots)
            {
                if (entry is not null)
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>Looks <paramref name="key"/> up.</summary>
    public bool TryGet(string key, ulong hash, out UserAgentInfo? value)
    {
        var slots = _slots;
        var first = SetOf(hash) * _ways;
        var entry = slots[first];
        if (entry is not null && entry.Hash == hash && string.Equals(entry.Key, key, StringComparison.Ordinal))
        {
            value = entry.Value;
            return true;
        }

        if (_ways == 2)
        {
            entry = slots[first + 1];
            if (entry is not null && entry.Hash == hash && string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                value = entry.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>Adds a result, evicting the older entry of its set when both ways are taken.</summary>
    public void Add(string key, ulong hash, UserAgentInfo value)
    {
        var slots = _slots;
        var first = SetOf(hash) * _ways;
        var entry = new CacheEntry(key, hash, value);
        if (_ways == 2 && slots[first] is { } previous)
        {
            Volatile.Write(ref slots[first + 1], previous);
        }

        Volatile.Write(ref slots[first], entry);
    }

    private int SetOf(ulong hash) => (int)(((hash & 0xFFFFFFFF) * _sets) >> 32);
}
