using System.Numerics;

namespace NumoTelemetry.Fraud.State;

/// <summary>
/// One generation of a distinct count: exact for up to <see cref="SmallLimit"/> elements, then a HyperLogLog with
/// 2^<see cref="Precision"/> one-byte registers (1 KiB, standard error 3.25%). A mutable struct held in a field of its owner (no
/// object of its own); not thread-safe.
/// </summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)]
internal struct DistinctSketch
{
    public const int SmallLimit = 64;
    public const int Precision = 10;
    public const int Registers = 1 << Precision;
    private const double Alpha = 0.7213 / (1 + (1.079 / Registers));

    private ulong[]? _small;
    private int _count;
    private byte[]? _registers;

    public readonly bool IsEmpty => _count == 0 && _registers is null;

    public readonly bool IsHll => _registers is not null;

    /// <summary>The bytes of its arrays (an exact set's, kept when it is cleared; or the registers).</summary>
    public readonly int HeldBytes => (_small is null ? 0 : 24 + (_small.Length * sizeof(ulong))) + (_registers is null ? 0 : 24 + Registers);

    public void Clear()
    {
        _count = 0;
        _registers = null; // heavy subjects give their KiB back; small arrays are reused
    }

    /// <summary>Adds an element; returns whether the sketch changed.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool Add(ulong element)
    {
        if (_registers is not null)
        {
            return AddToRegisters(_registers, element);
        }

        var small = _small;
        if (_count > 0 && small.AsSpan(0, _count).Contains(element))
        {
            return false; // a vectorised scan: the small set is read on every add
        }

        if (_count == SmallLimit)
        {
            var registers = new byte[Registers];
            for (var i = 0; i < _count; i++)
            {
                AddToRegisters(registers, small![i]);
            }

            AddToRegisters(registers, element);
            _registers = registers;
            _small = null;
            _count = 0;
            return true;
        }

        if (small is null || _count == small.Length)
        {
            var grown = new ulong[small is null ? 2 : small.Length * 2];
            small?.AsSpan(0, _count).CopyTo(grown);
            _small = small = grown;
        }

        small[_count++] = element;
        return true;
    }

    public readonly bool Contains(ulong element)
    {
        return _registers is null && _count > 0 && _small.AsSpan(0, _count).Contains(element);
    }

    /// <summary>The cardinality of this sketch.</summary>
    public readonly long Estimate() => _registers is null ? _count : Estimate(_registers);

    /// <summary>The cardinality of the union of two sketches (allocation-free).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static long EstimateUnion(in DistinctSketch a, in DistinctSketch b)
    {
        if (b.IsEmpty)
        {
            return a.Estimate();
        }

        if (a.IsEmpty)
        {
            return b.Estimate();
        }

        if (a._registers is null && b._registers is null)
        {
            long n = a._count;
            for (var i = 0; i < b._count; i++)
            {
                if (!a.Contains(b._small![i]))
                {
                    n++;
                }
            }

            return n;
        }

        Span<byte> union = stackalloc byte[Registers];
        a.MergeInto(union);
        b.MergeInto(union);
        return Estimate(union);
    }

    /// <summary>Merges this sketch into <paramref name="registers"/> (a small set's elements added, registers by maximum).</summary>
    internal readonly void MergeInto(Span<byte> registers)
    {
        if (_registers is not null)
        {
            var source = _registers.AsSpan();
            var i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= Registers - Vector<byte>.Count; i += Vector<byte>.Count)
                {
                    var merged = Vector.Max(new Vector<byte>(registers[i..]), new Vector<byte>(source[i..]));
                    merged.CopyTo(registers[i..]);
                }
            }

            for (; i < Registers; i++)
            {
                registers[i] = Math.Max(registers[i], source[i]);
            }

            return;
        }

        for (var i = 0; i < _count; i++)
        {
            AddToRegisters(registers, _small![i]);
        }
    }

    /// <summary>The register of an element and its rank there (shared with the Redis store, so both agree to the bit).</summary>
    public static int RegisterOf(ulong element, out byte rank)
    {
        // Elements are pseudonym hashes already, but mix anyway: a poorly spread element must not skew the registers.
        var hash = StateMath.Mix(element);
        rank = (byte)(BitOperations.LeadingZeroCount((hash << Precision) | (1UL << (Precision - 1))) + 1);
        return (int)(hash >> (64 - Precision));
    }

    private static bool AddToRegisters(Span<byte> registers, ulong element)
    {
        var index = RegisterOf(element, out var rank);
        if (registers[index] >= rank)
        {
            return false;
        }

        registers[index] = rank;
        return true;
    }

    /// <summary>The highest rank for which <see cref="TryExactSum"/> sums the registers as integers.</summary>
    internal const int ExactRank = 42;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static long Estimate(ReadOnlySpan<byte> registers)
    {
        if (TryExactSum(registers, out var exact, out var exactZeros))
        {
            return FinishExact(exact, exactZeros);
        }

        double sum = 0;
        var zeros = 0;
        for (var i = 0; i < registers.Length; i++)
        {
            var r = registers[i];
            sum += 1.0 / (1UL << r); // only past ExactRank (odds 2^-42 an element): a division per register is no cost here
            if (r == 0)
            {
                zeros++;
            }
        }

        return Finish(sum, zeros);
    }

    /// <summary>
    /// The registers' sum of 2^(<see cref="ExactRank"/> - rank) and their count of zeros, or <see langword="false"/> when a
    /// rank exceeds <see cref="ExactRank"/> (odds 2^-42 per element). The same number to the bit as the sum of 2^-rank in
    /// doubles, scaled: while no rank exceeds ExactRank, every term 2^-r and every partial sum is a multiple of 2^-ExactRank
    /// below 2^11, so that double sum is exact (and this one has no double add chain: independent integer adds).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static bool TryExactSum(ReadOnlySpan<byte> registers, out long sum, out int zeros)
    {
        long a0 = 0, a1 = 0, z0 = 0, z1 = 0;
        var over = 0;
        var k = 0;
        for (; k + 1 < registers.Length; k += 2)
        {
            int r0 = registers[k], r1 = registers[k + 1];
            over |= (ExactRank - r0) | (ExactRank - r1);
            a0 += 1L << (ExactRank - r0);
            a1 += 1L << (ExactRank - r1);
            z0 += r0 == 0 ? 1 : 0;
            z1 += r1 == 0 ? 1 : 0;
        }

        sum = a0 + a1;
        zeros = (int)(z0 + z1);
        return over >= 0 && k == registers.Length;
    }

    /// <summary>The estimate from a <see cref="TryExactSum"/> sum and count of zeros.</summary>
    internal static long FinishExact(long sum, int zeros) => Finish(sum * (1.0 / (1L << ExactRank)), zeros);

    /// <summary>The estimate from the registers' sum of 2^-rank and their count of zeros.</summary>
    private static long Finish(double sum, int zeros)
    {
        var estimate = Alpha * Registers * Registers / sum;
        if (estimate <= 2.5 * Registers && zeros > 0)
        {
            estimate = Registers * Math.Log((double)Registers / zeros); // linear counting
        }

        return (long)Math.Round(estimate);
    }
}
