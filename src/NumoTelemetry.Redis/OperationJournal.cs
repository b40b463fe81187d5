using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Redis;

/// <summary>
/// The operations applied locally while Redis was unreachable or slow, oldest first, bounded (the oldest are dropped beyond the
/// capacity): replayed to Redis when it returns so the shared state catches up with this node's traffic. Pipeline thread only.
/// </summary>
/// <remarks>
/// Operations are kept in chunks of at most one script call each. A chunk that was already sent (its call timed out, and may
/// still have run) keeps the call's id, so its replay is recognised by the script and applied at most once. Chunks never sent
/// have no id yet and take more operations until they are full.
/// </remarks>
internal sealed class OperationJournal(int capacity, int operationsPerCall)
{
    private readonly LinkedList<Chunk> _chunks = new();
    private readonly Stack<StateOperation[]> _spares = new(2); // full-size arrays of chunks dropped or replayed

    private int ChunkSize => Math.Max(1, Math.Min(operationsPerCall, capacity));

    /// <summary>Operations kept.</summary>
    public int Count { get; private set; }

    /// <summary>Chunks kept (one script call each).</summary>
    public int Chunks => _chunks.Count;

    /// <summary>Operations dropped since the last <see cref="ResetDropped"/>.</summary>
    public long Dropped { get; private set; }

    /// <summary>The oldest chunk, or <see langword="null"/>.</summary>
    public LinkedListNode<Chunk>? Oldest => _chunks.First;

    /// <summary>Keeps operations that were never sent (they may join the newest unsent chunk).</summary>
    public void Add(ReadOnlySpan<StateOperation> operations)
    {
        if (capacity <= 0)
        {
            Dropped += operations.Length;
            return;
        }

        while (!operations.IsEmpty)
        {
            var last = _chunks.Last?.Value;
            if (last is null || last.Id is not null || last.End == last.Operations.Length)
            {
                // full-size chunks: a long outage is replayed in few, large calls; a full journal reuses the arrays of the
                // chunks it drops, so a long outage does not allocate a large array every few batches
                last = new Chunk(null, _spares.TryPop(out var spare) ? spare : new StateOperation[ChunkSize], 0);
                _chunks.AddLast(last);
            }

            var n = Math.Min(operations.Length, last.Operations.Length - last.End);
            operations[..n].CopyTo(last.Operations.AsSpan(last.End));
            last.Count += n;
            Count += n;
            operations = operations[n..];
        }

        Trim();
    }

    /// <summary>Keeps one script call's operations that were sent under <paramref name="id"/> and got no answer.</summary>
    public void AddSent(string id, ReadOnlySpan<StateOperation> operations)
    {
        if (operations.IsEmpty)
        {
            return;
        }

        _chunks.AddLast(new Chunk(id, operations.ToArray(), operations.Length));
        Count += operations.Length;
        Trim();
    }

    /// <summary>Removes a chunk that Redis applied.</summary>
    public void Remove(LinkedListNode<Chunk> node)
    {
        if (node.List != _chunks)
        {
            return; // already trimmed or forgotten
        }

        Count -= node.Value.Count;
        _chunks.Remove(node);
        Recycle(node.Value);
    }

    /// <summary>Removes every operation on a subject made under <paramref name="keyId"/> (the key was destroyed).</summary>
    public void Forget(ushort keyId) => Forget(op => op.Subject.KeyId == keyId && op.Subject.IsPseudonymous);

    /// <summary>Drops the kept operations of <paramref name="subjects"/> (a subject's erasure: not replayed to Redis later).</summary>
    public void Forget(IReadOnlySet<SubjectKey> subjects) => Forget(op => subjects.Contains(op.Subject));

    private void Forget(Func<StateOperation, bool> erased)
    {
        for (var node = _chunks.First; node is not null;)
        {
            var next = node.Next;
            var chunk = node.Value;
            var kept = chunk.Start;
            for (var i = chunk.Start; i < chunk.End; i++)
            {
                var op = chunk.Operations[i];
                if (erased(op))
                {
                    continue;
                }

                chunk.Operations[kept++] = op;
            }

            Array.Clear(chunk.Operations, kept, chunk.End - kept);
            Count -= chunk.End - kept;
            chunk.Count = kept - chunk.Start;
            if (chunk.Count == 0)
            {
                _chunks.Remove(node);
                Recycle(chunk);
            }

            node = next;
        }
    }

    public void ResetDropped() => Dropped = 0;

    /// <summary>Drops the oldest operations beyond the capacity.</summary>
    private void Trim()
    {
        var over = Count - capacity;
        while (over > 0 && _chunks.First is { } first)
        {
            var chunk = first.Value;
            if (chunk.Count <= over)
            {
                _chunks.RemoveFirst();
                over -= chunk.Count;
                Count -= chunk.Count;
                Dropped += chunk.Count;
                Recycle(chunk);
                continue;
            }

            // the oldest part of the oldest chunk (a sent chunk's replay then applies what is left, still at most once): the
            // chunk starts later, nothing is moved (in a long outage every batch drops as many operations as it adds)
            Array.Clear(chunk.Operations, chunk.Start, over);
            chunk.Start += over;
            chunk.Count -= over;
            Count -= over;
            Dropped += over;
            over = 0;
        }
    }

    /// <summary>
    /// Keeps the array of a chunk that left the journal for the next new chunk. Safe: a chunk's operations are encoded into
    /// the script call's arguments before it is sent, so nothing reads a chunk's array once the chunk has left the journal.
    /// </summary>
    private void Recycle(Chunk chunk)
    {
        if (chunk.Operations.Length != ChunkSize || _spares.Count == 2)
        {
            return;
        }

        Array.Clear(chunk.Operations, chunk.Start, chunk.Count); // subjects' keys and observations are not kept longer than needed
        chunk.Start = 0;
        chunk.Count = 0;
        _spares.Push(chunk.Operations);
    }

    /// <summary>
    /// Up to one script call's operations, <see cref="Count"/> of them from <see cref="Start"/> in <see cref="Operations"/>
    /// (a trim drops the oldest by moving the start); <see cref="Id"/> once sent.
    /// </summary>
    internal sealed class Chunk(string? id, StateOperation[] operations, int count)
    {
        public string? Id { get; set; } = id;

        public StateOperation[] Operations { get; } = operations;

        public int Start { get; set; }

        public int Count { get; set; } = count;

        public int End => Start + Count;

        public ReadOnlySpan<StateOperation> Span => Operations.AsSpan(Start, Count);
    }
}
