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
/// (a host, a campaign name, a browser family, a country code) allocates nothing. Direct-mapped: the text's hash (randomised
/// per process) picks one slot; a hit compares the text; a miss makes the string and takes the slot.
/// </summary>
/// <remarks>
/// Bounded whatever the input: at most <see cref="Capacity"/> strings of at most <see cref="MaxLength"/> characters are held,
/// fixed at construction; longer text is returned as a new string and never held. Safe for concurrent use without locks:
/// strings are immutable, so a slot is one reference read and written whole; a racing write costs a later miss, never a wrong
/// answer.
/// </remarks>
internal sealed class BoundedInterner
{
    private readonly string?[] _slots;
    private readonly int _mask;

    /// <summary>
    /// Creates an interner of <paramref name="capacity"/> slots (rounded up to a power of two, from 16 to 1,048,576) that holds
    /// text of up to <paramref name="maxLength"/> characters.
    /// </summary>
    public BoundedInterner(int capacity, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 16, 1 << 20));
        _slots = new string?[size];
        _mask = size - 1;
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

        ref var slot = ref _slots[string.GetHashCode(value) & _mask];
        var existing = Volatile.Read(ref slot);
        if (existing is not null && value.SequenceEqual(existing))
        {
            return existing;
        }

        var created = value.ToString();
        Volatile.Write(ref slot, created);
        return created;
    }

    /// <summary>The string held for <paramref name="value"/>'s text, if one is held (nothing is made or held on a miss).</summary>
    public bool TryGet(ReadOnlySpan<char> value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? held)
    {
        if (!value.IsEmpty && value.Length <= MaxLength)
        {
            var existing = Volatile.Read(ref _slots[string.GetHashCode(value) & _mask]);
            if (existing is not null && value.SequenceEqual(existing))
            {
                held = existing;
                return true;
            }
        }

        held = null;
        return false;
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

        ref var slot = ref _slots[string.GetHashCode(value.AsSpan()) & _mask];
        var existing = Volatile.Read(ref slot);
        if (existing is not null && string.Equals(value, existing, StringComparison.Ordinal))
        {
            return existing;
        }

        Volatile.Write(ref slot, value);
        return value;
    }
}

/// <summary>
/// The one shape of the hand-written lookup caches: a fixed-size, lock-free, direct-mapped table of immutable entries. The key's
/// hash (<see cref="object.GetHashCode"/>) picks one slot; a hit compares the stored key and returns the stored value without
/// allocating; a write replaces the slot with a new entry.
/// </summary>
/// <remarks>
/// It never holds more than <see cref="Capacity"/> entries, whatever the keys. Safe for concurrent use without locks: an entry is
/// immutable and a slot is one reference, read and written whole, so a reader sees a whole entry or none; a racing write costs a
/// later miss, never a wrong answer. Keys stay in process memory until their slot is reused or cleared.
/// </remarks>
/// <typeparam name="TKey">The key: compared in full on every hit, so a hash collision is a miss, never another key's value.</typeparam>
/// <typeparam name="TValue">The value, shared by every hit.</typeparam>
internal sealed class DirectMappedCache<TKey, TValue>
    where TKey : struct, IEquatable<TKey>
{
    private readonly Slot[] _slots;
    private readonly int _mask;

    /// <summary>Creates a cache of <paramref name="capacity"/> slots (rounded up to a power of two, from 16 to 67,108,864).</summary>
    public DirectMappedCache(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 16, 1 << 26));
        _slots = new Slot[size];
        _mask = size - 1;
    }

    /// <summary>The most entries held.</summary>
    public int Capacity => _slots.Length;

    /// <summary>The value held for <paramref name="key"/>, if its slot holds that key.</summary>
    public bool TryGet(in TKey key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue value)
    {
        var entry = Volatile.Read(ref SlotOf(key).Entry);
        if (entry is not null && entry.Key.Equals(key))
        {
            value = entry.Value;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Holds <paramref name="value"/> for <paramref name="key"/>, in place of whatever its slot held.</summary>
    public void Set(in TKey key, TValue value) => Volatile.Write(ref SlotOf(key).Entry, new Entry(key, value));

    /// <summary>Forgets <paramref name="key"/>, if its slot holds it (another key in that slot stays).</summary>
    public void Remove(in TKey key)
    {
        ref var slot = ref SlotOf(key);
        var entry = Volatile.Read(ref slot.Entry);
        if (entry is not null && entry.Key.Equals(key))
        {
            Interlocked.CompareExchange(ref slot.Entry, null, entry);
        }
    }

    /// <summary>Forgets every entry.</summary>
    public void Clear() => Array.Clear(_slots);

    private ref Slot SlotOf(in TKey key) => ref _slots[key.GetHashCode() & _mask];

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
