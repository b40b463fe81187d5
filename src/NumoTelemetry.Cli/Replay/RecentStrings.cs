using System.Text;

namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// A direct-mapped cache of recent strings looked up by their UTF-8 bytes or chars: a log repeats its paths, cookies, sessions and
/// accounts from line to line, so a repeat returns the string made before instead of allocating one per line. A miss replaces the slot.
/// Single-threaded (the replay's reader thread).
/// </summary>
internal sealed class RecentStrings
{
    private const int MaxLength = 512;
    private readonly string?[] _slots;
    private readonly int _mask;
    private readonly char[] _chars = new char[MaxLength];

    public RecentStrings(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 16, 1 << 22));
        _slots = new string?[size];
        _mask = size - 1;
    }

    /// <summary>The string of UTF-8 <paramref name="utf8"/> (valid UTF-8, unescaped).</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var n = Encoding.UTF8.GetChars(utf8, _chars);
        return Get(_chars.AsSpan(0, n));
    }

    /// <summary>The string of <paramref name="chars"/>.</summary>
    public string Get(ReadOnlySpan<char> chars)
    {
        if (chars.Length > MaxLength)
        {
            return chars.ToString();
        }

        ref var slot = ref _slots[Hash(chars) & _mask];
        var existing = slot;
        if (existing is not null && chars.SequenceEqual(existing))
        {
            return existing;
        }

        return slot = chars.ToString();
    }

    /// <summary>A fast non-cryptographic hash (collisions only cost a miss).</summary>
    private static int Hash(ReadOnlySpan<char> chars)
    {
        var hash = new HashCode();
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars));
        return hash.ToHashCode();
    }

    /// <summary>The string <paramref name="a"/> + <paramref name="b"/> + <paramref name="c"/> + <paramref name="d"/>, without allocating when it was made recently.</summary>
    public string Concat(ReadOnlySpan<char> a, ReadOnlySpan<char> b, ReadOnlySpan<char> c, ReadOnlySpan<char> d)
    {
        var length = a.Length + b.Length + c.Length + d.Length;
        if (length > MaxLength)
        {
            return string.Concat(a, b, c, d);
        }

        var buffer = _chars.AsSpan(0, length);
        a.CopyTo(buffer);
        b.CopyTo(buffer[a.Length..]);
        c.CopyTo(buffer[(a.Length + b.Length)..]);
        d.CopyTo(buffer[(a.Length + b.Length + c.Length)..]);
        return Get(buffer);
    }
}
