using NumoTelemetry.GeoIP.Internal;
using NumoTelemetry.Records;

namespace NumoTelemetry.GeoIP;

/// <summary>
/// Facts by address and database generation: a <see cref="BoundedCache{TKey, TValue}"/>, bounded and lock-free. A hit is a
/// hash, a compare and a shared <see cref="GeoFacts"/>: no allocation. A miss takes the older slot of its set. Addresses used as keys stay in
/// process memory only, until their slot is reused.
/// </summary>
internal sealed class GeoFactsCache(int capacity)
{
    private readonly BoundedCache<Key, GeoFacts> _facts = new(capacity);

    public int Capacity => _facts.Capacity;

    public bool TryGet(in ClientAddress address, int generation, out GeoFacts facts)
    {
        if (_facts.TryGet(new Key(address, generation), out var held))
        {
            facts = held;
            return true;
        }

        facts = GeoFacts.Unknown;
        return false;
    }

    public void Set(in ClientAddress address, int generation, GeoFacts facts) => _facts.Set(new Key(address, generation), facts);

    public void Clear() => _facts.Clear();

    /// <summary>An address as looked up in one generation of the databases; an older generation's entry is a miss.</summary>
    private readonly record struct Key(ClientAddress Address, int Generation)
    {
        public override int GetHashCode() => Address.GetHashCode();
    }
}
