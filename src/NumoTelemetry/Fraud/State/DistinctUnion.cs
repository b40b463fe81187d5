namespace NumoTelemetry.Fraud.State;

/// <summary>
/// The HyperLogLog registers of the union of two generations of a distinct count, kept up to date element by element, with
/// the estimate's sum and its count of empty registers kept beside them: reading the estimate costs no merge of the two
/// generations (2 KiB) and no pass over 1,024 registers. The same estimate as <see cref="DistinctSketch.EstimateUnion"/> to
/// the bit, whenever either generation is a HyperLogLog. Not thread-safe.
/// </summary>
internal sealed class DistinctUnion
{
    // Σ 2^(ExactRank - r) over the registers (DistinctSketch.TryExactSum): an integer, so each change is exact. A rank beyond
    // ExactRank (odds 2^-42 per element) takes the full estimate.
    private const int ExactRank = DistinctSketch.ExactRank;

    private readonly byte[] _registers = new byte[DistinctSketch.Registers];

    /// <summary>Bytes held: this object and its registers.</summary>
    public static int Bytes => 16 + 24 + 24 + DistinctSketch.Registers; // the object (header, fields), the array (header, registers)

    private long _sum;
    private int _zeros;
    private bool _overExactRank;

    /// <summary>Starts again from the union of <paramref name="a"/> and <paramref name="b"/>.</summary>
    public void Reset(in DistinctSketch a, in DistinctSketch b)
    {
        var registers = _registers.AsSpan();
        registers.Clear();
        a.MergeInto(registers);
        b.MergeInto(registers);
        _overExactRank = !DistinctSketch.TryExactSum(registers, out _sum, out _zeros);
    }

    /// <summary>Adds an element added to either generation.</summary>
    public void Add(ulong element)
    {
        var index = DistinctSketch.RegisterOf(element, out var rank);
        var old = _registers[index];
        if (rank <= old)
        {
            return;
        }

        _registers[index] = rank;
        _zeros -= old == 0 ? 1 : 0;
        if (rank > ExactRank)
        {
            _overExactRank = true;
        }
        else
        {
            _sum += (1L << (ExactRank - rank)) - (1L << (ExactRank - old));
        }
    }

    /// <summary>The cardinality of the union.</summary>
    public long Estimate() => _overExactRank
        ? DistinctSketch.Estimate(_registers)
        : DistinctSketch.FinishExact(_sum, _zeros);
}
