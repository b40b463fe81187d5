using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using NumoTelemetry.Internal;
using NumoTelemetry.Privacy;

namespace NumoTelemetry.Capture;

/// <summary>
/// The capture's ways of interning text through a <see cref="BoundedInterner"/>: lower-cased (host names, language tags) and
/// scrubbed (referrer hosts, UTM values, client hints). Used only for low-sensitivity values.
/// </summary>
internal static class InternedText
{
    /// <summary>The longest text lower-cased; longer text is cut.</summary>
    public const int MaxLowerAsciiLength = 256;

    // Not ContainsAnyInRange: its generic-math path allocates until the JIT has optimised it.
    private static readonly SearchValues<char> UpperAscii = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ");

    /// <summary>
    /// Interns the lower-cased form of ASCII <paramref name="value"/>, cut at <see cref="MaxLowerAsciiLength"/> characters. Text
    /// that is already lower case (nearly all of it) is interned as it is, without a copy.
    /// </summary>
    [SkipLocalsInit] // the buffer is written before it is read
    public static string InternLowerAscii(this BoundedInterner interner, ReadOnlySpan<char> value)
    {
        if (value.Length > MaxLowerAsciiLength)
        {
            value = value[..MaxLowerAsciiLength];
        }

        if (!value.ContainsAny(UpperAscii) && Ascii.IsValid(value))
        {
            return interner.Intern(value);
        }

        Span<char> buffer = stackalloc char[MaxLowerAsciiLength];
        var n = value.ToLowerInvariant(buffer);
        return interner.Intern(buffer[..n]);
    }

    /// <summary>
    /// Scrubs <paramref name="value"/> (<see cref="FreeTextScrubber"/>) and interns what is kept, lower-cased when
    /// <paramref name="lowerAscii"/>; no string is made for a repeated or redacted value.
    /// </summary>
    public static string InternScrubbed(this BoundedInterner interner, ReadOnlySpan<char> value, bool lowerAscii) =>
        interner.InternKept(value, FreeTextScrubber.KeptLength(value), lowerAscii);

    /// <summary>
    /// As <see cref="InternScrubbed(BoundedInterner, ReadOnlySpan{char}, bool)"/>, remembering in <paramref name="passed"/> the text
    /// that passed the scrubber whole: a repeated value (a referrer host, a campaign) is found there by its text instead of being
    /// scanned again. Only text that passed whole is ever held in <paramref name="passed"/>.
    /// </summary>
    public static string InternScrubbed(this BoundedInterner interner, ReadOnlySpan<char> value, bool lowerAscii, BoundedInterner passed)
    {
        if (!passed.TryGet(value, out var held))
        {
            var kept = FreeTextScrubber.KeptLength(value);
            if (kept != value.Length || kept > passed.MaxLength)
            {
                return interner.InternKept(value, kept, lowerAscii);
            }

            held = passed.Intern(value);
        }

        return lowerAscii ? interner.InternLowerAscii(held) : held;
    }

    /// <summary>What the scrubber kept of <paramref name="value"/> (<see cref="FreeTextScrubber.KeptLength"/>), interned.</summary>
    private static string InternKept(this BoundedInterner interner, ReadOnlySpan<char> value, int kept, bool lowerAscii) =>
        kept < 0 ? FreeTextScrubber.Redacted
        : lowerAscii ? interner.InternLowerAscii(value[..kept]) : interner.Intern(value[..kept]);
}
