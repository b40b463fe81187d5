using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using NumoTelemetry.Privacy;

namespace NumoTelemetry.Capture;

/// <summary>
/// A bounded, lock-free intern table: the same text yields the same string instance while it stays
/// cached, so repeated referrer hosts or UTM values allocate nothing. Direct-mapped; a collision
/// replaces the slot. Used only for low-sensitivity values (hosts, campaign names, language tags).
/// </summary>
internal sealed class StringInterner
{
    private readonly string?[] _slots;
    private readonly int _mask;

    public StringInterner(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 16, 1 << 20));
        _slots = new string?[size];
        _mask = size - 1;
    }

    public string Intern(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return string.Empty;
        }

        var index = string.GetHashCode(value) & _mask;
        var existing = Volatile.Read(ref _slots[index]);
        if (existing is not null && value.SequenceEqual(existing))
        {
            return existing;
        }

        var created = value.ToString();
        Volatile.Write(ref _slots[index], created);
        return created;
    }

    /// <summary>
    /// Interns the lower-cased form of ASCII <paramref name="value"/> (for host names and language tags), cut at 256
    /// characters. Text that is already lower case (nearly all of it) is interned as it is, without a copy.
    /// </summary>
    [SkipLocalsInit] // the buffer is written before it is read
    public string InternLowerAscii(ReadOnlySpan<char> value)
    {
        if (value.Length > MaxLowerAsciiLength)
        {
            value = value[..MaxLowerAsciiLength];
        }

        if (!value.ContainsAny(UpperAscii) && Ascii.IsValid(value))
        {
            return Intern(value);
        }

        Span<char> buffer = stackalloc char[MaxLowerAsciiLength];
        var n = value.ToLowerInvariant(buffer);
        return Intern(buffer[..n]);
    }

    private const int MaxLowerAsciiLength = 256;

    // Not ContainsAnyInRange: its generic-math path allocates until the JIT has optimised it.
    private static readonly SearchValues<char> UpperAscii = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ");

    /// <summary>
    /// Scrubs <paramref name="value"/> (<see cref="FreeTextScrubber"/>) and interns what is kept, lower-cased when
    /// <paramref name="lowerAscii"/>; no string is made for a repeated or redacted value.
    /// </summary>
    public string InternScrubbed(ReadOnlySpan<char> value, bool lowerAscii)
    {
        var kept = FreeTextScrubber.KeptLength(value);
        if (kept < 0)
        {
            return FreeTextScrubber.Redacted;
        }

        return lowerAscii ? InternLowerAscii(value[..kept]) : Intern(value[..kept]);
    }
}
