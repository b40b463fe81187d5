using System.Text;
using NumoTelemetry.Internal;

namespace NumoTelemetry.Cli.Replay;

/// <summary>
/// Recent strings looked up by their UTF-8 bytes or chars, interned (<see cref="BoundedInterner"/>): a log repeats its paths, cookies,
/// sessions and accounts from line to line, so a repeat returns the string made before instead of allocating one per line.
/// Single-threaded (one capture thread's): it owns the decoding buffer.
/// </summary>
internal sealed class RecentStrings
{
    private const int MaxLength = 512;
    private readonly BoundedInterner _strings;
    private readonly char[] _chars = new char[MaxLength];

    public RecentStrings(int capacity) => _strings = new BoundedInterner(capacity, MaxLength);

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
    public string Get(ReadOnlySpan<char> chars) => _strings.Intern(chars);

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
