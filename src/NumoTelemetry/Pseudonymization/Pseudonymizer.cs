using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NumoTelemetry.Records;

namespace NumoTelemetry.Pseudonymization;

/// <summary>
/// Turns raw identifiers into keyed pseudonyms: AES-256-CMAC under an epoch key derived from the current master key,
/// purpose-separated by kind, 16 bytes. The keyed functions of the current epochs are shared by every thread (immutable,
/// no interop on AES-NI processors). No pseudonym is cached by raw value: computing one costs less than looking a raw value
/// up (a CMAC block per 16 input bytes). Only the capture's User-Agent memo keeps a User-Agent's pseudonym and the start of
/// its cookieless visitors' CMAC (<see cref="CookielessVisitorPrefix"/>), keyed by the User-Agent text.
/// </summary>
/// <remarks>
/// Epoch keys: <c>HMAC-SHA256(master, "numo/v2/fraud/{n}")</c> with <c>n = unix seconds / FraudWindow</c>, and
/// <c>HMAC-SHA256(master, "numo/v2/analytics/{day}")</c> for the daily analytics scope. The CMAC message is the kind
/// byte followed by the value (UTF-8 text, or the 4/16 address bytes with the prefix length); a cookieless visitor's is
/// laid out so that its User-Agent part is a whole number of blocks (<see cref="CookielessVisitorPrefix"/>).
/// </remarks>
internal sealed class Pseudonymizer : IDisposable
{
    private readonly KeyRing _keyRing;
    private readonly long _fraudWindowSeconds;
    private readonly int _ipv4PrefixLength;
    private readonly int _ipv6PrefixLength;
    private readonly int _ipv6AddressLength;
    private readonly ConcurrentDictionary<(ushort KeyId, PseudonymScope Scope, long Epoch), AesCmac> _epochKeys = new();
    private readonly EpochFunction?[] _current = new EpochFunction?[2];

    /// <summary>Creates a pseudonymizer.</summary>
    public Pseudonymizer(KeyRing keyRing, PseudonymizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(keyRing);
        ArgumentNullException.ThrowIfNull(options);
        _keyRing = keyRing;
        _fraudWindowSeconds = Math.Max(1, (long)options.FraudWindow.TotalSeconds);
        _ipv4PrefixLength = options.IPv4PrefixLength;
        _ipv6PrefixLength = options.IPv6PrefixLength;
        _ipv6AddressLength = options.IPv6AddressPrefixLength;
    }

    /// <summary>The key ring.</summary>
    public KeyRing KeyRing => _keyRing;

    /// <summary>The length of a fraud epoch (<see cref="PseudonymizationOptions.FraudWindow"/>) in seconds.</summary>
    internal long FraudWindowSeconds => _fraudWindowSeconds;

    /// <summary>
    /// The cache and context tag of a scope at a time: the epoch number and the key id current then, so a
    /// scheduled key rotation or an epoch change never serves a stale pseudonym.
    /// </summary>
    internal long TagOf(PseudonymScope scope, DateTimeOffset at) => (EpochOf(scope, at) << 16) | _keyRing.KeyIdAt(at);

    /// <summary>The epoch number of <paramref name="scope"/> at <paramref name="at"/>.</summary>
    public long EpochOf(PseudonymScope scope, DateTimeOffset at)
    {
        var seconds = at.ToUnixTimeSeconds();
        var length = scope == PseudonymScope.Analytics ? 86_400 : _fraudWindowSeconds;
        return seconds >= 0 ? seconds / length : ((seconds + 1) / length) - 1;
    }

    /// <summary>
    /// Pseudonymises a raw identifier given as text, normalising it for its kind first (accounts and e-mails
    /// lower-cased, phone numbers to E.164, IPs parsed; for <see cref="PseudonymKind.IpPrefix"/> the text is an
    /// IP and its network prefix is pseudonymised). Returns the empty pseudonym for an unusable value.
    /// </summary>
    public Pseudonym Pseudonymize(PseudonymKind kind, ReadOnlySpan<char> value, DateTimeOffset at, PseudonymScope scope = PseudonymScope.Fraud) =>
        Normalized(kind, value, TagOf(scope, at), scope, default, asCaptured: false);

    /// <summary>
    /// The pseudonym <paramref name="value"/> had, or would have had, under key <paramref name="keyId"/> in epoch
    /// <paramref name="epoch"/> of <paramref name="scope"/> (a fraud window or an analytics day), normalised as
    /// <see cref="Pseudonymize"/> does (a phone number with <paramref name="defaultCallingCode"/>, as capture does). Finding a
    /// subject computes every key and epoch of the retention period once. Empty for an unusable value or a key not in the ring.
    /// </summary>
    internal Pseudonym PseudonymizeAt(PseudonymKind kind, ReadOnlySpan<char> value, ushort keyId, long epoch, PseudonymScope scope, ReadOnlySpan<char> defaultCallingCode = default) =>
        _keyRing.Contains(keyId) ? Normalized(kind, value, (epoch << 16) | keyId, scope, defaultCallingCode, asCaptured: true) : default;

