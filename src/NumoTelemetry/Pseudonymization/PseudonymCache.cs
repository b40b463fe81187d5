using NumoTelemetry.Capture;

namespace NumoTelemetry.Pseudonymization;

/// <summary>
/// A bounded, lock-free, direct-mapped cache of recent pseudonyms. A hit costs a hash and a compare
/// and allocates nothing; a miss replaces the slot (that is the eviction). Raw values used as keys
/// live only here, in process memory, until their slot is reused or their epoch ends.
/// </summary>
internal sealed class PseudonymCache
{
    private readonly TextEntry?[] _text;
    private readonly AddressEntry?[] _addresses;
    private readonly int _mask;

    public PseudonymCache(int capacity)
    {
        var size = (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity)));
        _text = new TextEntry?[size];
        _addresses = new AddressEntry?[size];
        _mask = size - 1;
    }

    public int Capacity => _text.Length;

    public bool TryGet(PseudonymKind kind, PseudonymScope scope, long epoch, ReadOnlySpan<char> key, out Pseudonym value)
    {
        var hash = Hash(kind, scope, key);
        var entry = Volatile.Read(ref _text[hash & _mask]);
        if (entry is not null && entry.Hash == hash && entry.Epoch == epoch && entry.Value.Kind == kind && entry.Value.Scope == scope
            && key.SequenceEqual(entry.Key))
        {
            value = entry.Value;
            return true;
        }

        value = default;
        return false;
    }

    public void Set(PseudonymKind kind, PseudonymScope scope, long epoch, ReadOnlySpan<char> key, Pseudonym value)
    {
        var hash = Hash(kind, scope, key);
        Volatile.Write(ref _text[hash & _mask], new TextEntry(key.ToString(), hash, epoch, value));
    }

    public bool TryGet(PseudonymKind kind, PseudonymScope scope, long epoch, in ClientAddress address, out Pseudonym value)
    {
        var hash = Hash(kind, scope, address);
        var entry = Volatile.Read(ref _addresses[hash & _mask]);
        if (entry is not null && entry.Address == address && entry.Epoch == epoch && entry.Value.Kind == kind && entry.Value.Scope == scope)
        {
            value = entry.Value;
            return true;
        }

        value = default;
        return false;
    }

    public void Set(PseudonymKind kind, PseudonymScope scope, long epoch, in ClientAddress address, Pseudonym value)
    {
        var hash = Hash(kind, scope, address);
        Volatile.Write(ref _addresses[hash & _mask], new AddressEntry(address, epoch, value));
    }

    /// <summary>Drops every entry (used when keys change, and by tests).</summary>
    public void Clear()
    {
        Array.Clear(_text);
        Array.Clear(_addresses);
    }

    private static int Hash(PseudonymKind kind, PseudonymScope scope, ReadOnlySpan<char> key) =>
        string.GetHashCode(key) ^ ((int)kind * 0x3C6EF372) ^ ((int)scope * 0x1B873593);

    private static int Hash(PseudonymKind kind, PseudonymScope scope, in ClientAddress address) =>
        HashCode.Combine(address.Bits, (byte)kind, (byte)scope);

    private sealed class TextEntry(string key, int hash, long epoch, Pseudonym value)
    {
        public string Key { get; } = key;

        public int Hash { get; } = hash;

        public long Epoch { get; } = epoch;

        public Pseudonym Value { get; } = value;
    }

    private sealed class AddressEntry(ClientAddress address, long epoch, Pseudonym value)
    {
        public ClientAddress Address { get; } = address;

        public long Epoch { get; } = epoch;

        public Pseudonym Value { get; } = value;
    }
}
