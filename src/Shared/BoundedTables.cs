// Shared source: the bounded lookup tables every package uses, compiled, linked, into each package that needs them (see its
// .csproj), in that package's own namespace, so an assembly that sees several packages' internals (the numo tool, tests,
// benchmarks) names each copy without ambiguity. Two types in one file: one namespace choice for both.
#if NUMO_USERAGENTS
namespace NumoTelemetry.UserAgents.Internal;
#elif NUMO_DNS
namespace NumoTelemetry.Dns.Internal;
#elif NUMO_GEOIP
namespace NumoTelemetry.GeoIP.Internal;
#else
namespace NumoTelemetry.Internal;
#endif

/// <summary>
/// The one string interner: while a text stays cached, the same text yields the same string instance, so a repeated value
/// (a host, a campaign name, a browser family, a country code) allocates nothing. Two-way set-associative: the text's hash
/// (randomised per process) picks a set of two slots; a hit compares the text in each; a miss makes the string and puts it
/// in the set's first slot, moving the string that was there to the second (so the older of the two is evicted).
/// </summary>
/// <remarks>
/// <para>
/// Two ways, not one: with one slot per hash, two hot values whose hashes meet (the hash is randomised per process, so in
/// some processes they do) would evict each other on every use, and every use would allocate. Two such values share a set;
/// it takes three hot values in one set for that.
/// </para>
/// <para>
/// Bounded whatever the input: at most <see cref="Capacity"/> strings of at most <see cref="MaxLength"/> characters are held,
/// fixed at construction; longer text is returned as a new string and never held. Safe for concurrent use without locks:
/// strings are immutable, so a slot is one reference read and written whole; a racing write costs a later miss, never a wrong
/// answer.
/// </para>
/// </remarks>
internal sealed class BoundedInterner
{
    private readonly string?[] _slots;
    private readonly int _setMask;

    /// <summary>
    /// Creates an interner of <paramref name="capacity"/> slots (rounded up to a power of two, from 16 to 1,048,576) that holds
    /// text of up to <paramref name="maxLength"/> characters.
    /// </summary>
    public BoundedInterner(int capacity, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 16, 1 << 20));
        _slots = new string?[size];
        _setMask = size - 2; // a set is an even slot and the next one
        MaxLength = maxLength;
    }

    /// <summary>The most strings held.</summary>
    public int Capacity => _slots.Length;

    /// <summary>The longest text held; longer text is returned as a new string each time.</summary>
    public int MaxLength { get; }

    /// <summary>The strings held now (a scan; for tests).</summary>
    internal int Count => _slots.Count(static slot => slot is not null);

    /// <summary>A string equal to <paramref name="value"/>: the one held for that text, or a new one that is then held.</summary>
    public string Intern(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return string.Empty;
        }

        if (value.Length > MaxLength)
        {
            return value.ToString();
        }

        var set = SetOf(value);
        if (Held(value, set) is { } held)
        {
            return held;
        }

        var created = value.ToString();
        Hold(set, created);
        return created;
    }

    /// <summary>The string held for <paramref name="value"/>'s text, if one is held (nothing is made or held on a miss).</summary>
    public bool TryGet(ReadOnlySpan<char> value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? held)
    {
        held = !value.IsEmpty && value.Length <= MaxLength ? Held(value, SetOf(value)) : null;
        return held is not null;
    }

    /// <summary>
    /// The string held for <paramref name="value"/>'s text, or <paramref name="value"/> itself, which is then held (no copy is
    /// made); <see langword="null"/> for <see langword="null"/>.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    public string? Intern(string? value)
    {
        if (value is null || value.Length > MaxLength)
        {
            return value;
        }

        if (value.Length == 0)
        {
            return string.Empty;
        }

        var set = SetOf(value);
        if (Held(value, set) is { } held)
        {
            return held;
        }

        Hold(set, value);
        return value;
    }

    private int SetOf(ReadOnlySpan<char> value) => string.GetHashCode(value) & _setMask;

    /// <summary>The string of <paramref name="set"/> equal to <paramref name="value"/>, if either slot holds one.</summary>
    private string? Held(ReadOnlySpan<char> value, int set)
    {
        var first = Volatile.Read(ref _slots[set]);
        if (first is not null && value.SequenceEqual(first))
        {
            return first;
        }

        var second = Volatile.Read(ref _slots[set + 1]);
        return second is not null && value.SequenceEqual(second) ? second : null;
    }

    /// <summary>Puts <paramref name="value"/> in <paramref name="set"/>'s first slot, moving the string there to the second.</summary>
    private void Hold(int set, string value)
    {
        if (Volatile.Read(ref _slots[set]) is { } first)
        {
            Volatile.Write(ref _slots[set + 1], first);
        }

        Volatile.Write(ref _slots[set], value);
    }
}

