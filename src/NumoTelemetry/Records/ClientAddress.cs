using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NumoTelemetry.Records;

/// <summary>
/// An IPv4 or IPv6 address as a value (no heap allocation), IPv4-mapped IPv6 normalised to IPv4.
/// </summary>
/// <remarks>
/// This is a raw identifier: it lives only in process memory during the request and is never
/// stored in a record, log, metric or alert. Only its pseudonyms leave the capture stage.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct ClientAddress : IEquatable<ClientAddress>
{
    private readonly UInt128 _bits;
    private readonly byte _family; // 0 none, 4, 6

    private ClientAddress(UInt128 bits, byte family)
    {
        _bits = bits;
        _family = family;
    }

    /// <summary>Whether an address is present.</summary>
    public bool HasValue => _family != 0;

    /// <summary>Whether the address is IPv4 (including a normalised IPv4-mapped IPv6 address).</summary>
    public bool IsIPv4 => _family == 4;

    /// <summary>The address bits: IPv4 in the low 32 bits, IPv6 as a big-endian 128-bit number.</summary>
    public UInt128 Bits => _bits;

    /// <summary>Number of address bytes (4 or 16), 0 when empty.</summary>
    public int ByteLength => _family == 4 ? 4 : _family == 6 ? 16 : 0;

    /// <summary>An IPv4 address from its 32-bit big-endian value.</summary>
    public static ClientAddress FromIPv4(uint value) => new(value, 4);

    /// <summary>An IPv6 address from its 128-bit big-endian value; IPv4-mapped addresses become IPv4.</summary>
    public static ClientAddress FromIPv6(UInt128 value)
    {
        // ::ffff:a.b.c.d
        if ((value >> 32) == 0xFFFF)
        {
            return new ClientAddress((uint)value, 4);
        }

        return new ClientAddress(value, 6);
    }

    /// <summary>Converts an <see cref="IPAddress"/> (normalising IPv4-mapped IPv6).</summary>
    public static ClientAddress FromIPAddress(IPAddress? address)
    {
        if (address is null)
        {
            return default;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            return default;
        }

        return FromBytes(bytes[..written]);
    }

    /// <summary>An address from 4 or 16 network-order bytes.</summary>
    public static ClientAddress FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        4 => FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(bytes)),
        16 => FromIPv6(BinaryPrimitives.ReadUInt128BigEndian(bytes)),
        _ => default,
    };

    /// <summary>Writes the 4 or 16 network-order bytes; returns the count.</summary>
    public int WriteBytes(Span<byte> destination)
    {
        if (_family == 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_bits);
            return 4;
        }

        if (_family == 6)
        {
            BinaryPrimitives.WriteUInt128BigEndian(destination, _bits);
            return 16;
        }

        return 0;
    }

    /// <summary>Creates an <see cref="IPAddress"/> (allocates; for background work and tools only).</summary>
    public IPAddress? ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        var n = WriteBytes(bytes);
        return n == 0 ? null : new IPAddress(bytes[..n]);
    }

    /// <summary>The network prefix of this address: the first <paramref name="ipv4Bits"/> or <paramref name="ipv6Bits"/> bits, rest zeroed.</summary>
    public ClientAddress ToPrefix(int ipv4Bits, int ipv6Bits)
    {
        if (_family == 4)
        {
            var mask = ipv4Bits <= 0 ? 0u : ipv4Bits >= 32 ? uint.MaxValue : uint.MaxValue << (32 - ipv4Bits);
            return new ClientAddress((uint)_bits & mask, 4);
        }

        if (_family == 6)
        {
            var mask = ipv6Bits <= 0 ? UInt128.Zero : ipv6Bits >= 128 ? UInt128.MaxValue : UInt128.MaxValue << (128 - ipv6Bits);
            return new ClientAddress(_bits & mask, 6);
        }

        return default;
    }

    /// <summary>Whether this address lies in <paramref name="network"/>/<paramref name="prefixLength"/>.</summary>
    public bool IsInNetwork(ClientAddress network, int prefixLength) =>
        _family == network._family && ToPrefix(prefixLength, prefixLength)._bits == network._bits;

    /// <summary>Whether the address is loopback, private, link-local or otherwise not globally routable.</summary>
    public bool IsPrivateOrLocal
    {
        get
        {
            if (_family == 4)
            {
                var v = (uint)_bits;
                return (v >> 24) == 10 || (v >> 24) == 127 || (v >> 24) == 0
                    || (v >> 20) == (172u << 4 | 1) // 172.16/12
                    || (v >> 16) == (192u << 8 | 168)
                    || (v >> 16) == (169u << 8 | 254)
                    || (v >> 22) == (100u << 2 | 1); // 100.64/10 carrier-grade NAT
            }

            if (_family == 6)
            {
                var top = (ulong)(_bits >> 64);
                return _bits == UInt128.One || _bits == UInt128.Zero
                    || (top >> 57) == (0xFC >> 1) // fc00::/7
                    || (top >> 54) == (0xFE80 >> 6); // fe80::/10
            }

            return false;
        }
    }

    /// <summary>
    /// Parses an IPv4 or IPv6 address without allocating. Accepts an optional port
    /// (<c>1.2.3.4:80</c>, <c>[::1]:80</c>) and an IPv6 zone id, both ignored.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ClientAddress address)
    {
        address = default;
        text = text.Trim();
        if (text.IsEmpty || text.Length > 64)
        {
            return false;
        }

        if (text[0] == '[')
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            var rest = text[(close + 1)..];
            if (!rest.IsEmpty && (rest[0] != ':' || !IsPort(rest[1..])))
            {
                return false;
            }

            return TryParseIPv6(text[1..close], out address);
        }

        var colon = text.IndexOf(':');
        if (colon < 0)
        {
            return TryParseIPv4(text, out address);
        }

        if (text.LastIndexOf(':') == colon && text.IndexOf('.') >= 0)
        {
            // a.b.c.d:port
            return IsPort(text[(colon + 1)..]) && TryParseIPv4(text[..colon], out address);
        }

        return TryParseIPv6(text, out address);
    }

    private static bool IsPort(ReadOnlySpan<char> s) =>
        !s.IsEmpty && s.Length <= 5 && ushort.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static bool TryParseIPv4(ReadOnlySpan<char> s, out ClientAddress address)
    {
        address = default;
        if (!TryParseIPv4Bits(s, out var value))
        {
            return false;
        }

        address = FromIPv4(value);
        return true;
    }

    private static bool TryParseIPv4Bits(ReadOnlySpan<char> s, out uint value)
    {
        value = 0;
        var parts = 0;
        var i = 0;
        while (parts < 4)
        {
            var start = i;
            uint octet = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                octet = (octet * 10) + (uint)(s[i] - '0');
                i++;
                if (i - start > 3 || octet > 255)
                {
                    return false;
                }
            }

            if (i == start || (i - start > 1 && s[start] == '0'))
            {
                return false; // empty or leading zero (octal ambiguity)
            }

            value = (value << 8) | octet;
            parts++;
            if (parts < 4)
            {
                if (i >= s.Length || s[i] != '.')
                {
                    return false;
                }

                i++;
            }
        }

        return i == s.Length;
    }

    // Long because: a tight parser: groups, '::' and an embedded IPv4 tail in one pass without allocation.
    private static bool TryParseIPv6(ReadOnlySpan<char> s, out ClientAddress address)
    {
        address = default;
        var zone = s.IndexOf('%');
        if (zone >= 0)
        {
            s = s[..zone];
        }

        if (s.Length < 2)
        {
            return false;
        }

        Span<ushort> groups = stackalloc ushort[8];
        var count = 0;
        var gap = -1;
        var i = 0;
        if (s[0] == ':')
        {
            if (s[1] != ':')
            {
                return false;
            }

            gap = 0;
            i = 2;
            if (i == s.Length)
            {
                address = FromIPv6(UInt128.Zero);
                return true;
            }
        }

        while (i < s.Length)
        {
            if (count == 8)
            {
                return false;
            }

            var start = i;
            var value = 0;
            while (i < s.Length && char.IsAsciiHexDigit(s[i]))
            {
                value = (value << 4) | HexValue(s[i]);
                i++;
                if (i - start > 4)
                {
                    return false;
                }
            }

            if (i < s.Length && s[i] == '.')
            {
                // embedded IPv4 in the last 32 bits
                if (count > 6 || !TryParseIPv4Bits(s[start..], out var v4))
                {
                    return false;
                }

                groups[count++] = (ushort)(v4 >> 16);
                groups[count++] = (ushort)v4;
                i = s.Length;
                break;
            }

            if (i == start)
            {
                return false;
            }

            groups[count++] = (ushort)value;
            if (i == s.Length)
            {
                break;
            }

            if (s[i] != ':')
            {
                return false;
            }

            i++;
            if (i < s.Length && s[i] == ':')
            {
                if (gap >= 0)
                {
                    return false;
                }

                gap = count;
                i++;
                if (i == s.Length)
                {
                    break;
                }
            }
            else if (i == s.Length)
            {
                return false; // trailing single colon
            }
        }

        if (gap < 0 ? count != 8 : count > 7)
        {
            return false;
        }

        UInt128 bits = 0;
        var fill = 8 - count;
        var g = 0;
        for (var k = 0; k < 8; k++)
        {
            ushort word;
            if (gap >= 0 && k >= gap && k < gap + fill)
            {
                word = 0;
            }
            else
            {
                word = groups[g++];
            }

            bits = (bits << 16) | word;
        }

        address = FromIPv6(bits);
        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Parses CIDR notation (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>) or a single address.</summary>
    public static bool TryParseNetwork(ReadOnlySpan<char> text, out ClientAddress network, out int prefixLength)
    {
        network = default;
        prefixLength = 0;
        var slash = text.IndexOf('/');
        var addressPart = slash < 0 ? text : text[..slash];
        if (!TryParse(addressPart, out var address))
        {
            return false;
        }

        var max = address.IsIPv4 && !addressPart.Contains(':') ? 32 : 128;
        if (slash < 0)
        {
            prefixLength = max;
        }
        else if (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefixLength) || prefixLength > max)
        {
            return false;
        }

        // An IPv4-mapped IPv6 network like ::ffff:10.0.0.0/104 becomes 10.0.0.0/8.
        if (address.IsIPv4 && addressPart.Contains(':'))
        {
            prefixLength = Math.Max(0, prefixLength - 96);
        }

        network = address.ToPrefix(prefixLength, prefixLength);
        return true;
    }

    /// <summary>The address in its usual text form (allocates; for tools and tests only).</summary>
    public override string ToString() => ToIPAddress()?.ToString() ?? string.Empty;

    /// <summary>The <see cref="AddressFamily"/>.</summary>
    public AddressFamily AddressFamily => _family switch
    {
        4 => AddressFamily.InterNetwork,
        6 => AddressFamily.InterNetworkV6,
        _ => AddressFamily.Unknown,
    };

    /// <inheritdoc />
    public bool Equals(ClientAddress other) => _bits == other._bits && _family == other._family;

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is ClientAddress other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_bits, _family);

    /// <summary>Equality.</summary>
    public static bool operator ==(ClientAddress left, ClientAddress right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ClientAddress left, ClientAddress right) => !left.Equals(right);
}
