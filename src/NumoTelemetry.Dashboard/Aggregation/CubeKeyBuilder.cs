namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>
/// Builds the stored keys of cube cells (values joined by U+001F) in a reusable buffer and interns them, so that folding
/// a record whose key was seen before allocates nothing. A control character in a value (a client could send U+001F to
/// shift the axes of a key) is replaced by <c>?</c>. Each value takes at most <see cref="MaxValueBytes"/> bytes of UTF-8 in
/// a key, so a key of the widest cube (13 values) stays within 13 × 200 + 12 = 2,612 bytes: below PostgreSQL's B-tree
/// entry limit (2,704 bytes) for the cells' primary key, whatever <c>MaxValueLength</c> and the characters are.
/// </summary>
internal sealed class CubeKeyBuilder
{
    /// <summary>The most UTF-8 bytes one value takes in a key (longer values are cut at a character boundary).</summary>
    internal const int MaxValueBytes = 200;

    /// <summary>The most UTF-8 bytes of a path item (page, goal or event); longer items are not added to paths.</summary>
    internal const int MaxItemBytes = 300;

    /// <summary>Interned keys kept; beyond this the interner starts afresh (keys already handed out stay valid).</summary>
    internal const int MaxInterned = 100_000;

    private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private char[] _buffer = new char[256];
    private int _length;
    private bool _empty = true;

    public CubeKeyBuilder() => _lookup = _interned.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Starts a new key.</summary>
    public CubeKeyBuilder Start()
    {
        _length = 0;
        _empty = true;
        return this;
    }

    /// <summary>Appends one value (control characters replaced).</summary>
    public CubeKeyBuilder Value(string value)
    {
        Separate();
        var bytes = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            var size = pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            if (bytes + size > MaxValueBytes)
            {
                break;
            }

            bytes += size;
            Put(char.IsControl(c) || (char.IsSurrogate(c) && !pair) ? '?' : c);
            if (pair)
            {
                Put(value[++i]);
            }
        }

        return this;
    }

    /// <summary>Appends a key built before (its separators kept).</summary>
    public CubeKeyBuilder Key(string key)
    {
        Separate();
        foreach (var c in key)
        {
            Put(c);
        }

        return this;
    }

    /// <summary>The key built, interned.</summary>
    public string Build()
    {
        var span = _buffer.AsSpan(0, _length);
        if (_lookup.TryGetValue(span, out var key))
        {
            return key;
        }

        if (_interned.Count >= MaxInterned)
        {
            _interned.Clear();
        }

        key = new string(span);
        _interned[key] = key;
        return key;
    }

    /// <summary>Whether <paramref name="path"/> (items joined by U+001F) holds <paramref name="item"/> as one of its items.</summary>
    public static bool HasItem(string path, string item)
    {
        var rest = path.AsSpan();
        while (true)
        {
            var at = rest.IndexOf(DashboardDimensions.CubeSeparator);
            var head = at < 0 ? rest : rest[..at];
            if (head.SequenceEqual(item))
            {
                return true;
            }

            if (at < 0)
            {
                return false;
            }

            rest = rest[(at + 1)..];
        }
    }

    private void Separate()
    {
        if (!_empty)
        {
            Put(DashboardDimensions.CubeSeparator);
        }

        _empty = false;
    }

    private void Put(char c)
    {
        if (_length == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        _buffer[_length++] = c;
    }
}
