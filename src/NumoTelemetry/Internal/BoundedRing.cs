using System.Runtime.InteropServices;

namespace NumoTelemetry.Internal;

/// <summary>
/// A bounded, lock-free multi-producer / multi-consumer ring of references (Vyukov's bounded queue).
/// Neither side blocks or allocates: a full ring refuses an item, an empty one has none to give.
/// </summary>
internal sealed class BoundedRing<T>
    where T : class
{
    private readonly Slot[] _slots;
    private readonly int _mask;
    private PaddedCounter _enqueue;
    private PaddedCounter _dequeue;

    public BoundedRing(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 2, 1 << 24));
        _slots = new Slot[size];
        _mask = size - 1;
        for (var i = 0; i < size; i++)
        {
            _slots[i].Sequence = i;
        }
    }

    public int Capacity => _slots.Length;

    /// <summary>Approximate number of items in the ring.</summary>
    public long Count => Math.Max(0, Volatile.Read(ref _enqueue.Value) - Volatile.Read(ref _dequeue.Value));

    public bool TryEnqueue(T item)
    {
        var slots = _slots;
        var position = Volatile.Read(ref _enqueue.Value);
        while (true)
        {
            ref var slot = ref slots[position & _mask];
            var diff = Volatile.Read(ref slot.Sequence) - position;
            if (diff == 0)
            {
                if (Interlocked.CompareExchange(ref _enqueue.Value, position + 1, position) == position)
                {
                    slot.Item = item;
                    Volatile.Write(ref slot.Sequence, position + 1);
                    return true;
                }
            }
            else if (diff < 0)
            {
                return false; // full
            }

            position = Volatile.Read(ref _enqueue.Value);
        }
    }

    public bool TryDequeue([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? item)
    {
        var slots = _slots;
        var position = Volatile.Read(ref _dequeue.Value);
        while (true)
        {
            ref var slot = ref slots[position & _mask];
            var diff = Volatile.Read(ref slot.Sequence) - (position + 1);
            if (diff == 0)
            {
                if (Interlocked.CompareExchange(ref _dequeue.Value, position + 1, position) == position)
                {
                    item = slot.Item!;
                    slot.Item = null;
                    Volatile.Write(ref slot.Sequence, position + _mask + 1);
                    return true;
                }
            }
            else if (diff < 0)
            {
                item = null;
                return false; // empty
            }

            position = Volatile.Read(ref _dequeue.Value);
        }
    }

    /// <summary>Test hook: every item still in the ring.</summary>
    internal IEnumerable<T> Snapshot()
    {
        foreach (var slot in _slots)
        {
            if (slot.Item is { } item)
            {
                yield return item;
            }
        }
    }

    private struct Slot
    {
        public long Sequence;
        public T? Item;
    }
}

/// <summary>A counter on its own cache line (a nested type of a generic class cannot have an explicit layout).</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedCounter
{
    [FieldOffset(64)]
    public long Value;
}
