using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace NumoTelemetry.Fraud.State;

/// <summary>
/// The default <see cref="IFraudStateStore"/>: all state in this process, bounded. A subject is a slot in flat arrays (its key,
/// expiry, eviction links and class), found through an open-addressing table of slot numbers, and its features (counters,
/// sketches, observations, sets, score) are one block of 64-bit words in a <see cref="FeatureArena"/>: no object per subject or
/// per feature, about a third of the memory of a dictionary of subject objects with a list of feature objects each. Subjects
/// whose every feature has expired are swept once a minute (of record time). Beyond <c>MaxSubjects</c>, or beyond
/// <c>MaxStateBytes</c> held (<see cref="HeldBytes"/>: subjects made heavy on purpose hold KiB each), subjects are evicted by
/// class, cheapest first (see <see cref="EvictionClass"/>): a new subject seen in one request only, then subjects seen again, and
/// subjects that carry evidence (accounts, AS numbers, logins, detector verdicts) last, so a flood of one-request addresses evicts
/// only its own kind; evidence from one request only is on probation of its own, so a flood of failed logins for made-up
/// accounts evicts its own kind too. Single-threaded (the pipeline thread).
/// </summary>
/// <remarks>
/// A feature in a block is a header word (its <see cref="FraudFeature"/>, type, payload length, and 32 bits of its own) followed by its payload words:
/// a counter's head bucket and six buckets, <c>ushort</c>s while they fit (3 words in all), else <c>int</c>s (5 words); a distinct count's generation and its two generations'
/// elements, exact (2 words and one per element) until <see cref="InlineDistinct"/> elements, then a <see cref="SpilledDistinct"/>
/// object with the same two sketches as before (1 word); a timing series (5 words); an observation (10 words); a member set's
/// expiry and members (2 words and one per member); a score, an object (1 word). A block is sized to its features (rounded to
/// two words) and moved to a larger one when a feature is added or grows.
/// </remarks>
internal sealed class InMemoryFraudStateStore : IFraudStateStore, ISubjectStateStore, ILocalFraudStateStore, IFraudStateCounts
{
    private static readonly long SweepIntervalMs = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;

    // Distinct elements kept in the block (both generations together) before the feature becomes a SpilledDistinct object:
    // below DistinctSketch.SmallLimit, so an inline feature is always the sketches' exact small mode.
    private const int InlineDistinct = 16;

    private readonly int _maxSubjects;
    private readonly long _maxBytes;
    private FeatureArena _arena = new();
    private int _count;

    // What the subjects' objects hold, for the byte bound (a spilled distinct count or a score, each what it holds now),
    // kept as objects come, grow and go; their feature blocks are the arena's live words, a slot and its table entries
    // SubjectBytes each.
    private long _objectBytes;

    // The part of _objectBytes in heavy distinct counts of the subjects the heavy queue holds (addresses, prefixes, sessions,
    // visitors): what decides whether they go first. Accounts, AS numbers, phone prefixes, the site and scores do not count.
    private long _queuedHeavyBytes;

    // Addresses, prefixes, sessions and visitors that hold a heavy distinct count (a SpilledDistinct grown into a HyperLogLog),
    // in the order they became heavy, each with the time of its last request when queued. Over the byte bound, while their
    // heavy counts hold more than half of it, these go first, least recently used first (CLOCK: one not used since it was
    // queued goes, one used since is queued again), whatever their class: a flood of heavy subjects (which detectors may well mark as evidence) then evicts its own
    // kind, not the light subjects and accounts. An entry whose subject left is dropped when met, and at each sweep.
    private readonly Queue<(int Slot, SubjectKey Key, int Stamp)> _heavy = new();
    private const int HeavyEntryBytes = 32;
    private long _lastSweepMs;
    private long _nowMs;
    private long _evicted;
    private long _sinceSweep;
    private SubjectKey _lastKey;
    private int _last = -1;

    // Eviction: every subject is in one of four lists by class (EvictionClass), threaded through its slot (prev/next slot
    // indexes): O(1) to add, promote and evict, no allocation. The two probation classes (New, NewEvidence: one request
    // only) are FIFO lists that may each hold ProbationShare of the bound before they are the ones evicted from. The other
    // two are CLOCK lists (second chance): a use sets the slot's Referenced bit (one byte written, no list touched); eviction
    // moves a referenced tail to the front, clearing the bit, and evicts the first tail without it: least recently used
    // first, near enough, amortised O(1).
    private const int ProbationShare = 10; // percent
    private const int Classes = 4;
    private const byte ClassMask = 0x3;
    private const byte Referenced = 0x80;
    private readonly int _probationTarget;
    private readonly int[] _heads = [-1, -1, -1, -1];
    private readonly int[] _tails = [-1, -1, -1, -1];
    private readonly int[] _counts = new int[Classes];
    private readonly long[] _evictedBy = new long[Classes + 2]; // EvictionClass, then expired, then heavy first

    // The subjects: an open-addressing table (linear probing, at most half full) of slot + 1 (0: empty), hashed by key.
    private int[] _table = new int[2048];
    private int _tableShift = 32 - 11;

    // Each subject is a slot of one flat array: its key, expiry, eviction links and class, and where its features are (block
    // address, words used, block size, and the last feature used + 1, where the next search starts), together in one 56-byte
    // struct, so a subject found through the table costs one cache line rather than one per field. A free key marks a free slot.
    private Slot[] _slots = new Slot[1024];
    private int _slotHigh;
    private readonly Stack<int> _freeSlots = new();

    // Features that are objects (a score, a large distinct count), by the index in their header.
    private object?[] _objects = new object?[64];
    private int _objectHigh;
    private readonly Stack<int> _freeObjects = new();

    /// <param name="maxSubjects">The bound on subjects.</param>
    /// <param name="maxBytes">The bound on the bytes the subjects hold (<see cref="HeldBytes"/>).</param>
    public InMemoryFraudStateStore(int maxSubjects, long maxBytes = FraudOptions.DefaultMaxStateBytes)
    {
        _maxSubjects = Math.Max(16, maxSubjects);
        _maxBytes = Math.Max(1L << 16, maxBytes);
        _probationTarget = Math.Max(1, (int)((long)_maxSubjects * ProbationShare / 100));
    }

    public bool IsShared => false;

    /// <summary>Subjects held.</summary>
    public int SubjectCount => _count;

    /// <summary>The bound on <see cref="HeldBytes"/>.</summary>
    internal long MaxBytes => _maxBytes;

    /// <summary>
    /// The bytes the subjects hold: each one's slot and table entries, its feature block, and its objects (a spilled distinct
    /// count as it holds now: its arrays, up to ≈ 3.2 KiB with two HyperLogLogs and their union; a score). Not counted: the
    /// arrays' growth slack and the arena's free blocks, which are reused.
    /// </summary>
    public long HeldBytes => ((long)_count * SubjectBytes) + (_arena.LiveWords * sizeof(ulong)) + _objectBytes + ((long)_heavy.Count * HeavyEntryBytes);

    // A slot, and the open-addressing table's share of it (at most half full: two entries or more per subject).
    private static int SubjectBytes => Unsafe.SizeOf<Slot>() + (2 * sizeof(int));

    /// <summary>Subjects evicted so far (expired or over the bound).</summary>
    public long Evicted => _evicted;

    /// <summary>Subjects evicted over the bound so far, from one class.</summary>
    public long EvictedOverBound(EvictionClass evictionClass) => _evictedBy[(int)evictionClass];

    /// <summary>Subjects swept so far because every feature had expired.</summary>
    public long Expired => _evictedBy[Classes];

    /// <summary>Subjects evicted over the byte bound for holding heavy distinct counts (addresses, prefixes, sessions, visitors).</summary>
    public long EvictedHeavy => _evictedBy[Classes + 1];

    /// <summary>Subjects held in one class.</summary>
    public int CountOf(EvictionClass evictionClass) => _counts[(int)evictionClass];

    /// <summary>The class a subject is held in; <see langword="null"/> when it is not held.</summary>
    internal EvictionClass? ClassOf(in SubjectKey key)
    {
        var slot = Find(in key, out _);
        return slot >= 0 ? (EvictionClass)(_slots[slot].Class & ClassMask) : null;
    }

