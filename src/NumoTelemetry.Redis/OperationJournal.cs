using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Redis;

/// <summary>
/// The operations applied locally while Redis was unreachable, oldest first, bounded (the oldest are dropped beyond the
/// capacity): replayed to Redis when it returns so the shared state catches up with this node's traffic. Pipeline thread only.
/// </summary>
internal sealed class OperationJournal(int capacity)
{
    private StateOperation[]? _ring;
    private int _start;

    public int Count { get; private set; }

    /// <summary>Operations dropped since the last <see cref="ResetDropped"/>.</summary>
    public long Dropped { get; private set; }

    public void Add(ReadOnlySpan<StateOperation> operations)
    {
        if (capacity == 0)
        {
            Dropped += operations.Length;
            return;
        }

        _ring ??= new StateOperation[capacity];
        for (var i = 0; i < operations.Length; i++)
        {
            if (Count == capacity)
            {
                _ring[_start] = operations[i];
                _start = (_start + 1) % capacity;
                Dropped++;
            }
            else
            {
                _ring[(_start + Count) % capacity] = operations[i];
                Count++;
            }
        }
    }

    /// <summary>The <paramref name="index"/>-th oldest operation.</summary>
    public ref readonly StateOperation this[int index] => ref _ring![(_start + index) % capacity];

    /// <summary>Removes the <paramref name="count"/> oldest operations (after they were replayed).</summary>
    public void RemoveOldest(int count)
    {
        count = Math.Min(count, Count);
        for (var i = 0; i < count; i++)
        {
            _ring![(_start + i) % capacity] = default;
        }

        _start = Count == count ? 0 : (_start + count) % capacity;
        Count -= count;
    }

    /// <summary>Removes every operation on a subject made under <paramref name="keyId"/> (the key was destroyed).</summary>
    public void Forget(ushort keyId)
    {
        if (_ring is null)
        {
            return;
        }

        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            var op = this[i];
            if (op.Subject.KeyId == keyId && op.Subject.Kind != SubjectKind.Asn)
            {
                continue;
            }

            _ring[(_start + kept) % capacity] = op;
            kept++;
        }

        for (var i = kept; i < Count; i++)
        {
            _ring[(_start + i) % capacity] = default;
        }

        Count = kept;
    }

    public void ResetDropped() => Dropped = 0;
}
