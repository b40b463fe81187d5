using System.Numerics;
using System.Runtime.InteropServices;

namespace NumoTelemetry.UserAgents.Engine;

/// <summary>
/// A fast seeded 64-bit hash of a character span (xxHash64-style rounds over four lanes). Callers seed
/// it randomly per process; a collision only costs a cache slot, never a wrong answer, because every
/// hit is confirmed by comparing the full key.
/// </summary>
internal static class SpanHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime3 = 0x165667B19E3779F9UL;

    /// <summary>Hashes <paramref name="text"/> with <paramref name="seed"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // the cache-hit path: optimised from the first request, not after tiering
    public static ulong Hash(ReadOnlySpan<char> text, ulong seed)
    {
        var bytes = MemoryMarshal.AsBytes(text);
        var length = bytes.Length;
        ulong h0 = seed + Prime1 + Prime2, h1 = seed + Prime2, h2 = seed, h3 = seed - Prime1;
        var i = 0;
        for (; i + 32 <= length; i += 32)
        {
            h0 = Round(h0, MemoryMarshal.Read<ulong>(bytes[i..]));
            h1 = Round(h1, MemoryMarshal.Read<ulong>(bytes[(i + 8)..]));
            h2 = Round(h2, MemoryMarshal.Read<ulong>(bytes[(i + 16)..]));
            h3 = Round(h3, MemoryMarshal.Read<ulong>(bytes[(i + 24)..]));
        }

        var h = BitOperations.RotateLeft(h0, 1) + BitOperations.RotateLeft(h1, 7) + BitOperations.RotateLeft(h2, 12) + BitOperations.RotateLeft(h3, 18);
        h += (ulong)length;
        for (; i + 8 <= length; i += 8)
        {
            h = (BitOperations.RotateLeft(h ^ Round(0, MemoryMarshal.Read<ulong>(bytes[i..])), 27) * Prime1) + Prime3;
        }

        for (; i < length; i += 2)
        {
            h = BitOperations.RotateLeft(h ^ (MemoryMarshal.Read<ushort>(bytes[i..]) * Prime1), 23) * Prime2;
        }

        h ^= h >> 33;
        h *= Prime2;
        h ^= h >> 29;
        h *= Prime3;
        h ^= h >> 32;
        return h;
    }

    private static ulong Round(ulong acc, ulong input) => BitOperations.RotateLeft(acc + (input * Prime2), 31) * Prime1;
}
