using System.Buffers.Binary;
using System.Numerics;

namespace NumoTelemetry.Dashboard.Sketches;

/// <summary>
/// A compact HyperLogLog distinct counter (precision 12: 4,096 registers, about 1.6 % standard error)
/// with a sparse form for small sets, so the many small cells of a dashboard cost a few bytes each.
/// Registers hold only the rank of a hashed value, never the value: a sketch cannot list who is in it.
/// Sketches merge (register-wise maximum), so minute, hour and day roll-ups and restarts combine. Below 64
/// distinct values the (linear-counting) estimate never exceeds the true count, so k-anonymity errs toward suppression.
/// </summary>
/// <remarks>
/// Serialised form: byte 0 is the format (1 = sparse, 2 = dense), byte 1 the precision; sparse is followed by
/// a little-endian <see cref="ushort"/> count and that many (ushort index, byte rank) entries sorted by index;
/// dense by one rank byte per register.
/// </remarks>
internal sealed class HyperLogLog
{
    public const int Precision = 12;
    public const int RegisterCount = 1 << Precision;

    private const byte SparseFormat = 1;
    private const byte DenseFormat = 2;

    /// <summary>Above this many entries the sparse form is converted to dense (3 bytes each vs 4,096 in all).</summary>
    private const int SparseLimit = 512;

    private static readonly double s_alphaMm = 0.7213 / (1 + (1.079 / RegisterCount)) * RegisterCount * RegisterCount;

    // Sparse: parallel arrays sorted by index. Dense: one byte per register.
    private ushort[]? _sparseIndex;
    private byte[]? _sparseRank;
    private int _sparseCount;
    private byte[]? _dense;

    /// <summary>Whether nothing was added.</summary>
    public bool IsEmpty => _dense is null && _sparseCount == 0;

    /// <summary>Whether the dense form is in use.</summary>
    internal bool IsDense => _dense is not null;

    /// <summary>Adds a well-mixed or raw 64-bit value (it is mixed again, so correlated inputs are fine).</summary>
    public void Add(ulong value)
    {
        var hash = Mix(value);
        var index = (int)(hash >> (64 - Precision));
        var rest = (hash << Precision) | (1UL << (Precision - 1)); // guard bit bounds the rank
        var rank = (byte)(BitOperations.LeadingZeroCount(rest) + 1);
        Set(index, rank);
    }

    /// <summary>
    /// Whether <paramref name="value"/> may have been added: its register holds at least its rank. No false negatives,
    /// so whoever knows the values that enter a sketch can test membership with it; the dashboard therefore only adds
    /// values hashed under a per-day secret that is destroyed when the day closes.
    /// </summary>
    internal bool MayContain(ulong value)
    {
        var hash = Mix(value);
        var index = (int)(hash >> (64 - Precision));
        var rest = (hash << Precision) | (1UL << (Precision - 1));
        var rank = (byte)(BitOperations.LeadingZeroCount(rest) + 1);
        if (_dense is not null)
        {
            return _dense[index] >= rank;
        }

        var position = _sparseIndex is null ? -1 : Array.BinarySearch(_sparseIndex, 0, _sparseCount, (ushort)index);
        return position >= 0 && _sparseRank![position] >= rank;
    }

    /// <summary>Merges <paramref name="other"/> into this sketch.</summary>
    public void Merge(HyperLogLog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._dense is { } dense)
        {
            for (var i = 0; i < dense.Length; i++)
            {
                if (dense[i] != 0)
                {
                    Set(i, dense[i]);
                }
            }

            return;
        }