    /// <summary>
    /// Marks a held subject as evidence (the engine, for the subject of a detector verdict): evicted over the bound only after
    /// every subject without evidence.
    /// </summary>
    public void MarkEvidence(in SubjectKey key)
    {
        var slot = Find(in key, out _);
        if (slot >= 0 && (_slots[slot].Class & ClassMask) != (byte)EvictionClass.Evidence)
        {
            Move(slot, EvictionClass.Evidence);
        }
    }

    public ValueTask ApplyAsync(FraudStateBatch batch, CancellationToken cancellationToken)
    {
        ApplyOperations(batch);
        EndBatch();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Applies a part of a pipeline batch (the engine hands the in-process store its batch a few records at a time); the
    /// caller ends the batch with <see cref="EndBatch"/>. <see cref="ApplyAsync"/> is the two at once.
    /// </summary>
    public void ApplyOperations(FraudStateBatch batch)
    {
        var operations = batch.Operations;
        var results = batch.Results;
        for (var i = 0; i < operations.Length;)
        {
            var end = GroupPrefetch ? Prefetch(operations, i) : operations.Length;
            for (; i < end; i++)
            {
                Apply(in operations[i], ref results[i]);
            }
        }

        _sinceSweep += operations.Length;
    }

    /// <summary>Whether operations are applied in groups of subjects prefetched together (<see langword="false"/>: the benchmarks' baseline).</summary>
    internal bool GroupPrefetch { get; init; } = true;

    // Subjects prefetched together: enough for their table entries, slots and blocks to arrive from memory while the others are
    // asked for, few enough that their lines stay in the cache until their operations run.
    private const int PrefetchGroup = 64;
    private readonly int[] _prefetched = new int[PrefetchGroup];

    /// <summary>
    /// Asks the processor for the memory the operations from <paramref name="from"/> on will touch, for up to
    /// <see cref="PrefetchGroup"/> subjects: first their table entries, then their slots, then their feature blocks, each
    /// pass while the previous one's lines arrive. Returns the end of the operations covered. Only a hint: a wrong guess
    /// (a probe past the first entry, a subject moved since) costs a useless load, never a wrong result.
    /// </summary>
    // Long because: three prefetch passes (table entries, slots, blocks), each issued while the previous one's lines arrive.
    private unsafe int Prefetch(ReadOnlySpan<StateOperation> operations, int from)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            return operations.Length;
        }