/// <summary>
/// The one shape of the hand-written lookup caches: a fixed-size, lock-free, two-way set-associative table of immutable
/// entries. The key's hash (<see cref="object.GetHashCode"/>) picks a set of two slots; a hit compares the stored key in each
/// and returns the stored value without allocating; a write replaces the key's entry where it is held, or else puts a new
/// entry in the set's first slot, moving the entry that was there to the second (so the older of the two is evicted).
/// </summary>
/// <remarks>
/// Two ways, not one: with one slot per hash, two hot keys whose hashes meet (with a string hash, randomised per process, in
/// some processes they do) would evict each other on every use, and every refill would allocate. It never holds more than
/// <see cref="Capacity"/> entries, whatever the keys. Safe for concurrent use without locks: an entry is immutable and a slot
/// is one reference, read and written whole, so a reader sees a whole entry or none; a racing write costs a later miss, never
/// a wrong answer. Keys stay in process memory until their slot is reused or cleared.
/// </remarks>
/// <typeparam name="TKey">The key: compared in full on every hit, so a hash collision is a miss, never another key's value.</typeparam>
/// <typeparam name="TValue">The value, shared by every hit.</typeparam>
internal sealed class BoundedCache<TKey, TValue>
    where TKey : struct, IEquatable<TKey>
{
    private readonly Slot[] _slots;
    private readonly int _setMask;

    /// <summary>Creates a cache of <paramref name="capacity"/> slots (rounded up to a power of two, from 16 to 67,108,864).</summary>
    public BoundedCache(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 16, 1 << 26));
        _slots = new Slot[size];
        _setMask = size - 2; // a set is an even slot and the next one
    }

    /// <summary>The most entries held.</summary>
    public int Capacity => _slots.Length;

    /// <summary>The value held for <paramref name="key"/>, if its set holds that key.</summary>
    public bool TryGet(in TKey key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue value)
    {
        var set = SetOf(key);
        var entry = Volatile.Read(ref _slots[set].Entry);
        if (entry is null || !entry.Key.Equals(key))
        {
            entry = Volatile.Read(ref _slots[set + 1].Entry);
            if (entry is null || !entry.Key.Equals(key))
            {
                value = default;
                return false;
            }
        }

        value = entry.Value;
        return true;
    }

    /// <summary>
    /// Holds <paramref name="value"/> for <paramref name="key"/>: in place of the key's entry if its set holds one, else first
    /// in its set, in place of the older of the two entries there.
    /// </summary>
    public void Set(in TKey key, TValue value)
    {
        var set = SetOf(key);
        var entry = new Entry(key, value);
        var first = Volatile.Read(ref _slots[set].Entry);
        if (first is not null && !first.Key.Equals(key))
        {
            ref var second = ref _slots[set + 1].Entry;
            var held = Volatile.Read(ref second);
            if (held is not null && held.Key.Equals(key))
            {
                Volatile.Write(ref second, entry);
                return;
            }

            Volatile.Write(ref second, first);
        }

        Volatile.Write(ref _slots[set].Entry, entry);
    }

    /// <summary>Forgets <paramref name="key"/>, if its set holds it (another key in that set stays).</summary>
    public void Remove(in TKey key)
    {
        var set = SetOf(key);
        RemoveFrom(ref _slots[set].Entry, key);
        RemoveFrom(ref _slots[set + 1].Entry, key);
    }

    /// <summary>Forgets every entry.</summary>
    public void Clear() => Array.Clear(_slots);

    private static void RemoveFrom(ref Entry? slot, in TKey key)
    {
        var entry = Volatile.Read(ref slot);
        if (entry is not null && entry.Key.Equals(key))
        {
            Interlocked.CompareExchange(ref slot, null, entry);
        }
    }

    private int SetOf(in TKey key) => key.GetHashCode() & _setMask;

    // A struct around the reference: an element of a struct array is taken by reference without the covariance check that an
    // array of (possibly shared generic) class type needs.
    private struct Slot
    {
        public Entry? Entry;
    }

    private sealed class Entry(TKey key, TValue value)
    {
        public TKey Key { get; } = key;

        public TValue Value { get; } = value;
    }
}
