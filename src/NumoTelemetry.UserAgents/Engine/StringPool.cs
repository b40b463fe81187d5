namespace NumoTelemetry.UserAgents.Engine;

/// <summary>
/// A bounded, lock-free intern pool for the short strings a parse produces (families, versions,
/// models): a direct-mapped table of strings keyed by content. A hit returns the shared instance and
/// allocates nothing; a miss allocates once and takes the slot. Its size never grows, so hostile
/// User-Agents cannot inflate it.
/// </summary>
internal sealed class StringPool
{
    private const int MaxPooledLength = 64;
    private readonly string?[] _slots;
    private readonly int _mask;
    private readonly ulong _seed;

    /// <summary>Creates a pool with <paramref name="size"/> slots (rounded up to a power of two).</summary>
    public StringPool(int size, ulong seed)
    {
        var slots = 1;
        while (slots < size)
        {
            slots <<= 1;
        }

        _slots = new string?[slots];
        _mask = slots - 1;
        _seed = seed;
    }

    /// <summary>Returns a string equal to <paramref name="value"/>, shared when it was seen before.</summary>
    public string Get(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return string.Empty;
        }

        if (value.Length > MaxPooledLength)
        {
            return value.ToString();
        }

        var index = (int)SpanHash.Hash(value, _seed) & _mask;
        var existing = _slots[index];
        if (existing is not null && value.SequenceEqual(existing))
        {
            return existing;
        }

        var created = value.ToString();
        _slots[index] = created;
        return created;
    }
}
