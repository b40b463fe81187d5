namespace NumoTelemetry.UserAgents.Engine;

/// <summary>
/// A counter that many threads increment without fighting over one cache line: one padded cell per
/// processor slot, summed on read.
/// </summary>
internal sealed class StripedCounter
{
    private const int Stride = 16; // 128 bytes between cells: no false sharing, adjacent-line prefetch included
    private readonly long[] _cells;
    private readonly int _mask;

    /// <summary>Creates the counter.</summary>
    public StripedCounter()
    {
        var stripes = 1;
        while (stripes < Environment.ProcessorCount)
        {
            stripes <<= 1;
        }

        _mask = stripes - 1;
        _cells = new long[stripes * Stride];
    }

    /// <summary>Adds one.</summary>
    public void Increment() => Interlocked.Increment(ref _cells[(Thread.GetCurrentProcessorId() & _mask) * Stride]);

    /// <summary>The current total.</summary>
    public long Value
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _cells.Length; i += Stride)
            {
                sum += Volatile.Read(ref _cells[i]);
            }

            return sum;
        }
    }
}