        for (var i = 0; i < other._sparseCount; i++)
        {
            Set(other._sparseIndex![i], other._sparseRank![i]);
        }
    }

    /// <summary>The estimated number of distinct values added (linear counting for small sets).</summary>
    public double Estimate()
    {
        if (_dense is null)
        {
            // Sparse: at most SparseLimit registers are set, well inside the linear-counting range.
            return _sparseCount == 0 ? 0 : LinearCounting(RegisterCount - _sparseCount);
        }

        double sum = 0;
        var zeros = 0;
        for (var i = 0; i < _dense.Length; i++)
        {
            var r = _dense[i];
            sum += Math.ScaleB(1.0, -r);
            if (r == 0)
            {
                zeros++;
            }
        }

        var estimate = s_alphaMm / sum;
        return estimate <= 2.5 * RegisterCount && zeros > 0 ? LinearCounting(zeros) : estimate;
    }

    /// <summary>The estimate rounded to a whole count.</summary>
    public long Count() => (long)Math.Round(Estimate(), MidpointRounding.AwayFromZero);

    /// <summary>Serialises the registers (sparse or dense, whichever this sketch holds).</summary>
    public byte[] ToBytes()
    {
        if (_dense is not null)
        {
            var bytes = new byte[2 + RegisterCount];
            bytes[0] = DenseFormat;
            bytes[1] = Precision;
            _dense.CopyTo(bytes, 2);
            return bytes;
        }

        var sparse = new byte[4 + (3 * _sparseCount)];
        sparse[0] = SparseFormat;
        sparse[1] = Precision;
        BinaryPrimitives.WriteUInt16LittleEndian(sparse.AsSpan(2), (ushort)_sparseCount);
        for (var i = 0; i < _sparseCount; i++)
        {
            var at = 4 + (3 * i);
            BinaryPrimitives.WriteUInt16LittleEndian(sparse.AsSpan(at), _sparseIndex![i]);
            sparse[at + 2] = _sparseRank![i];
        }

        return sparse;
    }

    /// <summary>Reads a serialised sketch; <see langword="null"/> or empty input gives an empty sketch.</summary>
    /// <exception cref="FormatException">The bytes are not a sketch of this precision.</exception>
    public static HyperLogLog FromBytes(ReadOnlySpan<byte> bytes)
    {
        var hll = new HyperLogLog();
        hll.MergeBytes(bytes);
        return hll;
    }

    /// <summary>Merges a serialised sketch into this one without materialising it.</summary>
    /// <exception cref="FormatException">The bytes are not a sketch of this precision.</exception>
    public void MergeBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        if (bytes.Length < 2 || bytes[1] != Precision)
        {
            throw new FormatException("Not a HyperLogLog sketch of precision 12.");
        }

        if (bytes[0] == DenseFormat)
        {
            if (bytes.Length != 2 + RegisterCount)
            {
                throw new FormatException("Truncated dense HyperLogLog sketch.");
            }

            var registers = bytes[2..];
            for (var i = 0; i < registers.Length; i++)
            {
                if (registers[i] != 0)
                {
                    Set(i, registers[i]);
                }
            }

            return;
        }

        if (bytes[0] != SparseFormat || bytes.Length < 4)
        {
            throw new FormatException("Unknown HyperLogLog sketch format.");
        }

        var count = BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]);
        if (bytes.Length != 4 + (3 * count))
        {
            throw new FormatException("Truncated sparse HyperLogLog sketch.");
        }

        for (var i = 0; i < count; i++)
        {
            var at = 4 + (3 * i);
            var index = BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);
            if (index >= RegisterCount)
            {
                throw new FormatException("HyperLogLog register index out of range.");
            }

            Set(index, bytes[at + 2]);
        }
    }

    /// <summary>Merges two serialised sketches (either may be empty) into a serialised sketch.</summary>
    public static byte[]? MergeSerialized(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.IsEmpty && right.IsEmpty)
        {
            return null;
        }

        var hll = FromBytes(left);
        hll.MergeBytes(right);
        return hll.ToBytes();
    }

    private void Set(int index, byte rank)
    {
        if (rank == 0)
        {
            return;
        }

        if (_dense is not null)
        {
            if (_dense[index] < rank)
            {
                _dense[index] = rank;
            }

            return;
        }

        _sparseIndex ??= new ushort[8];
        _sparseRank ??= new byte[8];
        var position = Array.BinarySearch(_sparseIndex, 0, _sparseCount, (ushort)index);
        if (position >= 0)
        {
            if (_sparseRank[position] < rank)
            {
                _sparseRank[position] = rank;
            }

            return;
        }

        if (_sparseCount >= SparseLimit)
        {
            ToDense();
            _dense![index] = rank;
            return;
        }

        position = ~position;
        if (_sparseCount == _sparseIndex.Length)
        {
            Array.Resize(ref _sparseIndex, _sparseIndex.Length * 2);
            Array.Resize(ref _sparseRank, _sparseRank.Length * 2);
        }

        Array.Copy(_sparseIndex, position, _sparseIndex, position + 1, _sparseCount - position);
        Array.Copy(_sparseRank, position, _sparseRank, position + 1, _sparseCount - position);
        _sparseIndex[position] = (ushort)index;
        _sparseRank[position] = rank;
        _sparseCount++;
    }

    private void ToDense()
    {
        var dense = new byte[RegisterCount];
        for (var i = 0; i < _sparseCount; i++)
        {
            dense[_sparseIndex![i]] = _sparseRank![i];
        }

        _dense = dense;
        _sparseIndex = null;
        _sparseRank = null;
        _sparseCount = 0;
    }

    private static double LinearCounting(int zeroRegisters) => RegisterCount * Math.Log((double)RegisterCount / zeroRegisters);

    /// <summary>SplitMix64 finaliser: spreads any 64-bit input over all bits.</summary>
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
