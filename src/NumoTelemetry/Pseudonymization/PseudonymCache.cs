using NumoTelemetry.Records;

namespace NumoTelemetry.Pseudonymization;

/// <summary>
/// A bounded, lock-free, direct-mapped cache of recent pseudonyms. A hit costs a hash and a compare
/// and allocates nothing; a miss replaces the slot. Raw values used as keys live only here, in process
/// memory, and never past their epoch: each scope has one generation of slots for the current tag
/// (epoch and key id), and the first access with a newer tag swaps in fresh, empty slots, dropping
/// every raw value of the old epoch at once (not merely as slots happen to be reused).
/// </summary>
internal sealed class PseudonymCache
{
    private readonly Generation?[] _generations = new Generation?[2];
    private readonly int[] _sizes;

    /// <param name="capacity">Slots of the fraud scope; the daily analytics scope gets a quarter (it sees far fewer keys).</param>
    public PseudonymCache(int capacity)
    {
        var size = (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity)));
        _sizes = [size, Math.Max(16, size / 4)];
    }

    public int Capacity => _sizes[0];

    public bool TryGet(PseudonymKind kind, PseudonymScope scope, long tag, ReadOnlySpan<char> key, out Pseudonym value)
    {
        var generation = Current(scope, tag);
        if (generation is not null)
        {
            var hash = Hash(kind, key);
            var slot = hash & generation.Mask;
            if (Matches(Volatile.Read(ref generation.Text[slot]), kind, hash, key, out value)
                || Matches(Volatile.Read(ref generation.Text[slot ^ 1]), kind, hash, key, out value))
            {
                return true;
            }
        }

        value = default;
        return false;
    }

    public void Set(PseudonymKind kind, PseudonymScope scope, long tag, ReadOnlySpan<char> key, Pseudonym value)
    {
        if (Current(scope, tag) is { } generation)
        {
            var hash = Hash(kind, key);
            var slot = Way(generation.Text, hash & generation.Mask, hash);
            Volatile.Write(ref generation.Text[slot], new TextEntry(key.ToString(), hash, value));
        }
    }

    public bool TryGet(PseudonymKind kind, PseudonymScope scope, long tag, in ClientAddress address, out Pseudonym value)
    {
        var generation = Current(scope, tag);
        if (generation is not null)
        {
            var slot = Hash(kind, address) & generation.Mask;
            if (Matches(Volatile.Read(ref generation.Addresses[slot]), kind, address, out value)
                || Matches(Volatile.Read(ref generation.Addresses[slot ^ 1]), kind, address, out value))
            {
                return true;
            }
        }

        value = default;
        return false;
    }

    public void Set(PseudonymKind kind, PseudonymScope scope, long tag, in ClientAddress address, Pseudonym value)
    {
        if (Current(scope, tag) is { } generation)
        {
            var hash = Hash(kind, address);
            var slot = Way(generation.Addresses, hash & generation.Mask, hash);
            Volatile.Write(ref generation.Addresses[slot], new AddressEntry(address, value));
        }
    }

    /// <summary>Drops every entry (used when keys change, and by tests).</summary>
    public void Clear()
    {
        for (var i = 0; i < _generations.Length; i++)
        {
            Volatile.Write(ref _generations[i], null);
        }
    }

    /// <summary>Test hook: whether any live entry holds <paramref name="raw"/> (text) or an address that prints as it.</summary>
    internal bool HoldsRaw(string raw)
    {
        foreach (var generation in _generations)
        {
            if (generation is null)
            {
                continue;
            }

            foreach (var entry in generation.Text)
            {
                if (entry is not null && entry.Key.Contains(raw, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            foreach (var entry in generation.Addresses)
            {
                if (entry is not null && entry.Address.ToString() == raw)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The slots of <paramref name="scope"/> for <paramref name="tag"/>: the current generation, a fresh one when
    /// the tag moved on (the old one, with its raw keys, becomes unreachable), or null for a stale tag (a request
    /// that began just before the epoch changed): that one is neither served nor cached.
    /// </summary>
    private Generation? Current(PseudonymScope scope, long tag)
    {
        var index = (int)scope & 1;
        return EpochGeneration.Current(ref _generations[index], tag, _sizes[index], static (tag, size) => new Generation(tag, size));
    }

    // Two-way set-associative: a value may sit in its slot or the slot's pair (slot ^ 1). A direct-mapped table lets two hot
    // values that share a slot evict each other on every request (a miss costs an HMAC and the key's copy); with two ways
    // that takes three values in one pair.
    private static bool Matches(TextEntry? entry, PseudonymKind kind, int hash, ReadOnlySpan<char> key, out Pseudonym value)
    {
        if (entry is not null && entry.Hash == hash && entry.Value.Kind == kind && key.SequenceEqual(entry.Key))
        {
            value = entry.Value;
            return true;
        }

        value = default;
        return false;
    }

    private static bool Matches(AddressEntry? entry, PseudonymKind kind, in ClientAddress address, out Pseudonym value)
    {
        if (entry is not null && entry.Address == address && entry.Value.Kind == kind)
        {
            value = entry.Value;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The way to fill: an empty one, else the one the hash's high bits pick (a cheap random replacement).</summary>
    private static int Way<T>(T?[] ways, int slot, int hash)
        where T : class
    {
        if (Volatile.Read(ref ways[slot]) is null)
        {
            return slot;
        }

        var pair = slot ^ 1;
        if (Volatile.Read(ref ways[pair]) is null)
        {
            return pair;
        }

        return ((hash >>> 24) & 1) == 0 ? slot : pair;
    }

    private static int Hash(PseudonymKind kind, ReadOnlySpan<char> key) =>
        string.GetHashCode(key) ^ ((int)kind * 0x3C6EF372);

    private static int Hash(PseudonymKind kind, in ClientAddress address) =>
        HashCode.Combine(address.Bits, (byte)kind);

    private sealed class Generation(long tag, int size) : IEpochGeneration
    {
        public long Tag { get; } = tag;

        public int Mask { get; } = size - 1;

        public TextEntry?[] Text { get; } = new TextEntry?[size];

        public AddressEntry?[] Addresses { get; } = new AddressEntry?[size];
    }

    private sealed class TextEntry(string key, int hash, Pseudonym value)
    {
        public string Key { get; } = key;

        public int Hash { get; } = hash;

        public Pseudonym Value { get; } = value;
    }

    private sealed class AddressEntry(ClientAddress address, Pseudonym value)
    {
        public ClientAddress Address { get; } = address;

        public Pseudonym Value { get; } = value;
    }
}
