using System.Buffers.Binary;
using System.Net;
using System.Text.Json;

namespace NumoTelemetry.GeoIP.Tests;

/// <summary>
/// Reads a MaxMind test database's <c>.source.json</c> (an array of <c>{ "network": { data } }</c>) and yields, for
/// each network, a probe address (its first address; IPv4 for <c>::a.b.c.d</c> networks) with the data of the most
/// specific network that contains it: what the database must answer.
/// </summary>
internal static class SourceJson
{
    public static List<(IPAddress Probe, JsonElement Expected)> Probes(string sourceJsonPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(sourceJsonPath));
        var networks = new List<(UInt128 Bits, int Prefix, JsonElement Data)>();
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            foreach (var property in item.EnumerateObject())
            {
                var network = IPNetwork.Parse(property.Name);
                var bits = ToV6Bits(network.BaseAddress, out var isV4);
                networks.Add((bits, network.PrefixLength + (isV4 ? 96 : 0), property.Value.Clone()));
            }
        }

        var probes = new List<(IPAddress, JsonElement)>(networks.Count);
        foreach (var (bits, prefix, _) in networks)
        {
            // Skip the IPv4-mapped/6to4/Teredo alias ranges: the database aliases them to the IPv4 tree.
            var top16 = (ushort)(bits >> 112);
            if (top16 is 0x2002 || (bits >> 96) == 0x20010000 || (prefix < 96 && (bits >> 96) == 0))
            {
                continue;
            }

            var best = -1;
            var bestPrefix = -1;
            for (var i = 0; i < networks.Count; i++)
            {
                var (nBits, nPrefix, _) = networks[i];
                if (nPrefix > bestPrefix && Contains(nBits, nPrefix, bits))
                {
                    best = i;
                    bestPrefix = nPrefix;
                }
            }

            probes.Add((ToAddress(bits, prefix), networks[best].Data));
        }

        return probes;
    }

    private static bool Contains(UInt128 network, int prefix, UInt128 address)
    {
        var mask = prefix == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefix);
        return (address & mask) == network;
    }

    private static UInt128 ToV6Bits(IPAddress address, out bool isV4)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var n);
        isV4 = n == 4;
        return n == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static IPAddress ToAddress(UInt128 bits, int prefix)
    {
        if ((bits >> 32) == 0 && prefix >= 96)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)bits);
            return new IPAddress(v4);
        }

        Span<byte> v6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(v6, bits);
        return new IPAddress(v6);
    }

    public static string? String(this JsonElement e, params string[] path)
    {
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
            {
                return null;
            }
        }

        return e.ValueKind == JsonValueKind.String ? e.GetString() : null;
    }

    public static JsonElement? Element(this JsonElement e, params string[] path)
    {
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
            {
                return null;
            }
        }

        return e;
    }

    public static bool Flag(this JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