        var n = 0;
        var i = from;
        var table = _table;
        for (; i < operations.Length; i++)
        {
            if (i > from && operations[i].Subject == operations[i - 1].Subject)
            {
                continue;
            }

            if (n == PrefetchGroup)
            {
                break;
            }

            var index = TableIndex(in operations[i].Subject);
            _prefetched[n++] = index;
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref table[index]));
        }

        for (var k = 0; k < n; k++)
        {
            var entry = table[_prefetched[k]];
            _prefetched[k] = entry - 1;
            if (entry != 0)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref _slots[entry - 1]));
            }
        }

        for (var k = 0; k < n; k++)
        {
            var slot = _prefetched[k];
            if (slot < 0)
            {
                continue;
            }

            ref readonly var held = ref _slots[slot];
            if (held.Class is (byte)EvictionClass.New or (byte)EvictionClass.NewEvidence)
            {
                // Seen again: it moves out of probation, unlinked from its neighbours.
                if (held.Prev >= 0)
                {
                    System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref _slots[held.Prev]));
                }

                if (held.Next >= 0)
                {
                    System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref _slots[held.Next]));
                }
            }

            var block = Block(slot);
            for (var w = 0; w < block.Length; w += 8)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref block[w]));
            }
        }

        return i;
    }

    /// <summary>Ends a pipeline batch: expired subjects are swept (at most once a minute), then any beyond the bound evicted.</summary>
    public void EndBatch()
    {
        MaybeSweep();
        EvictOverBound();
        if (_arena.IsSparse)
        {
            CompactArena();
        }
    }

    /// <summary>Words in the feature arena's pages (tests: the arena's memory stays near what its subjects hold).</summary>
    internal long ArenaPageWords => _arena.PageWordCount;

    /// <summary>Words in the feature arena's blocks in use.</summary>
    internal long ArenaLiveWords => _arena.LiveWords;

    /// <summary>How many times the feature arena was compacted.</summary>
    internal int Compactions { get; private set; }

    /// <summary>
    /// Moves every subject's features into a new arena, each block cut to its used words (rounded to two), and lets the old
    /// one go: free blocks of sizes no new block asks for (subjects of one shape evicted, then others of another shape
    /// arriving) would otherwise keep pages that nothing reuses.
    /// </summary>
    internal void CompactArena()
    {
        Compactions++;
        var old = _arena;
        var arena = new FeatureArena();
        for (var slot = 0; slot < _slotHigh; slot++)
        {
            ref var held = ref _slots[slot];
            if (held.Key.IsEmpty || held.Size == 0)
            {
                continue;
            }

            if (held.Used == 0)
            {
                held.Size = 0;
                continue;
            }

            var size = FeatureArena.SizeFor(held.Used);
            var address = arena.Allocate(size);
            old.Block(held.Block, held.Used).CopyTo(arena.Block(address, held.Used));
            held.Block = address;
            held.Size = (ushort)size;
        }

        _arena = arena;
    }

    public ValueTask ForgetKeyAsync(ushort keyId, CancellationToken cancellationToken)
    {
        ForgetLast();
        for (var slot = 0; slot < _slotHigh; slot++)
        {
            ref readonly var key = ref _slots[slot].Key;
            if (!key.IsEmpty && key.KeyId == keyId && key.IsPseudonymous)
            {
                Remove(slot);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Erases every feature of <paramref name="subjects"/> (a subject's erasure); returns how many were held.</summary>
    internal int Forget(IEnumerable<SubjectKey> subjects)
    {
        ForgetLast();
        var erased = 0;
        foreach (var key in subjects)
        {
            var slot = Find(in key, out _);
            if (slot >= 0)
            {
                Remove(slot);
                erased++;
            }
        }

        return erased;
    }

    /// <summary>
    /// Writes what is held about <paramref name="key"/> as JSON properties, one per feature (name, kind and values; a location
    /// as stored, coarsened); returns <see langword="false"/> (writing nothing) when the subject is not held.
    /// </summary>
    internal bool Describe(in SubjectKey key, Utf8JsonWriter writer)
    {
        var slot = Find(in key, out _);
        if (slot < 0)
        {
            return false;
        }

        writer.WriteNumber("expiresAtMs", _slots[slot].Expires);
        writer.WriteString("class", EvictionClasses.Tag((EvictionClass)(_slots[slot].Class & ClassMask)));
        writer.WriteStartArray("features");
        var block = Block(slot);
        for (var f = 0; f < block.Length; f += 1 + Feature.Payload(block[f]))
        {
            var feature = Feature.Name(block[f]);
            writer.WriteStartObject();
            writer.WriteString("name", FraudFeatures.WireNameOrNull(feature) ?? ((int)feature).ToString(CultureInfo.InvariantCulture));
            DescribeFeature(block.Slice(f, 1 + Feature.Payload(block[f])), writer);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        return true;
    }

    public ValueTask<long> ForgetSubjectsAsync(IReadOnlyCollection<SubjectKey> subjects, CancellationToken cancellationToken) =>
        ValueTask.FromResult((long)Forget(subjects));

    public ValueTask DescribeSubjectsAsync(IReadOnlyCollection<SubjectKey> subjects, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        foreach (var key in subjects)
        {
            if (Find(in key, out _) < 0)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("kind", SubjectKey.KindName(key.Kind));
            writer.WriteString("subject", key.ToString());
            Describe(key, writer);
            writer.WriteEndObject();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary><see cref="HeldBytes"/> counted again from every held subject (tests: the running count must equal it).</summary>
    internal long RecountHeldBytes() => Recount().Held;

    /// <summary>The bytes in heavy distinct counts of the subjects that go first over the byte bound (running count).</summary>
    internal long QueuedHeavyBytes => _queuedHeavyBytes;

    /// <summary><see cref="QueuedHeavyBytes"/> counted again from every held subject (tests).</summary>
    internal long RecountQueuedHeavyBytes() => Recount().QueuedHeavy;

    private (long Held, long QueuedHeavy) Recount()
    {
        var bytes = (long)_heavy.Count * HeavyEntryBytes;
        var queuedHeavy = 0L;
        for (var slot = 0; slot < _slotHigh; slot++)
        {
            if (_slots[slot].Key.IsEmpty)
            {
                continue;
            }

            bytes += SubjectBytes + (_slots[slot].Size * sizeof(ulong));
            var block = Block(slot);
            for (var f = 0; f < block.Length; f += 1 + Feature.Payload(block[f]))
            {
                if (Feature.IsObject(block[f]))
                {
                    // What each object holds now, not what was counted for it: the running counts must have followed it.
                    var value = _objects[Feature.Aux(block[f])];
                    if (value is SpilledDistinct spilled)
                    {
                        bytes += spilled.Bytes;
                        queuedHeavy += spilled.Queued ? spilled.Bytes : 0;
                    }
                    else
                    {
                        bytes += BytesOf(value);
                    }
                }
            }
        }

        return (bytes, queuedHeavy);
    }

    /// <summary>Removes every subject (tests, benchmarks).</summary>
    public void Clear()
    {
        ForgetLast();
        _count = 0;
        Array.Clear(_table);
        Array.Clear(_slots);
        _slotHigh = 0;
        _freeSlots.Clear();
        Array.Fill(_heads, -1);
        Array.Fill(_tails, -1);
        Array.Clear(_counts);
        _arena.Clear();
        Array.Clear(_objects);
        _objectHigh = 0;
        _objectBytes = 0;
        _queuedHeavyBytes = 0;
        _freeObjects.Clear();
        _heavy.Clear();
    }

    // Long because: hot path: one switch over the operation kinds, inlined over the subject's feature list.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first request: a replay is over before tiering catches up
    internal void Apply(in StateOperation op, ref StateResult result)
    {
        if (op.Subject.IsEmpty)
        {
            return;
        }

        var atMs = StateMath.UnixMs(op.At);
        if (atMs > _nowMs)
        {
            _nowMs = atMs;
        }

        // Consecutive operations mostly touch one subject (a request's IP features): remember the last one.
        int slot;
        if (_last >= 0 && _lastKey == op.Subject)
        {
            slot = _last;
        }
        else
        {
            slot = Find(in op.Subject, out var empty);
            if (slot < 0)
            {
                slot = NewSubject(op.Subject, empty);
                _slots[slot].LastUse = (int)atMs;
            }

            _last = slot;
            _lastKey = op.Subject;
        }

        // A subject used in another request (a request's operations all have its time) is touched: out of probation on its
        // second use, marked referenced after that. The low 32 bits of the time tell requests apart (equal only 49.7 days apart);
        // two requests of one subject in the same millisecond count as one use.
        ref var lastUse = ref _slots[slot].LastUse;
        if (lastUse != (int)atMs)
        {
            lastUse = (int)atMs;
            Touch(slot);
        }

        var wholeMs = StateMath.WholeMs(op.Window);
        var windowMs = Math.Max(1, wholeMs);
        var featureId = (int)op.Feature;
        if ((_slots[slot].Class & ClassMask) != (byte)EvictionClass.Evidence && (FraudFeatures.IsEvidence(op.Feature) || op.Kind == StateOperationKind.AddScore) && Writes(in op))
        {
            Evidence(slot, strong: op.Kind == StateOperationKind.AddScore || !FraudFeatures.IsAttemptEvidence(op.Feature));
        }

        switch (op.Kind)
        {
            case StateOperationKind.Increment:
            {
                var f = FindFeature(slot, featureId, Feature.Counter);
                if (f < 0)
                {
                    if (op.Amount == 0)
                    {
                        break;
                    }

                    f = AddFeature(slot, Feature.Header(featureId, Feature.Counter, Counter.NarrowWords, 0));
                    Counter.Init(Block(slot).Slice(f, 1 + Counter.NarrowWords));
                }

                result.Count = Increment(slot, f, atMs, StateMath.CounterBucketMs(wholeMs), op.Amount);
                Extend(slot, atMs + windowMs);
                if (result.Count >= 2 && op.Amount > 0 && _slots[slot].Class == (byte)EvictionClass.NewEvidence && FraudFeatures.IsEvidence(op.Feature))
                {
                    // a second attempt in one millisecond (parallel requests, a replay's whole seconds) is a second use too
                    Move(slot, EvictionClass.Evidence);
                }

                break;
            }

            case StateOperationKind.AddDistinct:
            {
                var f = FindFeature(slot, featureId, Feature.Distinct);
                if (f < 0)
                {
                    if (op.Element == 0)
                    {
                        break; // a read of nothing: 0, and no feature
                    }

                    f = AddFeature(slot, Feature.Header(featureId, Feature.Distinct, 1, 0));
                    Block(slot)[f + 1] = unchecked((ulong)long.MinValue);
                }

                result.IsNew = AddDistinct(slot, f, atMs, StateMath.GenerationMs(wholeMs), op.Element, out var estimate);
                result.Count = estimate;
                Extend(slot, atMs + windowMs);
                break;
            }

            case StateOperationKind.ObserveTiming:
            {
                var f = FindFeature(slot, featureId, Feature.Timing);
                if (f < 0)
                {
                    f = AddFeature(slot, Feature.Header(featureId, Feature.Timing, Timing.Words, 0));
                    Timing.Init(Block(slot).Slice(f, 1 + Timing.Words));
                }

                var timing = Block(slot).Slice(f, 1 + Timing.Words);
                Timing.Observe(timing, atMs, windowMs);
                result.Count = Timing.Count(timing);
                result.Mean = Timing.Mean(timing);
                result.Variation = StateMath.Variation(result.Mean, Timing.Variance(timing));
                Extend(slot, atMs + windowMs);
                break;
            }

            case StateOperationKind.Exchange:
            {
                var f = FindFeature(slot, featureId, Feature.Observation);
                if (f < 0)
                {
                    f = AddFeature(slot, Feature.Header(featureId, Feature.Observation, Observed.Words, 0));
                    Observed.Init(Block(slot).Slice(f, 1 + Observed.Words));
                }

                var observed = Block(slot).Slice(f, 1 + Observed.Words);
                var value = Observed.Value(observed);
                if (atMs < Observed.AtMs(observed))
                {
                    // an older observation arriving late (another node, a replay) never replaces a newer one: it is the answer
                    result.Previous = value;
                    break;
                }

                result.Previous = value.HasValue && Observed.ExpiresMs(observed) >= atMs ? value : default;
                Observed.Set(observed, op.Observation.Coarsened(), atMs + windowMs, atMs);
                Extend(slot, atMs + windowMs);
                break;
            }

            case StateOperationKind.AddMember:
            {
                var f = FindFeature(slot, featureId, Feature.Member);
                if (f < 0)
                {
                    f = AddFeature(slot, Feature.Header(featureId, Feature.Member, 1, 0));
                    Block(slot)[f + 1] = long.MaxValue;
                }

                result.IsNew = AddMember(slot, f, atMs, op.Element, out var count);
                result.Count = count;
                if (op.Element != 0)
                {
                    Block(slot)[f + 1] = (ulong)(atMs + windowMs);
                    Extend(slot, atMs + windowMs);
                }

                break;
            }

            case StateOperationKind.AddScore:
            {
                var f = FindFeature(slot, featureId, Feature.Score);
                if (f < 0)
                {
                    f = AddFeature(slot, Feature.ObjectHeader(featureId, Feature.Score, AddObject(new ScoreState())));
                }

                var score = (ScoreState)_objects[Feature.Aux(Block(slot)[f])]!;
                var before = score.Bytes;
                score.Add(atMs, windowMs, op.Reason, op.Points, out result.Score, out result.TopReason);
                _objectBytes += score.Bytes - before;
                Extend(slot, atMs + (8 * windowMs));
                break;
            }
        }
    }

    /// <summary>
    /// Sweeps expired subjects at most once a minute of record time and only after twice the subjects' count in operations
    /// (so a sweep costs at most half an iteration per operation, amortised, even in a fast replay).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first request: a replay is over before tiering catches up
    private void MaybeSweep()
    {
        if (_nowMs - _lastSweepMs < SweepIntervalMs || _sinceSweep < 2L * _count)
        {
            return;
        }

        _lastSweepMs = _nowMs;
        _sinceSweep = 0;
        ForgetLast();
        var slots = _slots;
        for (var i = 0; i < _slotHigh; i++)
        {
            if (slots[i].Expires < _nowMs && !slots[i].Key.IsEmpty)
            {
                Evict(i, Classes);
            }
        }

        for (var n = _heavy.Count; n > 0; n--)
        {
            var heavy = _heavy.Dequeue();
            if (IsQueuedHeavy(heavy.Slot, in heavy.Key))
            {
                _heavy.Enqueue(heavy); // still held, still heavy: kept, in its order
            }
        }
    }

    /// <summary>
    /// Evicts subjects beyond the bound, one at a time from the end of a class list: probation (subjects seen in one request,
    /// oldest first) while it holds more than its share of the bound; then evidence on probation (evidence from one request,
    /// oldest first) while it holds more than its share; then subjects seen again, about least recently used first (CLOCK);
    /// then the two probations whatever their size; subjects with evidence last. Amortised O(1) per subject evicted.
    /// </summary>
    private void EvictOverBound()
    {
        if (_count <= _maxSubjects && HeldBytes <= _maxBytes)
        {
            return;
        }

        ForgetLast();
        while (_count > 0 && (_count > _maxSubjects || HeldBytes > _maxBytes))
        {
            if (_count <= _maxSubjects && _queuedHeavyBytes > _maxBytes / 2 && EvictHeavy())
            {
                continue;
            }

            // Over the byte bound the store holds fewer subjects than MaxSubjects: the probations' share is of those held.
            var share = _count > _maxSubjects ? _probationTarget : Math.Min(_probationTarget, Math.Max(1, (int)((long)_count * ProbationShare / 100)));
            var victim = _counts[(int)EvictionClass.New] > share ? EvictionClass.New
                : _counts[(int)EvictionClass.NewEvidence] > share ? EvictionClass.NewEvidence
                : _counts[(int)EvictionClass.Repeat] > 0 ? EvictionClass.Repeat
                : _counts[(int)EvictionClass.New] > 0 ? EvictionClass.New
                : _counts[(int)EvictionClass.NewEvidence] > 0 ? EvictionClass.NewEvidence
                : EvictionClass.Evidence;
            var slot = _tails[(int)victim];
            while ((_slots[slot].Class & Referenced) != 0)
            {
                Move(slot, victim); // used since it was last at the front: a second chance (clears the bit)
                slot = _tails[(int)victim];
            }

            Evict(slot, (int)victim);
        }
    }

    /// <summary>Removes a subject and counts it under <paramref name="counter"/> (its <see cref="EvictionClass"/>, or expired).</summary>
    private void Evict(int slot, int counter)
    {
        Remove(slot);
        _evicted++;
        _evictedBy[counter]++;
    }

    /// <summary>
    /// Whether a subject of <paramref name="kind"/> holding heavy distinct counts goes first over the byte bound: addresses,
    /// prefixes, sessions and visitors (a scanner's or a flood's), never accounts, AS numbers, phone prefixes or the site.
    /// </summary>
    private static bool GoesFirstWhenHeavy(SubjectKind kind) =>
        kind is not (SubjectKind.User or SubjectKind.Asn or SubjectKind.PhonePrefix or SubjectKind.Site);

    /// <summary>
    /// Whether the subject of a heavy queue entry is still held in that slot with a heavy count it was queued for. A subject
    /// that left and came back light (to the same slot, which the free list hands out last in, first out) is not.
    /// </summary>
    private bool IsQueuedHeavy(int slot, in SubjectKey key)
    {
        if (_slots[slot].Key != key)
        {
            return false;
        }

        var block = Block(slot);
        for (var f = 0; f < block.Length; f += 1 + Feature.Payload(block[f]))
        {
            if (Feature.IsObject(block[f]) && _objects[Feature.Aux(block[f])] is SpilledDistinct { Queued: true })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Evicts the least recently used subject of <see cref="_heavy"/>; false when none is left.</summary>
    private bool EvictHeavy()
    {
        while (_heavy.TryDequeue(out var heavy))
        {
            ref readonly var held = ref _slots[heavy.Slot];
            if (!IsQueuedHeavy(heavy.Slot, in heavy.Key))
            {
                continue; // it left (its slot may hold another subject, or the same one back without its heavy count)
            }

            if (held.LastUse != heavy.Stamp)
            {
                _heavy.Enqueue((heavy.Slot, heavy.Key, held.LastUse)); // used since it was queued: a second chance
                continue;
            }

            Evict(heavy.Slot, Classes + 1);
            return true;
        }

        return false;
    }

    /// <summary>The slot of a held subject, or -1 and the table index where it would go.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(in SubjectKey key, out int empty)
    {
        var table = _table;
        var mask = table.Length - 1;
        for (var i = TableIndex(in key); ; i = (i + 1) & mask)
        {
            var entry = table[i];
            if (entry == 0)
            {
                empty = i;
                return -1;
            }

            if (_slots[entry - 1].Key == key)
            {
                empty = -1;
                return entry - 1;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int TableIndex(in SubjectKey key) => (int)(((uint)key.GetHashCode() * 0x9E3779B9u) >> _tableShift);

    private int NewSubject(in SubjectKey key, int empty)
    {
        if ((_count + 1) * 2 > _table.Length)
        {
            GrowTable();
            Find(in key, out empty);
        }

        if (!_freeSlots.TryPop(out var slot))
        {
            if (_slotHigh == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
            }

            slot = _slotHigh++;
        }

        _table[empty] = slot + 1;
        _count++;
        _slots[slot].Key = key;
        _slots[slot].Expires = long.MinValue;
        _slots[slot].Used = 0;
        _slots[slot].Size = 0;
        _slots[slot].Cursor = 0;

        // Accounts, AS numbers, phone prefixes and the site are evidence from the start (an account's failures, an AS's
        // logins: what the detectors judge over hours), on probation of their own until a second request; any other subject
        // starts on probation.
        Link(slot, key.Kind is SubjectKind.User or SubjectKind.Asn or SubjectKind.PhonePrefix or SubjectKind.Site ? EvictionClass.NewEvidence : EvictionClass.New);
        return slot;
    }

    private void GrowTable()
    {
        var old = _table;
        _table = new int[old.Length * 2];
        _tableShift--;
        var mask = _table.Length - 1;
        foreach (var entry in old)
        {
            if (entry != 0)
            {
                var i = TableIndex(in _slots[entry - 1].Key);
                while (_table[i] != 0)
                {
                    i = (i + 1) & mask;
                }

                _table[i] = entry;
            }
        }
    }

    /// <summary>Removes a held subject: out of the table (backward-shift deletion), its features and objects freed, its slot freed.</summary>
    private void Remove(int slot)
    {
        var table = _table;
        var mask = table.Length - 1;
        var i = TableIndex(in _slots[slot].Key);
        while (table[i] != slot + 1)
        {
            i = (i + 1) & mask;
        }

        // Later entries of the probe run move back into the hole unless their home is cyclically after it.
        var hole = i;
        for (var j = (hole + 1) & mask; table[j] != 0; j = (j + 1) & mask)
        {
            var home = TableIndex(in _slots[table[j] - 1].Key);
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                table[hole] = table[j];
                hole = j;
            }
        }

        table[hole] = 0;
        _count--;

        var block = Block(slot);
        for (var f = 0; f < block.Length; f += 1 + Feature.Payload(block[f]))
        {
            if (Feature.IsObject(block[f]))
            {
                var index = (int)Feature.Aux(block[f]);
                if (_objects[index] is SpilledDistinct { Queued: true } spilled)
                {
                    _queuedHeavyBytes -= spilled.Charged;
                }

                FreeObject(index);
            }
        }

        if (_slots[slot].Size > 0)
        {
            _arena.Free(_slots[slot].Block, _slots[slot].Size);
        }

        _slots[slot].Used = 0;
        _slots[slot].Size = 0;
        Unlink(slot);
        _slots[slot].Key = default;
        _freeSlots.Push(slot);
    }

    /// <summary>
    /// A subject used in another request: out of probation (into <see cref="EvictionClass.Repeat"/>, or from evidence on
    /// probation into <see cref="EvictionClass.Evidence"/>); otherwise marked referenced.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Touch(int slot)
    {
        ref var c = ref _slots[slot].Class;
        if (c == (byte)EvictionClass.New)
        {
            Move(slot, EvictionClass.Repeat);
        }
        else if (c == (byte)EvictionClass.NewEvidence)
        {
            Move(slot, EvictionClass.Evidence);
        }
        else if (c < Referenced)
        {
            c |= Referenced;
        }
    }

    /// <summary>
    /// A write of evidence (a login or account feature, or a score) on a subject not yet in <see cref="EvictionClass.Evidence"/>:
    /// <paramref name="strong"/> evidence (a score, an account's login profile: not <see cref="FraudFeatures.IsAttemptEvidence"/>),
    /// or any evidence on a subject seen before, makes it evidence; an attempt (a failed or successful login, a sign-up, a one-time
    /// code request) in a subject's first request puts it on evidence probation (<see cref="EvictionClass.NewEvidence"/>).
    /// </summary>
    private void Evidence(int slot, bool strong)
    {
        var to = strong || (_slots[slot].Class & ClassMask) == (byte)EvictionClass.Repeat ? EvictionClass.Evidence : EvictionClass.NewEvidence;
        if ((_slots[slot].Class & ClassMask) != (byte)to)
        {
            Move(slot, to);
        }
    }

    private void Move(int slot, EvictionClass to)
    {
        Unlink(slot);
        Link(slot, to);
    }

    /// <summary>Links a slot in at the front of a class list.</summary>
    private void Link(int slot, EvictionClass to)
    {
        var c = (int)to;
        var head = _heads[c];
        _slots[slot].Class = (byte)c;
        _slots[slot].Prev = -1;
        _slots[slot].Next = head;
        if (head >= 0)
        {
            _slots[head].Prev = slot;
        }
        else
        {
            _tails[c] = slot;
        }

        _heads[c] = slot;
        _counts[c]++;
    }

    private void Unlink(int slot)
    {
        var c = _slots[slot].Class & ClassMask;
        var prev = _slots[slot].Prev;
        var next = _slots[slot].Next;
        if (prev >= 0)
        {
            _slots[prev].Next = next;
        }
        else
        {
            _heads[c] = next;
        }

        if (next >= 0)
        {
            _slots[next].Prev = prev;
        }
        else
        {
            _tails[c] = prev;
        }

        _counts[c]--;
    }

    /// <summary>Whether an operation writes (rather than reads) state: only a write of an evidence feature makes a subject evidence.</summary>
    private static bool Writes(in StateOperation op) => op.Kind switch
    {
        StateOperationKind.Increment => op.Amount != 0,
        StateOperationKind.AddDistinct or StateOperationKind.AddMember => op.Element != 0,
        StateOperationKind.AddScore => op.Points > 0 && op.Reason is not null,
        _ => true,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Extend(int slot, long expiresMs)
    {
        ref var expires = ref _slots[slot].Expires;
        if (expiresMs > expires)
        {
            expires = expiresMs;
        }
    }

    private void ForgetLast() => _last = -1;

    /// <summary>A subject's features (the used words of its block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<ulong> Block(int slot)
    {
        var used = _slots[slot].Used;
        return used == 0 ? default : _arena.Block(_slots[slot].Block, used);
    }

    /// <summary>
    /// Finds a feature by its <see cref="FraudFeature"/> and type; returns its word offset in the block, or -1. The search starts
    /// after the last feature used (a request's operations on a subject come in the same order every time, and new features go in
    /// right after the last one used, so the block keeps that order and the next feature is usually the first looked at), then
    /// wraps round. A block holds at most one feature of a <see cref="FraudFeature"/> and type, so the order of the search never
    /// changes the answer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindFeature(int slot, int featureId, int type)
    {
        var block = Block(slot);
        var cursor = _slots[slot].Cursor - 1;
        var start = cursor < 0 ? block.Length : cursor + 1 + Feature.Payload(block[cursor]);
        var key = Feature.Key(featureId, type);
        for (var f = start; f < block.Length; f += 1 + Feature.Payload(block[f]))
        {
            if (Feature.Matches(block[f], key))
            {
                _slots[slot].Cursor = (ushort)(f + 1);
                return f;
            }
        }

        for (var f = 0; f < start; f += 1 + Feature.Payload(block[f]))
        {
            if (Feature.Matches(block[f], key))
            {
                _slots[slot].Cursor = (ushort)(f + 1);
                return f;
            }
        }

        return -1;
    }

    /// <summary>Adds a feature (its payload to be initialised by the caller) right after the last one used; returns its offset.</summary>
    private int AddFeature(int slot, ulong header)
    {
        var cursor = _slots[slot].Cursor - 1;
        var at = 0;
        if (cursor >= 0)
        {
            at = cursor + 1 + Feature.Payload(Block(slot)[cursor]);
        }

        var block = Reshape(slot, at, 1 + Feature.Payload(header));
        block[at] = header;
        _slots[slot].Cursor = (ushort)(at + 1);
        return at;
    }

    /// <summary>
    /// Inserts <paramref name="delta"/> words at word <paramref name="at"/> of a subject's block (or removes -<paramref name="delta"/>
    /// words from there), moving the block to a larger one when it is full; returns the block's used words. Inserted words are
    /// undefined until written.
    /// </summary>
    private Span<ulong> Reshape(int slot, int at, int delta)
    {
        int used = _slots[slot].Used;
        var resized = used + delta;
        int size = _slots[slot].Size;
        if (resized > size)
        {
            var grown = FeatureArena.SizeFor(resized);
            if (grown > FeatureArena.PageWords || grown > ushort.MaxValue)
            {
                throw new InvalidOperationException("A fraud subject's features exceed the largest block.");
            }

            var address = _arena.Allocate(grown);
            var to = _arena.Block(address, resized);
            if (used > 0)
            {
                var from = _arena.Block(_slots[slot].Block, used);
                from[..at].CopyTo(to);
                from[at..].CopyTo(to[(at + delta)..]);
            }

            if (size > 0)
            {
                _arena.Free(_slots[slot].Block, size);
            }

            _slots[slot].Block = address;
            _slots[slot].Size = (ushort)grown;
        }
        else
        {
            var block = _arena.Block(_slots[slot].Block, Math.Max(used, resized));
            if (delta > 0)
            {
                block[at..used].CopyTo(block[(at + delta)..]);
            }
            else if (delta < 0)
            {
                block[(at - delta)..used].CopyTo(block[at..]);
            }
        }

        _slots[slot].Used = (ushort)resized;
        return _arena.Block(_slots[slot].Block, resized);
    }

    private int AddObject(object value)
    {
        if (!_freeObjects.TryPop(out var index))
        {
            if (_objectHigh == _objects.Length)
            {
                Array.Resize(ref _objects, _objects.Length * 2);
            }

            index = _objectHigh++;
        }

        _objects[index] = value;
        _objectBytes += BytesOf(value);
        return index;
    }

    private void FreeObject(int index)
    {
        _objectBytes -= BytesOf(_objects[index]);
        _objects[index] = null;
        _freeObjects.Push(index);
    }

    /// <summary>A counter's add: on its six buckets as <c>int</c>s, kept as <c>ushort</c>s while they fit, else widened for good.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first request: a replay is over before tiering catches up
    private long Increment(int slot, int f, long atMs, long bucketMs, long amount)
    {
        var block = Block(slot);
        var counter = block.Slice(f, 1 + Feature.Payload(block[f]));
        Span<int> buckets = stackalloc int[StateOperation.CounterBuckets];
        Counter.Load(counter, buckets);
        var head = (long)counter[1];
        var count = Counter.Add(ref head, buckets, atMs, bucketMs, amount);
        if (!Counter.TryStore(counter, head, buckets))
        {
            block = Reshape(slot, f + 1 + Counter.NarrowWords, Counter.WideWords - Counter.NarrowWords);
            block[f] = Feature.Widened(block[f], Counter.WideWords);
            Counter.TryStore(block.Slice(f, 1 + Counter.WideWords), head, buckets);
        }

        return count;
    }

    /// <summary>
    /// Counts a spilled distinct count at what it holds now (its arrays grew, became a HyperLogLog, gave a KiB back), and
    /// queues its subject to go first over the byte bound once it is heavy (a HyperLogLog: more than
    /// <see cref="DistinctSketch.SmallLimit"/> elements in a generation), if it is of a kind that does.
    /// </summary>
    private void Recharge(int slot, SpilledDistinct spilled)
    {
        var bytes = spilled.Bytes;
        var delta = bytes - spilled.Charged;
        spilled.Charged = bytes;
        spilled.Resized = false;
        _objectBytes += delta;
        if (spilled.Queued)
        {
            _queuedHeavyBytes += delta;
        }
        else if (spilled.IsHeavy && GoesFirstWhenHeavy(_slots[slot].Key.Kind))
        {
            spilled.Queued = true;
            _queuedHeavyBytes += bytes;
            _heavy.Enqueue((slot, _slots[slot].Key, _slots[slot].LastUse));
        }
    }

    /// <summary>
    /// A distinct count's add: the two generations' small sets, exactly as <see cref="DistinctSketch"/> keeps them below its
    /// small limit, in the block; beyond <see cref="InlineDistinct"/> elements, the feature becomes a <see cref="SpilledDistinct"/>.
    /// </summary>
    // Long because: hot path: the generation turn, the exact small sets and the spill to sketches decided in one pass over the block.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first request: a replay is over before tiering catches up
    private bool AddDistinct(int slot, int f, long atMs, long generationMs, ulong element, out long estimate)
    {
        var block = Block(slot);
        if (Feature.IsObject(block[f]))
        {
            var held = (SpilledDistinct)_objects[Feature.Aux(block[f])]!;
            var added = held.Add(atMs, generationMs, element, out estimate);
            if (held.Resized)
            {
                Recharge(slot, held);
            }

            return added;
        }

        var g = StateMath.Bucket(atMs, generationMs);
        var generation = (long)block[f + 1];
        var current = Feature.Current(block[f]);
        var previous = Feature.Previous(block[f]);
        if (g > generation)
        {
            if (g == generation + 1)
            {
                // the current generation becomes the previous one: its elements stay where they are (after an empty current)
                block = Reshape(slot, f + 2 + current, -previous);
                previous = current;
            }
            else
            {
                block = Reshape(slot, f + 2, -(current + previous));
                previous = 0;
            }

            current = 0;
            block[f + 1] = (ulong)g;
            block[f] = Feature.WithSets(block[f], current, previous);
            generation = g;
        }

        var changed = false;
        if (element != 0 && (g == generation || g == generation - 1))
        {
            var inCurrent = g == generation;
            var set = inCurrent ? block.Slice(f + 2, current) : block.Slice(f + 2 + current, previous);
            if (!set.Contains(element))
            {
                if (current + previous == InlineDistinct)
                {
                    var spilled = new SpilledDistinct(generation, block.Slice(f + 2, current), block.Slice(f + 2 + current, previous));
                    var index = AddObject(spilled);
                    block = Reshape(slot, f + 1, -(1 + current + previous));
                    block[f] = Feature.Spilled(block[f], (uint)index);
                    var added = spilled.Add(atMs, generationMs, element, out estimate);
                    Recharge(slot, spilled);
                    return added;
                }

                var at = inCurrent ? f + 2 + current : f + 2 + current + previous;
                block = Reshape(slot, at, 1);
                block[at] = element;
                if (inCurrent)
                {
                    current++;
                }
                else
                {
                    previous++;
                }

                block[f] = Feature.WithSets(block[f], current, previous);
                changed = true;
            }
        }

        estimate = UnionCount(block.Slice(f + 2, current), block.Slice(f + 2 + current, previous));
        return changed;
    }

    /// <summary>
    /// The bytes an object feature counts for in <see cref="HeldBytes"/>: a spilled distinct count what it held at its last
    /// add that could change its size (<see cref="Recharge"/>), a score what it holds.
    /// </summary>
    private static int BytesOf(object? value) => value switch
    {
        SpilledDistinct spilled => spilled.Charged,
        ScoreState score => score.Bytes,
        _ => 0,
    };

    /// <summary>The size of the union of two sets (<see cref="DistinctSketch.EstimateUnion"/> of two small sets).</summary>
    private static long UnionCount(ReadOnlySpan<ulong> current, ReadOnlySpan<ulong> previous)
    {
        long n = current.Length;
        foreach (var element in previous)
        {
            if (!current.Contains(element))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>A member set's add: elements most recent last, the least recently added dropped beyond <see cref="StateOperation.MaxMembers"/>.</summary>
    private bool AddMember(int slot, int f, long atMs, ulong element, out long count)
    {
        var block = Block(slot);
        var n = (int)Feature.Aux(block[f]);
        if ((long)block[f + 1] < atMs && n > 0)
        {
            block = Reshape(slot, f + 2, -n); // expired: emptied
            n = 0;
            block[f] = Feature.WithMembers(block[f], 0);
        }

        count = n;
        if (element == 0)
        {
            return false;
        }

        var members = block.Slice(f + 2, n);
        var i = members.IndexOf(element);
        if (i >= 0)
        {
            members[(i + 1)..].CopyTo(members[i..]);
            members[n - 1] = element;
            return false;
        }

        if (n == StateOperation.MaxMembers)
        {
            members[1..].CopyTo(members); // evict the least recently added
            members[n - 1] = element;
            return true;
        }

        block = Reshape(slot, f + 2 + n, 1);
        block[f + 2 + n] = element;
        block[f] = Feature.WithMembers(block[f], n + 1);
        count = n + 1;
        return true;
    }

    private void DescribeFeature(ReadOnlySpan<ulong> feature, Utf8JsonWriter writer)
    {
        switch (Feature.Type(feature[0]))
        {
            case Feature.Counter:
                Counter.Describe(feature, writer);
                break;
            case Feature.Distinct when Feature.IsObject(feature[0]):
                ((SpilledDistinct)_objects[Feature.Aux(feature[0])]!).Describe(writer);
                break;
            case Feature.Distinct:
                var current = Feature.Current(feature[0]);
                writer.WriteString("kind", "distinct");
                writer.WriteNumber("generation", (long)feature[1]);
                writer.WriteNumber("estimate", UnionCount(feature.Slice(2, current), feature.Slice(2 + current, Feature.Previous(feature[0]))));
                break;
            case Feature.Timing:
                writer.WriteString("kind", "timing");
                writer.WriteNumber("lastMs", (long)feature[1]);
                writer.WriteNumber("count", Timing.Count(feature));
                writer.WriteNumber("meanMs", Timing.Mean(feature));
                writer.WriteNumber("variance", Timing.Variance(feature));
                break;
            case Feature.Observation:
                Observed.Describe(feature, writer);
                break;
            case Feature.Member:
                writer.WriteString("kind", "members");
                writer.WriteNumber("expiresMs", (long)feature[1]);
                writer.WriteStartArray("members");
                foreach (var member in feature.Slice(2, (int)Feature.Aux(feature[0])))
                {
                    writer.WriteStringValue(member.ToString("x16", CultureInfo.InvariantCulture));
                }

                writer.WriteEndArray();
                break;
            case Feature.Score:
                ((ScoreState)_objects[Feature.Aux(feature[0])]!).Describe(writer);
                break;
        }
    }

    /// <summary>
    /// A feature's header word: bits 0–15 its <see cref="FraudFeature"/> (a byte: 8–15 are zero), 16–19 the type, 20 whether the
    /// feature is an object (its index in the upper half), 21 whether a counter is wide, 24–31 the payload words that follow, 32–63
    /// the feature's own (a distinct count's set sizes, a member count, an observation's UTC offset, an object's index).
    /// </summary>
    private static class Feature
    {
        public const int Counter = 1;
        public const int Distinct = 2;
        public const int Timing = 3;
        public const int Observation = 4;
        public const int Member = 5;
        public const int Score = 6;
        private const ulong ObjectFlag = 1UL << 20;
        private const ulong WideFlag = 1UL << 21;

        public static ulong Header(int featureId, int type, int payload, uint aux) =>
            (uint)featureId | ((ulong)type << 16) | ((ulong)payload << 24) | ((ulong)aux << 32);

        public static ulong ObjectHeader(int featureId, int type, int index) => Header(featureId, type, 0, (uint)index) | ObjectFlag;

        public static ulong Key(int featureId, int type) => (uint)featureId | ((ulong)type << 16);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Matches(ulong header, ulong key) => (header & 0xF_FFFF) == key;

        public static FraudFeature Name(ulong header) => (FraudFeature)(header & 0xFF);

        public static int Type(ulong header) => (int)(header >> 16) & 0xF;

        public static bool IsObject(ulong header) => (header & ObjectFlag) != 0;

        /// <summary>Whether a counter is wide (<c>int</c> buckets).</summary>
        public static bool IsWide(ulong header) => (header & WideFlag) != 0;

        public static ulong Widened(ulong header, int payload) => WithPayload(header, payload, 0) | WideFlag;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Payload(ulong header) => (int)(header >> 24) & 0xFF;

        public static uint Aux(ulong header) => (uint)(header >> 32);

        public static ulong WithAux(ulong header, uint aux) => (header & 0xFFFF_FFFFUL) | ((ulong)aux << 32);

        public static ulong WithPayload(ulong header, int payload, uint aux) => WithAux((header & ~(0xFFUL << 24)) | ((ulong)payload << 24), aux);

        /// <summary>An object feature now: no payload, the object's index.</summary>
        public static ulong Spilled(ulong header, uint index) => WithPayload(header, 0, index) | ObjectFlag;

        /// <summary>A distinct count's elements in the current and in the previous generation.</summary>
        public static int Current(ulong header) => (int)(header >> 32) & 0xFF;

        public static int Previous(ulong header) => (int)(header >> 40) & 0xFF;

        public static ulong WithSets(ulong header, int current, int previous) => WithPayload(header, 1 + current + previous, (uint)(current | (previous << 8)));

        public static ulong WithMembers(ulong header, int count) => WithPayload(header, 1 + count, (uint)count);
    }

    /// <summary>
    /// A counter: the head bucket, then <see cref="StateOperation.CounterBuckets"/> buckets; narrow, two <c>ushort</c> buckets in
    /// the header and four in one word (3 words in all), while every bucket is in 0–65,535; else wide, six <c>int</c>s in three words.
    /// </summary>
    private static class Counter
    {
        public const int NarrowWords = 2;
        public const int WideWords = 4;

        public static void Init(Span<ulong> c)
        {
            c[1] = unchecked((ulong)long.MinValue);
            c[2] = 0;
        }

        public static void Load(ReadOnlySpan<ulong> c, Span<int> buckets)
        {
            if (Feature.IsWide(c[0]))
            {
                MemoryMarshal.Cast<ulong, int>(c.Slice(2, 3)).CopyTo(buckets);
                return;
            }

            var low = Feature.Aux(c[0]);
            var high = c[2];
            buckets[0] = (ushort)low;
            buckets[1] = (ushort)(low >> 16);
            buckets[2] = (ushort)high;
            buckets[3] = (ushort)(high >> 16);
            buckets[4] = (ushort)(high >> 32);
            buckets[5] = (ushort)(high >> 48);
        }

        /// <summary>Stores the head and buckets; <see langword="false"/> (nothing stored) when a narrow counter cannot hold them.</summary>
        public static bool TryStore(Span<ulong> c, long head, ReadOnlySpan<int> buckets)
        {
            if (Feature.IsWide(c[0]))
            {
                c[1] = (ulong)head;
                buckets.CopyTo(MemoryMarshal.Cast<ulong, int>(c.Slice(2, 3)));
                return true;
            }

            foreach (var bucket in buckets)
            {
                if ((uint)bucket > ushort.MaxValue)
                {
                    return false;
                }
            }

            c[0] = Feature.WithAux(c[0], (uint)buckets[0] | ((uint)buckets[1] << 16));
            c[1] = (ulong)head;
            c[2] = (uint)buckets[2] | ((ulong)(uint)buckets[3] << 16) | ((ulong)(uint)buckets[4] << 32) | ((ulong)(uint)buckets[5] << 48);
            return true;
        }

        public static void Describe(ReadOnlySpan<ulong> c, Utf8JsonWriter writer)
        {
            var head = (long)c[1];
            Span<int> buckets = stackalloc int[StateOperation.CounterBuckets];
            Load(c, buckets);
            writer.WriteString("kind", "counter");
            writer.WriteNumber("headBucket", head);
            writer.WriteStartArray("buckets");
            const int n = StateOperation.CounterBuckets;
            for (var k = n - 1; k >= 0 && head != long.MinValue; k--)
            {
                var index = head - k;
                writer.WriteNumberValue(buckets[(int)((index % n + n) % n)]);
            }

            writer.WriteEndArray();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first request: a replay is over before tiering catches up
        public static long Add(ref long head, Span<int> buckets, long atMs, long bucketMs, long amount)
        {
            var b = StateMath.Bucket(atMs, bucketMs);
            const int n = StateOperation.CounterBuckets;
            if (b > head)
            {
                var advance = head == long.MinValue ? n : Math.Min(n, b - head);
                for (var k = 0; k < advance; k++)
                {
                    buckets[(int)(((b - k) % n + n) % n)] = 0;
                }

                head = b;
            }

            if (b > head - n)
            {
                buckets[(int)((b % n + n) % n)] = (int)Math.Clamp(buckets[(int)((b % n + n) % n)] + amount, int.MinValue, int.MaxValue);
            }

            // Sum of buckets b-5 .. b (those that exist): all six when b is the head (the usual case: not a late arrival).
            if (b == head)
            {
                return (long)buckets[0] + buckets[1] + buckets[2] + buckets[3] + buckets[4] + buckets[5];
            }

            long sum = 0;
            for (var k = 0; k < n; k++)
            {
                var index = b - k;
                if (index <= head && index > head - n)
                {
                    sum += buckets[(int)((index % n + n) % n)];
                }
            }

            return sum;
        }
    }

    /// <summary>A timing series: the last time, the count of gaps, their smoothed mean and variance.</summary>
    private static class Timing
    {
        public const int Words = 4;

        public static void Init(Span<ulong> t)
        {
            t[1] = unchecked((ulong)long.MinValue);
            t[2] = 0;
            t[3] = 0;
            t[4] = 0;
        }

        public static long Count(ReadOnlySpan<ulong> t) => (long)t[2];

        public static double Mean(ReadOnlySpan<ulong> t) => BitConverter.UInt64BitsToDouble(t[3]);

        public static double Variance(ReadOnlySpan<ulong> t) => BitConverter.UInt64BitsToDouble(t[4]);

        public static void Observe(Span<ulong> t, long atMs, long windowMs)
        {
            var lastMs = (long)t[1];
            if (lastMs == long.MinValue || atMs - lastMs > windowMs)
            {
                t[2] = 0;
                t[3] = 0;
                t[4] = 0;
                t[1] = (ulong)atMs;
                return;
            }

            if (atMs < lastMs)
            {
                return;
            }

            var count = (long)t[2];
            var mean = Mean(t);
            var variance = Variance(t);
            StateMath.TimingStep(ref count, ref mean, ref variance, atMs - lastMs);
            t[2] = (ulong)count;
            t[3] = BitConverter.DoubleToUInt64Bits(mean);
            t[4] = BitConverter.DoubleToUInt64Bits(variance);
            t[1] = (ulong)atMs;
        }
    }

    /// <summary>
    /// An observation: its time (UTC ticks; the offset in the header), network, device, AS number, latitude, longitude, then
    /// country, flags and accuracy in one word, then its expiry and the time it was recorded at.
    /// </summary>
    private static class Observed
    {
        public const int Words = 9;

        public static void Init(Span<ulong> o)
        {
            o[1..].Clear();
            o[9] = unchecked((ulong)long.MinValue);
        }

        public static long ExpiresMs(ReadOnlySpan<ulong> o) => (long)o[8];

        public static long AtMs(ReadOnlySpan<ulong> o) => (long)o[9];

        public static Observation Value(ReadOnlySpan<ulong> o)
        {
            var offset = TimeSpan.FromMinutes((short)Feature.Aux(o[0]));
            var packed = o[7];
            return new Observation(
                new DateTimeOffset((long)o[1] + offset.Ticks, offset),
                o[2],
                o[3],
                (long)o[4],
                (ushort)packed,
                BitConverter.UInt64BitsToDouble(o[5]),
                BitConverter.UInt64BitsToDouble(o[6]),
                (int)(packed >> 32),
                (Records.NetworkFlags)(ushort)(packed >> 16));
        }

        public static void Set(Span<ulong> o, in Observation value, long expiresMs, long atMs)
        {
            o[0] = Feature.WithAux(o[0], (ushort)(short)value.At.Offset.TotalMinutes);
            o[1] = (ulong)value.At.UtcTicks;
            o[2] = value.Network;
            o[3] = value.Device;
            o[4] = (ulong)value.Asn;
            o[5] = BitConverter.DoubleToUInt64Bits(value.Latitude);
            o[6] = BitConverter.DoubleToUInt64Bits(value.Longitude);
            o[7] = value.Country | ((ulong)(ushort)value.Flags << 16) | ((ulong)(uint)value.AccuracyKm << 32);
            o[8] = (ulong)expiresMs;
            o[9] = (ulong)atMs;
        }

        public static void Describe(ReadOnlySpan<ulong> o, Utf8JsonWriter writer)
        {
            var value = Value(o);
            writer.WriteString("kind", "observation");
            writer.WriteNumber("atMs", AtMs(o));
            writer.WriteNumber("expiresMs", ExpiresMs(o));
            writer.WriteString("network", value.Network.ToString("x16", CultureInfo.InvariantCulture));
            writer.WriteString("device", value.Device.ToString("x16", CultureInfo.InvariantCulture));
            writer.WriteNumber("asn", value.Asn);
            writer.WriteString("country", Observation.UnpackCountry(value.Country));
            writer.WriteNumber("latitude", value.Latitude);
            writer.WriteNumber("longitude", value.Longitude);
            writer.WriteNumber("accuracyKm", value.AccuracyKm);
            writer.WriteString("flags", value.Flags.ToString());
        }
    }

    /// <summary>A distinct count grown past <see cref="InlineDistinct"/> elements: two generations of <see cref="DistinctSketch"/>.</summary>
    private sealed class SpilledDistinct
    {
        private DistinctSketch _current;
        private DistinctSketch _previous;
        private long _generation;

        // The union's estimate, valid until either generation changes. Once either generation is a HyperLogLog, the union's
        // registers are kept as elements arrive (valid until the generations turn), so a change costs one register, not a
        // merge of both generations and a pass over the union's 1,024 registers: 1 KiB more while either is a HyperLogLog.
        private long _estimate;
        private bool _estimateValid;
        private DistinctUnion? _union;
        private bool _unionValid;

        public SpilledDistinct(long generation, ReadOnlySpan<ulong> current, ReadOnlySpan<ulong> previous)
        {
            _generation = generation;
            foreach (var element in current)
            {
                _current.Add(element);
            }

            foreach (var element in previous)
            {
                _previous.Add(element);
            }
        }

        /// <summary>The bytes it holds: this object, both generations' arrays and the union's, if any.</summary>
        public int Bytes => ObjectBytes + _current.HeldBytes + _previous.HeldBytes + (_union is null ? 0 : DistinctUnion.Bytes);

        /// <summary>The bytes the store counts for it (<see cref="Bytes"/> after its last add).</summary>
        public int Charged { get; set; }

        /// <summary>Whether either generation is a HyperLogLog: more than <see cref="DistinctSketch.SmallLimit"/> elements in it.</summary>
        public bool IsHeavy => _current.IsHll || _previous.IsHll;

        /// <summary>Whether its subject was queued to go first over the byte bound (once, when it first became heavy).</summary>
        public bool Queued { get; set; }

        /// <summary>
        /// Whether <see cref="Bytes"/> may have changed since the store last counted it: a generation turned, an exact set took
        /// an element (its array may grow, or become registers), or the union was made. An add to a HyperLogLog changes nothing.
        /// </summary>
        public bool Resized { get; set; } = true;

        // The object: header and method table, two sketches (a reference, a count and a reference each), five fields.
        private static int ObjectBytes => 16 + (2 * 24) + 40;

        public void Describe(Utf8JsonWriter writer)
        {
            writer.WriteString("kind", "distinct");
            writer.WriteNumber("generation", _generation);
            writer.WriteNumber("estimate", DistinctSketch.EstimateUnion(in _current, in _previous));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first request: a replay is over before tiering catches up
        public bool Add(long atMs, long generationMs, ulong element, out long estimate)
        {
            var g = StateMath.Bucket(atMs, generationMs);
            if (g > _generation)
            {
                _estimateValid = false;
                _unionValid = false;
                if (g == _generation + 1)
                {
                    (_previous, _current) = (_current, _previous);
                    _current.Clear();
                }
                else
                {
                    _current.Clear();
                    _previous.Clear();
                }

                if (!_previous.IsHll)
                {
                    _union = null; // both generations exact again (the current one was just cleared): its KiB goes back, as theirs
                }

                _generation = g;
                Resized = true;
            }

            var changed = false;
            if (element != 0)
            {
                if (g == _generation)
                {
                    var exact = !_current.IsHll;
                    changed = _current.Add(element);
                    Resized |= changed && exact; // an exact set's array may have grown, or become registers
                }
                else if (g == _generation - 1)
                {
                    var exact = !_previous.IsHll;
                    changed = _previous.Add(element);
                    Resized |= changed && exact;
                }
            }

            if (changed || !_estimateValid)
            {
                _estimate = Estimate(element, changed);
                _estimateValid = true;
            }

            estimate = _estimate;
            return changed;
        }

        /// <summary>The union's estimate after <paramref name="element"/> was added (<paramref name="changed"/>: it was new).</summary>
        private long Estimate(ulong element, bool changed)
        {
            if (!_current.IsHll && !_previous.IsHll)
            {
                return DistinctSketch.EstimateUnion(_current, _previous); // exact: two small sets
            }

            if (!_unionValid)
            {
                if (_union is null)
                {
                    _union = new DistinctUnion();
                    Resized = true;
                }

                _union.Reset(_current, _previous);
                _unionValid = true;
            }
            else if (changed)
            {
                _union!.Add(element);
            }

            return _union!.Estimate();
        }
    }

    /// <summary>A score: decayed points by reason.</summary>
    private sealed class ScoreState
    {
        private string?[] _reasons = new string?[2];
        private double[] _values = new double[2];
        private int _count;
        private long _updatedMs;

        /// <summary>Bytes held: this object and its two arrays.</summary>
        public int Bytes => 16 + 32 + (2 * 24) + (_reasons.Length * (IntPtr.Size + sizeof(double)));

        public void Describe(Utf8JsonWriter writer)
        {
            writer.WriteString("kind", "score");
            writer.WriteNumber("updatedMs", _updatedMs);
            writer.WriteStartObject("reasons");
            for (var i = 0; i < _count; i++)
            {
                writer.WriteNumber(_reasons[i] ?? "?", Math.Round(_values[i], 3));
            }

            writer.WriteEndObject();
        }

        public void Add(long atMs, long halfLifeMs, string? reason, double points, out double score, out string? topReason)
        {
            if (atMs > _updatedMs)
            {
                var elapsed = _updatedMs == 0 ? 0 : atMs - _updatedMs;
                for (var i = 0; i < _count; i++)
                {
                    _values[i] = StateMath.Decay(_values[i], elapsed, halfLifeMs);
                }

                _updatedMs = atMs;
            }

            if (reason is not null && points > 0)
            {
                var index = Array.IndexOf(_reasons, reason, 0, _count);
                if (index < 0)
                {
                    if (_count == _reasons.Length)
                    {
                        Array.Resize(ref _reasons, _count * 2);
                        Array.Resize(ref _values, _count * 2);
                    }

                    index = _count++;
                    _reasons[index] = reason;
                    _values[index] = 0;
                }

                _values[index] = Math.Max(_values[index], points);
            }

            score = 0;
            topReason = null;
            var top = 0.0;
            for (var i = 0; i < _count; i++)
            {
                score += _values[i];
                if (_values[i] > top)
                {
                    top = _values[i];
                    topReason = _reasons[i];
                }
            }
        }
    }

    private struct Slot
    {
        public SubjectKey Key;
        public long Expires;
        public int Prev;
        public int Next;
        public int Block;
        public ushort Used;
        public ushort Size;
        public ushort Cursor;
        public byte Class;
        public int LastUse; // the low 32 bits of the last request's time (ms): in the slot's padding
    }
}