    /// <summary>
    /// Normalises <paramref name="value"/> for its kind and pseudonymises it under <paramref name="tag"/>. Other kinds' text is
    /// trimmed, or with <paramref name="asCaptured"/> cut as capture cuts it (session and visitor ids are hashed as the cookie
    /// holds them).
    /// </summary>
    private Pseudonym Normalized(PseudonymKind kind, ReadOnlySpan<char> value, long tag, PseudonymScope scope, ReadOnlySpan<char> defaultCallingCode, bool asCaptured)
    {
        switch (kind)
        {
            case PseudonymKind.None:
                return default;
            case PseudonymKind.Ip:
            case PseudonymKind.IpPrefix:
                return ClientAddress.TryParse(value, out var address) ? PseudonymizeAddress(address, kind, tag, scope) : default;
            case PseudonymKind.User:
            case PseudonymKind.Email:
            {
                Span<char> buffer = stackalloc char[IdentifierNormalizer.MaxLength];
                var n = IdentifierNormalizer.NormalizeAccount(value, buffer);
                return n == 0 ? default : ComputeText(kind, scope, tag, buffer[..n]);
            }

            case PseudonymKind.Phone:
            {
                Span<char> buffer = stackalloc char[16];
                var n = IdentifierNormalizer.NormalizePhone(value, defaultCallingCode, buffer);
                return n == 0 ? default : ComputeText(kind, scope, tag, buffer[..n]);
            }

            default:
                value = !asCaptured ? value.Trim()
                    : value.Length > IdentifierNormalizer.MaxLength ? value[..IdentifierNormalizer.MaxLength] : value;
                return value.IsEmpty ? default : ComputeText(kind, scope, tag, value);
        }
    }

    /// <summary>Pseudonymises text that is already in canonical form.</summary>
    internal Pseudonym PseudonymizeNormalized(PseudonymKind kind, ReadOnlySpan<char> value, DateTimeOffset at, PseudonymScope scope) =>
        PseudonymizeNormalized(kind, value, TagOf(scope, at), scope);

    /// <summary>Pseudonymises canonical text under a tag from <see cref="TagOf"/> (the hot path works out each scope's tag once per request).</summary>
    internal Pseudonym PseudonymizeNormalized(PseudonymKind kind, ReadOnlySpan<char> value, long epoch, PseudonymScope scope)
        => ComputeText(kind, scope, epoch, value);

    /// <summary>Pseudonymises an address (<see cref="PseudonymKind.Ip"/>) or its network prefix (<see cref="PseudonymKind.IpPrefix"/>).</summary>
    public Pseudonym PseudonymizeAddress(in ClientAddress address, PseudonymKind kind, DateTimeOffset at, PseudonymScope scope = PseudonymScope.Fraud) =>
        PseudonymizeAddress(address, kind, TagOf(scope, at), scope);

    /// <summary>Pseudonymises an address or its prefix under a tag from <see cref="TagOf"/>.</summary>
    internal Pseudonym PseudonymizeAddress(in ClientAddress address, PseudonymKind kind, long epoch, PseudonymScope scope)
    {
        if (!address.HasValue || (kind != PseudonymKind.Ip && kind != PseudonymKind.IpPrefix))
        {
            return default;
        }

        // An IPv6 client's IP is its /64 by default (Pseudonymization:IPv6AddressPrefixLength).
        var subject = kind == PseudonymKind.IpPrefix ? address.ToPrefix(_ipv4PrefixLength, _ipv6PrefixLength)
            : address.IsIPv4 || _ipv6AddressLength >= 128 ? address
            : address.ToPrefix(32, _ipv6AddressLength);
        Span<byte> message = stackalloc byte[18];
        var n = subject.WriteBytes(message);
        message[n++] = (byte)(kind == PseudonymKind.IpPrefix ? (address.IsIPv4 ? _ipv4PrefixLength : _ipv6PrefixLength)
            : address.IsIPv4 || _ipv6AddressLength >= 128 ? 255 : _ipv6AddressLength);
        return Compute(kind, scope, epoch, message[..n]);
    }

    /// <summary>
    /// The cookieless daily visitor (Plausible-style): a keyed hash of IP, User-Agent and site under the day's
    /// analytics key.
    /// </summary>
    public Pseudonym PseudonymizeCookielessVisitor(in ClientAddress address, ReadOnlySpan<char> userAgent, ReadOnlySpan<char> site, DateTimeOffset at) =>
        PseudonymizeCookielessVisitor(address, userAgent, site, TagOf(PseudonymScope.Analytics, at));

    /// <summary>The cookieless daily visitor under an analytics tag from <see cref="TagOf"/>.</summary>
    internal Pseudonym PseudonymizeCookielessVisitor(in ClientAddress address, ReadOnlySpan<char> userAgent, ReadOnlySpan<char> site, long epoch) =>
        PseudonymizeCookielessVisitor(CookielessVisitorPrefix(userAgent, epoch), address, site);

    /// <summary>A <see cref="CookielessVisitorPrefix"/> and the analytics tag (epoch and key id) it was taken under.</summary>
    internal readonly record struct VisitorPrefix(AesCmac.Prefix Start, long Tag);

