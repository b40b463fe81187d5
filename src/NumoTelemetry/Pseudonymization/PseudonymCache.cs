using NumoTelemetry.Capture;

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
            var entry = Volatile.Read(ref generation.Text[hash & generation.Mask]);
            if (entry is not null && entry.Hash == hash && entry.Value.Kind == kind && key.SequenceEqual(entry.Key))
            {
                value = entry.Value;
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
            Volatile.Write(ref generation.Text[hash & generation.Mask], new TextEntry(key.ToString(), hash, value));
        }
    }

    public bool TryGet(PseudonymKind kind, PseudonymScope scope, long tag, in ClientAddress address, out Pseudonym value)
    {
        var generation = Current(scope, tag);
        if (generation is not null)
        {
            var entry = Volatile.Read(ref generation.Addresses[Hash(kind, address) & generation.Mask]);
            if (entry is not null && entry.Address == address && entry.Value.Kind == kind)
            {
                value = entry.Value;
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
            Volatile.Write(ref generation.Addresses[Hash(kind, address) & generation.Mask], new AddressEntry(address, value));
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
        var generation = Volatile.Read(ref _generations[index]);
        if (generation is not null && generation.Tag == tag)
        {
            return generation;
        }

        return Advance(index, generation, tag);
    }

    private Generation? Advance(int index, Generation? seen, long tag)
    {
        while (true)
        {
            if (seen is not null && (tag >> 16) < (seen.Tag >> 16))
            {
                return null; // an older epoch than the cache's: never bring it back
            }

            var fresh = new Generation(tag, _sizes[index]);
            var found = Interlocked.CompareExchange(ref _generations[index], fresh, seen);
            if (ReferenceEquals(found, seen))
            {
                return fresh;
            }

            if (found is not null && found.Tag == tag)
            {
                return found; // another thread advanced first
            }

            seen = found;
        }
    }

    private static int Hash(PseudonymKind kind, ReadOnlySpan<char> key) =>
        string.GetHashCode(key) ^ ((int)kind * 0x3C6EF372);

    private static int Hash(PseudonymKind kind, in ClientAddress address) =>
        HashCode.Combine(address.Bits, (byte)kind);

    private sealed class Generation(long tag, int size)
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
