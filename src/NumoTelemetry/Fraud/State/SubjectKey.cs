using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.State;

/// <summary>
/// A fraud subject: a fraud-scope pseudonym with its kind and key id, or an autonomous system number.
/// 24 bytes, no reference: a dictionary key that costs no allocation.
/// </summary>
/// <remarks>
/// The text form (<see cref="ToString()"/>) is the subject as alerts spell it: the pseudonym text
/// <c>k{keyId}.{base64url}</c> (what <c>numo pseudonymize</c> prints), the AS number for <see cref="SubjectKind.Asn"/>, the prefix in clear
/// (<c>+4477009</c>) for <see cref="SubjectKind.PhonePrefix"/>, <c>site</c> for <see cref="SubjectKind.Site"/>.
/// The key id is part of the identity, so state made under a key that has been rotated out ages out with it,
/// and <see cref="IFraudStateStore.ForgetKeyAsync"/> can erase it.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct SubjectKey : IEquatable<SubjectKey>, ISpanFormattable
{
    /// <summary>The longest text form.</summary>
    public const int MaxTextLength = Pseudonym.MaxTextLength;

    private readonly ulong _lo;
    private readonly ulong _hi;

    private SubjectKey(SubjectKind kind, ushort keyId, ulong lo, ulong hi)
    {
        Kind = kind;
        KeyId = keyId;
        _lo = lo;
        _hi = hi;
    }

    /// <summary>The kind of subject.</summary>
    public SubjectKind Kind { get; }

    /// <summary>The id of the pseudonymisation key that made the subject's pseudonym (0 for <see cref="SubjectKind.Asn"/>).</summary>
    public ushort KeyId { get; }

    /// <summary>Whether this is the default value.</summary>
    public bool IsEmpty => Kind == SubjectKind.None;

    /// <summary>A well-mixed 64-bit value of the subject (the pseudonym's first hash bytes; a mixed AS number, phone prefix or site).</summary>
    public ulong Hash64 => Kind == SubjectKind.Asn ? StateMath.Mix(_lo) : IsPseudonymous ? _lo : StateMath.Mix(_lo ^ ((ulong)Kind << 56));

    /// <summary>Whether the subject is a pseudonym (not an AS number, a phone prefix or the site).</summary>
    public bool IsPseudonymous => IsPseudonymousKind(Kind);

    /// <summary>The subject of the whole site (<see cref="SubjectKind.Site"/>).</summary>
    public static SubjectKey Site { get; } = new(SubjectKind.Site, 0, 1, 0);

    /// <summary>
    /// The subject of a phone number prefix: <paramref name="digits"/> are the calling code and the leading digits kept in clear, as one
    /// number (calling codes never begin with 0, so the digits are unambiguous). Empty for 0 or more than 18 digits.
    /// </summary>
    public static SubjectKey ForPhonePrefix(ulong digits) =>
        digits is > 0 and < 1_000_000_000_000_000_000UL ? new SubjectKey(SubjectKind.PhonePrefix, 0, digits, 0) : default;

    /// <summary>The AS number of an <see cref="SubjectKind.Asn"/> subject; 0 otherwise.</summary>
    public long Asn => Kind == SubjectKind.Asn ? (long)_lo : 0;

    /// <summary>The subject of a pseudonym; empty when <paramref name="pseudonym"/> is empty or <paramref name="kind"/> is <see cref="SubjectKind.Asn"/>.</summary>
    public static SubjectKey From(SubjectKind kind, in Pseudonym pseudonym)
    {
        if (pseudonym.IsEmpty || kind is SubjectKind.None or SubjectKind.Asn)
        {
            return default;
        }

        // The hash bytes' two little-endian halves, read straight from the pseudonym (called several times per record: no
        // stack buffer, no copy).
        return new SubjectKey(kind, pseudonym.KeyId, pseudonym.Hash64, pseudonym.HashHigh64);
    }

    /// <summary>The subject of an autonomous system; empty for a non-positive number.</summary>
    public static SubjectKey ForAsn(long asn) => asn > 0 ? new SubjectKey(SubjectKind.Asn, 0, (ulong)asn, 0) : default;

    /// <summary>The text name of a kind: <c>ip</c>, <c>ip-prefix</c>, <c>session</c>, <c>visitor</c>, <c>user</c>, <c>asn</c>.</summary>
    public static string KindName(SubjectKind kind) => kind switch
    {
        SubjectKind.Ip => "ip",
        SubjectKind.IpPrefix => "ip-prefix",
        SubjectKind.Session => "session",
        SubjectKind.Visitor => "visitor",
        SubjectKind.User => "user",
        SubjectKind.Asn => "asn",
        SubjectKind.PhonePrefix => "phone-prefix",
        SubjectKind.Site => "site",
        _ => "none",
    };

    /// <summary>The pseudonym kind a subject kind is made from.</summary>
    public static PseudonymKind PseudonymKindOf(SubjectKind kind) => kind switch
    {
        SubjectKind.Ip => PseudonymKind.Ip,
        SubjectKind.IpPrefix => PseudonymKind.IpPrefix,
        SubjectKind.Session => PseudonymKind.Session,
        SubjectKind.Visitor => PseudonymKind.Visitor,
        SubjectKind.User => PseudonymKind.User,
        _ => PseudonymKind.None,
    };

    /// <summary>The pseudonym behind the subject (empty for <see cref="SubjectKind.Asn"/>).</summary>
    public Pseudonym ToPseudonym()
    {
        if (!IsPseudonymous)
        {
            return default;
        }

        Span<byte> hash = stackalloc byte[Pseudonym.HashSize];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(hash, _lo);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(hash[8..], _hi);
        return Pseudonym.FromHash(PseudonymKindOf(Kind), PseudonymScope.Fraud, KeyId, hash);
    }

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        if (Kind == SubjectKind.Asn)
        {
            return _lo.TryFormat(destination, out charsWritten, default, CultureInfo.InvariantCulture);
        }

        if (Kind == SubjectKind.PhonePrefix)
        {
            charsWritten = 0;
            if (destination.Length < 2 || !_lo.TryFormat(destination[1..], out var digits, default, CultureInfo.InvariantCulture))
            {
                return false;
            }

            destination[0] = '+';
            charsWritten = digits + 1;
            return true;
        }

        if (Kind == SubjectKind.Site)
        {
            charsWritten = 0;
            if (!"site".AsSpan().TryCopyTo(destination))
            {
                return false;
            }

            charsWritten = 4;
            return true;
        }

        return ToPseudonym().TryFormat(destination, out charsWritten);
    }

    /// <summary>The subject as alerts spell it: the pseudonym text, the AS number, the phone prefix (<c>+4477009</c>) or <c>site</c>.</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[MaxTextLength];
        return TryFormat(buffer, out var written) ? new string(buffer[..written]) : string.Empty;
    }

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool Equals(SubjectKey other) => _lo == other._lo && _hi == other._hi && Kind == other.Kind && KeyId == other.KeyId;

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is SubjectKey other && Equals(other);

    /// <inheritdoc />
    /// <remarks>Randomised per process for the subjects whose <see cref="Hash64"/> anyone can compute (see <see cref="TableHash"/>).</remarks>
    public override int GetHashCode() => TableHash(Kind, Hash64);

    /// <summary>
    /// The hash a table of subjects should index by. A pseudonym's <see cref="Hash64"/> is a keyed hash, so no client can aim
    /// at a slot. An AS number's, a phone prefix's or the site's is computed from a value in clear by a public function: a
    /// client choosing phone prefixes (an OTP request each) could pick thousands whose hashes meet and make every lookup walk
    /// them. Those go through <see cref="HashCode"/>, seeded at random in each process.
    /// </summary>
    internal static int TableHash(SubjectKind kind, ulong hash64) =>
        IsPseudonymousKind(kind) ? (int)hash64 ^ (int)(hash64 >> 32) ^ ((int)kind << 24) : HashCode.Combine(hash64, kind);

    private static bool IsPseudonymousKind(SubjectKind kind) =>
        kind is not (SubjectKind.None or SubjectKind.Asn or SubjectKind.PhonePrefix or SubjectKind.Site);

    /// <summary>Equality.</summary>
    public static bool operator ==(SubjectKey left, SubjectKey right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(SubjectKey left, SubjectKey right) => !left.Equals(right);
}
