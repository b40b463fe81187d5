using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;

namespace NumoTelemetry.Records;

/// <summary>
/// A keyed pseudonym: the 16-byte AES-CMAC tag of the value under an epoch key, plus the id of the key that made it,
/// its kind and scope. The raw value cannot be recovered from it; without the key it cannot be
/// recomputed either.
/// </summary>
/// <remarks>
/// The text form is <c>k{keyId}.{base64url(16 bytes)}</c>, for example
/// <c>k1.q83vEjRWeJCrze8SNFZ4kA</c>. Kind and scope are not part of the text: they travel beside it.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct Pseudonym : IEquatable<Pseudonym>, ISpanFormattable
{
    /// <summary>Number of hash bytes kept.</summary>
    public const int HashSize = 16;

    /// <summary>Maximum length of the text form.</summary>
    public const int MaxTextLength = 1 + 5 + 1 + 22;

    private readonly ulong _lo;
    private readonly ulong _hi;

    private Pseudonym(ulong lo, ulong hi, PseudonymKind kind, PseudonymScope scope, ushort keyId)
    {
        _lo = lo;
        _hi = hi;
        Kind = kind;
        Scope = scope;
        KeyId = keyId;
    }

    /// <summary>The kind (purpose) of the pseudonym; <see cref="PseudonymKind.None"/> for the default value.</summary>
    public PseudonymKind Kind { get; }

    /// <summary>The key scope.</summary>
    public PseudonymScope Scope { get; }

    /// <summary>The id of the master key that made it.</summary>
    public ushort KeyId { get; }

    /// <summary>Whether this is the default (no pseudonym).</summary>
    public bool IsEmpty => Kind == PseudonymKind.None;

    /// <summary>A well-mixed 64-bit value of the pseudonym (its first eight hash bytes).</summary>
    public ulong Hash64 => _lo;

    /// <summary>Hash bytes 8 to 15, little-endian (with <see cref="Hash64"/>, what <see cref="WriteHashBytes"/> writes).</summary>
    internal ulong HashHigh64 => _hi;

    /// <summary>Creates a pseudonym from the first 16 bytes of a keyed hash.</summary>
    public static Pseudonym FromHash(PseudonymKind kind, PseudonymScope scope, ushort keyId, ReadOnlySpan<byte> hash)
    {
        if (hash.Length < HashSize)
        {
            throw new ArgumentException($"At least {HashSize} hash bytes are required.", nameof(hash));
        }

        return new Pseudonym(
            BinaryPrimitives.ReadUInt64LittleEndian(hash),
            BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]),
            kind,
            scope,
            keyId);
    }

    /// <summary>Writes the 16 hash bytes.</summary>
    public void WriteHashBytes(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _lo);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _hi);
    }

    /// <summary>Parses the text form made by <see cref="ToString()"/>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, PseudonymKind kind, PseudonymScope scope, out Pseudonym pseudonym)
    {
        pseudonym = default;
        if (text.Length < 4 || text[0] != 'k')
        {
            return false;
        }

        var dot = text.IndexOf('.');
        if (dot < 2 || !ushort.TryParse(text[1..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var keyId))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[HashSize + 2];
        if (Base64Url.DecodeFromChars(text[(dot + 1)..], hash, out _, out var written) != System.Buffers.OperationStatus.Done || written != HashSize)
        {
            return false;
        }

        pseudonym = FromHash(kind, scope, keyId, hash);
        return true;
    }

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        // The text is ASCII: formatted once, as UTF-8, and widened.
        charsWritten = 0;
        Span<byte> utf8 = stackalloc byte[MaxTextLength];
        return TryFormatUtf8(utf8, out var written)
            && System.Text.Ascii.ToUtf16(utf8[..written], destination, out charsWritten) == System.Buffers.OperationStatus.Done;
    }

    /// <summary>The text form, as UTF-8 (the same characters as <see cref="TryFormat"/>).</summary>
    internal bool TryFormatUtf8(Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (IsEmpty)
        {
            return true;
        }

        // Written by hand: the interpolated TryWrite boxes the key id, and formatting must not allocate.
        if (destination.Length < 3 + EncodedLength || !KeyId.TryFormat(destination[1..], out var digits, default, CultureInfo.InvariantCulture)
            || destination.Length < digits + 2 + EncodedLength)
        {
            return false;
        }

        destination[0] = (byte)'k';
        destination[digits + 1] = (byte)'.';
        var prefix = digits + 2;
        EncodeHash(destination.Slice(prefix, EncodedLength));
        bytesWritten = prefix + EncodedLength;
        return true;
    }

    // The 16 hash bytes in unpadded base64url: 22 characters.
    private const int EncodedLength = 22;

    private static ReadOnlySpan<byte> Base64UrlAlphabet => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8;

    /// <summary>
    /// Base64url of the hash bytes (as <see cref="Base64Url"/> writes them, without padding), six bits at a time from the two
    /// words: the hash bytes in order are the words' bytes little-endian, so each word byte-swapped is 64 bits of the stream.
    /// </summary>
    private void EncodeHash(Span<byte> destination)
    {
        var alphabet = Base64UrlAlphabet;
        var first = BinaryPrimitives.ReverseEndianness(_lo); // stream bits 0-63
        var second = BinaryPrimitives.ReverseEndianness(_hi); // stream bits 64-127
        _ = destination[EncodedLength - 1];
        for (var i = 0; i < 10; i++)
        {
            destination[i] = alphabet[(int)(first >> (58 - (6 * i))) & 63];
        }

        destination[10] = alphabet[(int)(((first & 0xF) << 2) | (second >> 62))];
        for (var i = 0; i < 10; i++)
        {
            destination[11 + i] = alphabet[(int)(second >> (56 - (6 * i))) & 63];
        }

        destination[21] = alphabet[(int)(second & 0x3) << 4];
    }

    /// <summary>The text form <c>k{keyId}.{base64url}</c>; empty for the default value.</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[MaxTextLength];
        return TryFormat(buffer, out var written) ? new string(buffer[..written]) : string.Empty;
    }

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool Equals(Pseudonym other) =>
        _lo == other._lo && _hi == other._hi && Kind == other.Kind && Scope == other.Scope && KeyId == other.KeyId;

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Pseudonym other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)_lo ^ (int)(_lo >> 32) ^ (int)Kind;

    /// <summary>Equality.</summary>
    public static bool operator ==(Pseudonym left, Pseudonym right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Pseudonym left, Pseudonym right) => !left.Equals(right);
}
