using System.Runtime.InteropServices;

namespace NumoTelemetry.Pipeline;

/// <summary>
/// The bounded, lock-free multi-producer / single-consumer ring between requests and the pipeline
/// (Vyukov's bounded queue). Enqueue never blocks and never allocates: when full, it fails and the
/// caller counts the drop.
/// </summary>
internal sealed class RecordQueue
{
    private readonly Slot[] _slots;
    private readonly int _mask;
    private Padded _enqueue;
    private Padded _dequeue;

    public RecordQueue(int capacity)
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

    /// <summary>Approximate number of queued records.</summary>
    public long Count => Math.Max(0, Volatile.Read(ref _enqueue.Value) - Volatile.Read(ref _dequeue.Value));

    public bool TryEnqueue(in RequestRecord record)
    {
        var slots = _slots;
        var position = Volatile.Read(ref _enqueue.Value);
        while (true)
        {
            ref var slot = ref slots[position & _mask];
            var sequence = Volatile.Read(ref slot.Sequence);
            var diff = sequence - position;
            if (diff == 0)
            {
                if (Interlocked.CompareExchange(ref _enqueue.Value, position + 1, position) == position)
                {
                    slot.Record = record;
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

    /// <summary>Moves up to <c>destination.Length</c> records out; single consumer only.</summary>
    public int Drain(Span<RequestRecord> destination)
    {
        var slots = _slots;
        var position = _dequeue.Value;
        var count = 0;
        while (count < destination.Length)
        {
            ref var slot = ref slots[position & _mask];
            if (Volatile.Read(ref slot.Sequence) != position + 1)
            {
                break;
            }

            destination[count++] = slot.Record;
            slot.Record = default;
            Volatile.Write(ref slot.Sequence, position + _mask + 1);
            position++;
        }

        Volatile.Write(ref _dequeue.Value, position);
        return count;
    }

    private struct Slot
    {
        public long Sequence;
        public RequestRecord Record;
    }

    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Padded
    {
        [FieldOffset(64)]
        public long Value;
    }
}
