using System.Buffers;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// A reusable byte buffer that lines are written into, and that can be cut back to a line's start when writing the
/// line fails half way (<see cref="ArrayBufferWriter{T}"/> can only be cleared).
/// </summary>
internal sealed class LineBuffer(int capacity) : IBufferWriter<byte>
{
    private byte[] _array = new byte[capacity];
    private int _count;

    public int WrittenCount => _count;

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _count);

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_array.Length - _count))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _count += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsMemory(_count);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsSpan(_count);
    }

    /// <summary>Forgets everything written after the first <paramref name="count"/> bytes.</summary>
    public void Truncate(int count) => _count = Math.Min(_count, Math.Max(0, count));

    public void Clear() => _count = 0;

    private void Reserve(int sizeHint)
    {
        var needed = Math.Max(1, sizeHint);
        if (_array.Length - _count < needed)
        {
            Array.Resize(ref _array, Math.Max(_array.Length * 2, _count + needed));
        }
    }
}
