// Shared source: compiled, linked, into each package that caches lookups this way (see its .csproj), in that package's own
// namespace, so an assembly that sees several packages' internals (the numo tool, tests, benchmarks) names each copy without
// ambiguity.
#if NUMO_USERAGENTS
namespace NumoTelemetry.UserAgents.Internal;
#elif NUMO_DNS
namespace NumoTelemetry.Dns.Internal;
#elif NUMO_GEOIP
namespace NumoTelemetry.GeoIP.Internal;
#elif NUMO_CLI
namespace NumoTelemetry.Cli.Internal;
#else
namespace NumoTelemetry.Internal;
#endif

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
