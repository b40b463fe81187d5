namespace NumoTelemetry.UserAgents.Caching;

/// <summary>
/// A bounded, thread-safe, eight-way set-associative cache of parse results keyed by the full User-Agent.
/// Reads take no lock and allocate nothing: one hash, a scan of the set's eight hashes (one cache line,
/// kept beside the entries so that misses touch no entry), then one entry and one string comparison. Writes replace whole immutable entries (a single reference store each), so a reader
/// never sees a torn entry; a racing write can at worst evict an entry early. It never holds more
/// than its capacity.
/// </summary>
internal sealed class ParseCache
{
    private readonly CacheEntry?[] _slots;
    private readonly ulong[] _hashes;
    private readonly uint _sets;
    private readonly int _ways;
    private ulong _random = 0x9E37_79B9_7F4A_7C15UL;

    private const int MaxWays = 8;

    /// <summary>Creates a cache that holds at most <paramref name="capacity"/> entries (at least 1).</summary>
    public ParseCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ways = Math.Min(MaxWays, capacity);
        _sets = (uint)(capacity / _ways);
        _slots = new CacheEntry?[_sets * _ways];
        _hashes = new ulong[_slots.Length];
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

    /// <summary>Looks <paramref name="key"/> up; an entry matches only with the same <paramref name="oversized"/> flag.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // the cache-hit path: optimised from the first request, not after tiering
    public bool TryGet(ReadOnlySpan<char> key, ulong hash, bool oversized, out UserAgentInfo? value)
    {
        var hashes = _hashes;
        var first = SetOf(hash) * _ways;
        var end = first + _ways;
        for (var i = first; i < end; i++)
        {
            if (hashes[i] != hash)
            {
                continue;
            }

            // The hash array is a hint: the entry itself is checked, so a racing write costs a miss at worst.
            var entry = Volatile.Read(ref _slots[i]);
            if (entry is not null && entry.Hash == hash && entry.Value.IsOversized == oversized && key.SequenceEqual(entry.Key))
            {
                value = entry.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>
    /// Adds a result: into the first free way of its set, else over a way chosen at random (random
    /// replacement, which does not thrash on cyclic access the way LRU does, and unlike a way chosen by
    /// the hash does not pin the other ways of a set forever). Runs on misses only, so hits stay at 0 B.
    /// </summary>
    public void Add(string key, ulong hash, UserAgentInfo value)
    {
        var slots = _slots;
        var first = SetOf(hash) * _ways;
        var entry = new CacheEntry(key, hash, value);
        for (var i = first; i < first + _ways; i++)
        {
            if (slots[i] is null)
            {
                Store(i, entry);
                return;
            }
        }

        Store(first + NextWay(), entry);
    }

    /// <summary>
    /// A way chosen by a xorshift generator. Its state is shared without synchronisation: a racing
    /// update only repeats or skips a value, which a replacement choice does not mind.
    /// </summary>
    private int NextWay()
    {
        var x = _random;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        _random = x;
        return (int)((x >> 32) % (uint)_ways);
    }

    private void Store(int slot, CacheEntry entry)
    {
        Volatile.Write(ref _slots[slot], entry);
        _hashes[slot] = entry.Hash;
    }

    private int SetOf(ulong hash) => (int)(((hash & 0xFFFFFFFF) * _sets) >> 32);
}