    /// <summary>
    /// The start of every cookieless visitor with this User-Agent under an analytics tag: the kind byte, the User-Agent's UTF-8
    /// length (4 bytes) and its UTF-8, zero-padded to a whole block. The User-Agent memo keeps it, so a request from a known
    /// browser tags only its address and site.
    /// </summary>
    internal VisitorPrefix CookielessVisitorPrefix(ReadOnlySpan<char> userAgent, long epoch)
    {
        var writer = GetFunction(PseudonymScope.Analytics, epoch, out _).Begin();
        Span<byte> head = stackalloc byte[5];
        head[0] = (byte)PseudonymKind.Visitor;
        var length = Encoding.UTF8.GetByteCount(userAgent);
        BinaryPrimitives.WriteInt32LittleEndian(head[1..], length);
        writer.Append(head);
        writer.AppendUtf8(userAgent);
        var padding = (16 - ((head.Length + length) % 16)) % 16;
        Span<byte> zeros = stackalloc byte[16];
        zeros.Clear();
        writer.Append(zeros[..padding]);
        return new VisitorPrefix(writer.TakePrefix(), epoch);
    }

    /// <summary>
    /// The cookieless daily visitor from its User-Agent's <see cref="CookielessVisitorPrefix"/>: then the address family (4 or 6),
    /// the address (4 or 16 bytes), the site's UTF-8 length (4 bytes) and its UTF-8.
    /// </summary>
    internal Pseudonym PseudonymizeCookielessVisitor(in VisitorPrefix prefix, in ClientAddress address, ReadOnlySpan<char> site)
    {
        var mac = prefix.Start.Mac ?? throw new ArgumentException("The prefix is empty.", nameof(prefix));
        Span<byte> head = stackalloc byte[1 + 16 + 4];
        head[0] = (byte)(address.IsIPv4 ? 4 : 6);
        var n = 1 + address.WriteBytes(head[1..]);
        BinaryPrimitives.WriteInt32LittleEndian(head[n..], Encoding.UTF8.GetByteCount(site));
        n += 4;
        var writer = mac.Continue(prefix.Start);
        writer.Append(head[..n]);
        writer.AppendUtf8(site);
        return Finish(ref writer, PseudonymKind.Visitor, PseudonymScope.Analytics, (ushort)(prefix.Tag & 0xFFFF));
    }

    private Pseudonym ComputeText(PseudonymKind kind, PseudonymScope scope, long epoch, ReadOnlySpan<char> value)
    {
        var writer = GetFunction(scope, epoch, out var keyId).Begin();
        writer.Append((byte)kind);
        writer.AppendUtf8(value);
        return Finish(ref writer, kind, scope, keyId);
    }

    private Pseudonym Compute(PseudonymKind kind, PseudonymScope scope, long epoch, ReadOnlySpan<byte> message)
    {
        var writer = GetFunction(scope, epoch, out var keyId).Begin();
        writer.Append((byte)kind);
        writer.Append(message);
        return Finish(ref writer, kind, scope, keyId);
    }

    private Pseudonym Finish(ref AesCmac.Writer writer, PseudonymKind kind, PseudonymScope scope, ushort keyId)
    {
        Span<byte> tag = stackalloc byte[AesCmac.TagSize];
        writer.Finish(tag);
        return Pseudonym.FromHash(kind, scope, keyId, tag);
    }

    /// <summary>The keyed function of a scope and tag (epoch and key id): the scope's current one, else derived (or found) and made current.</summary>
    private AesCmac GetFunction(PseudonymScope scope, long tag, out ushort keyId)
    {
        keyId = (ushort)(tag & 0xFFFF);
        ref var current = ref _current[(int)scope & 1];
        var function = Volatile.Read(ref current);
        if (function is not null && function.Tag == tag)
        {
            return function.Mac;
        }

        var mac = GetEpochFunction(keyId, scope, tag >> 16);
        Volatile.Write(ref current, new EpochFunction(tag, mac));
        return mac;
    }

    /// <summary>The keyed function of one scope and epoch, under its derived key (cached; only a handful exist at a time).</summary>
    private AesCmac GetEpochFunction(ushort keyId, PseudonymScope scope, long epoch)
    {
        if (_epochKeys.TryGetValue((keyId, scope, epoch), out var function))
        {
            return function;
        }

        if (_epochKeys.Count > 64)
        {
            _epochKeys.Clear();
        }

        var label = string.Create(CultureInfo.InvariantCulture, $"numo/v2/{(scope == PseudonymScope.Fraud ? "fraud" : "analytics")}/{epoch}");
        Span<byte> key = stackalloc byte[32];
        HMACSHA256.HashData(_keyRing.GetKey(keyId), Encoding.UTF8.GetBytes(label), key);
        function = new AesCmac(key);
        CryptographicOperations.ZeroMemory(key);
        return _epochKeys.GetOrAdd((keyId, scope, epoch), function);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _current.AsSpan().Clear();
        _epochKeys.Clear();
    }

    private sealed record EpochFunction(long Tag, AesCmac Mac);
}
