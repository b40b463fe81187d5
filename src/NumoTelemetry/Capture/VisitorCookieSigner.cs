using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Capture;

/// <summary>
/// Makes and checks visitor cookie values: <c>base64url(key id (2 bytes) | random (16 bytes) | tag (10 bytes))</c>, the tag being
/// AES-256-CMAC of key id and random bytes under a key derived from the key ring's master key
/// (<c>HMAC-SHA256(master, "numo/v2/visitor-cookie")</c>),
/// truncated to 80 bits. Only a value this site issued verifies, so a client cannot make up "returning visitors" nor rotate
/// made-up cookies unnoticed. The key id lets cookies outlive a key rotation while the old key stays in the ring.
/// </summary>
internal sealed class VisitorCookieSigner
{
    /// <summary>Length of a cookie value in characters.</summary>
    public const int ValueLength = 38; // base64url of 28 bytes, unpadded

    private const int RandomBytes = 16;
    private const int TagBytes = 10;
    private const int TotalBytes = 2 + RandomBytes + TagBytes;

    private readonly KeyRing _keyRing;
    private readonly FrozenDictionary<ushort, AesCmac> _keys;

    /// <summary>Creates a signer under the keys of <paramref name="keyRing"/>.</summary>
    public VisitorCookieSigner(KeyRing keyRing)
    {
        _keyRing = keyRing;
        var label = Encoding.UTF8.GetBytes("numo/v2/visitor-cookie");
        var keys = new Dictionary<ushort, AesCmac>();
        Span<byte> key = stackalloc byte[32];
        foreach (var id in keyRing.KeyIds)
        {
            HMACSHA256.HashData(keyRing.GetKey(id), label, key);
            keys[id] = new AesCmac(key);
        }

        CryptographicOperations.ZeroMemory(key);

        _keys = keys.ToFrozenDictionary();
    }

    /// <summary>A new signed value under the key current at <paramref name="at"/>.</summary>
    public string Issue(DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[TotalBytes];
        var keyId = _keyRing.KeyIdAt(at);
        BinaryPrimitives.WriteUInt16BigEndian(bytes, keyId);
        RandomNumberGenerator.Fill(bytes.Slice(2, RandomBytes));
        Tag(_keys[keyId], bytes[..(2 + RandomBytes)], bytes[(2 + RandomBytes)..]);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// Whether <paramref name="value"/> was issued by this site (under a key still in the ring). Allocates nothing; costs a
    /// base64url decode and a two-block CMAC, so nothing is cached (a cache of verified values would cost as much to look up).
    /// </summary>
    public bool Verify(ReadOnlySpan<char> value)
    {
        Span<byte> bytes = stackalloc byte[TotalBytes + 2];
        if (value.Length != ValueLength
            || Base64Url.DecodeFromChars(value, bytes, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || written != TotalBytes
            || consumed != value.Length)
        {
            return false;
        }

        if (!_keys.TryGetValue(BinaryPrimitives.ReadUInt16BigEndian(bytes), out var key))
        {
            return false;
        }

        Span<byte> tag = stackalloc byte[TagBytes];
        Tag(key, bytes[..(2 + RandomBytes)], tag);
        return CryptographicOperations.FixedTimeEquals(tag, bytes.Slice(2 + RandomBytes, TagBytes));
    }

    private static void Tag(AesCmac key, ReadOnlySpan<byte> message, Span<byte> tag)
    {
        Span<byte> mac = stackalloc byte[AesCmac.TagSize];
        key.Compute(message, mac);
        mac[..TagBytes].CopyTo(tag);
    }
}
