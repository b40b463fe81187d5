using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP;

/// <summary>
/// A bounded, lock-free, direct-mapped cache of facts by address. A hit is a hash, a compare and a
/// shared <see cref="GeoFacts"/>: no allocation. A miss replaces the slot. Addresses used as keys stay
/// in process memory only, until their slot is reused.
/// </summary>
internal sealed class GeoFactsCache
{
    private readonly Entry?[] _entries;
    private readonly int _mask;

    public GeoFactsCache(int capacity)
    {
        var size = (int)Math.Min(1 << 26, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity)));
        _entries = new Entry?[size];
        _mask = size - 1;
    }

    public int Capacity => _entries.Length;

    public bool TryGet(in ClientAddress address, int generation, out GeoFacts facts)
    {
        var entry = Volatile.Read(ref _entries[address.GetHashCode() & _mask]);
        if (entry is not null && entry.Generation == generation && entry.Address == address)
        {
            facts = entry.Facts;
            return true;
        }

        facts = GeoFacts.Unknown;
        return false;
    }

    public void Set(in ClientAddress address, int generation, GeoFacts facts) =>
        Volatile.Write(ref _entries[address.GetHashCode() & _mask], new Entry(address, generation, facts));

    public void Clear() => Array.Clear(_entries);

    private sealed class Entry(ClientAddress address, int generation, GeoFacts facts)
    {
        public ClientAddress Address { get; } = address;

        public int Generation { get; } = generation;

        public GeoFacts Facts { get; } = facts;
    }
}
