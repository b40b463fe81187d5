// The in-memory store as it was before its compact layout (a dictionary of subject objects, one object per feature), kept as
// the reference the compact store is compared with, operation by operation (CompactStoreEquivalenceTests).
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// The default <see cref="IFraudStateStore"/>: all state in this process, bounded. A subject's state is a small linked list
/// of features (counters, sketches, observations, sets, score), allocated on first use. Subjects whose every feature has
/// expired are swept once a minute (of record time). Beyond <c>MaxSubjects</c>, subjects are evicted by class, cheapest
/// first (see <see cref="EvictionClass"/>): a new subject seen in one request only, then subjects seen again, and subjects
/// that carry evidence (accounts, AS numbers, logins, detector verdicts) last, so a flood of one-request addresses
/// evicts only its own kind. Single-threaded (the pipeline thread).
/// </summary>
internal sealed class ReferenceFraudStateStore
{
    private static readonly long SweepIntervalMs = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;

    private readonly Dictionary<SubjectKey, Subject> _subjects = new();
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);
    private readonly int _maxSubjects;
    private long _lastSweepMs;
    private long _nowMs;
    private long _evicted;
    private long _sinceSweep;
    private SubjectKey _lastKey;
    private Subject? _last;

    // Eviction: every subject is in one of three lists by class (EvictionClass), threaded through its slot (prev/next slot
    // indexes): O(1) to add, promote and evict, no allocation. New subjects are a FIFO probation list that may hold
    // ProbationShare of the bound before it is the one evicted from. The other two are CLOCK lists (second chance): a use
    // sets the slot's Referenced bit (one byte written, no list touched); eviction moves a referenced tail to the front,
    // clearing the bit, and evicts the first tail without it: least recently used first, near enough, amortised O(1).
    private const int ProbationShare = 10; // percent
    private const byte ClassMask = 0x3;
    private const byte Referenced = 0x80;
    private readonly int _probationTarget;
    private readonly int[] _heads = [-1, -1, -1, -1];
    private readonly int[] _tails = [-1, -1, -1, -1];
    private readonly int[] _counts = new int[4];
    private readonly long[] _evictedBy = new long[5]; // EvictionClass, then expired
    private readonly HashSet<string> _evidenceNames;
    private bool[] _evidenceIds = new bool[64];

    // A direct-mapped cache of recently used subjects in front of the dictionary: a record's handful of subjects
    // (ip, prefix, session, visitor, user, asn) come back operation after operation, and a dictionary probe is a
    // hash, a bucket and an entry read in a table of up to MaxSubjects. Emptied whenever a subject leaves the dictionary.
    private const int RecentSlots = 64;
    private readonly SubjectKey[] _recentKeys = new SubjectKey[RecentSlots];
    private readonly Subject?[] _recent = new Subject?[RecentSlots];

    // Each subject's expiry lives in a slot of a flat array (struct of arrays), with its key: a sweep reads these arrays
    // in order instead of visiting every subject object scattered over the heap. A free key marks a free slot.
    private SubjectKey[] _slotKeys = new SubjectKey[1024];
    private long[] _slotExpires = new long[1024];
    private int[] _slotPrev = new int[1024];
    private int[] _slotNext = new int[1024];
    private byte[] _slotClass = new byte[1024];
    private int _slotHigh;
    private readonly Stack<int> _freeSlots = new();

    // Feature names are a few dozen constant strings: a cache by reference (identity hash) spares the ordinal string hash.
    // Direct-mapped, so it is sized for collisions to be rare: names sharing a slot would evict each other on every
    // request and pay the string hash every time.
    private const int NameSlots = 1024;
    private readonly string?[] _nameRefs = new string?[NameSlots];
    private readonly int[] _nameIds = new int[NameSlots];

    /// <param name="maxSubjects">The bound.</param>
    /// <param name="evidenceFeatures">
    /// The wire names of the features whose writes make a subject evidence (failed and successful logins, accounts, devices,
    /// ...): <see cref="EvidenceFeatures"/> by default.
    /// </param>
    public ReferenceFraudStateStore(int maxSubjects, IEnumerable<string>? evidenceFeatures = null)
    {
        _maxSubjects = Math.Max(16, maxSubjects);
        _probationTarget = Math.Max(1, (int)((long)_maxSubjects * ProbationShare / 100));
        _evidenceNames = new HashSet<string>(evidenceFeatures ?? EvidenceFeatures, StringComparer.Ordinal);
    }

    /// <summary>
    /// The wire names of the features whose writes are evidence, as the engine listed them when features were names: the
    /// compact store's <see cref="FraudFeatures"/> must agree.
    /// </summary>
    internal static readonly string[] EvidenceFeatures =
    [
        "login.fail", "login.ok", "fail.users", "fail.ips", "ok.users", "ok.ips", "fail.users.long", "login.fail.long", "login.ok.long",
        "login.ips", "last-login", "devices", "countries", "asns", "accounts", "seen", "otp.history",
    ];

    /// <summary>
    /// The wire names of the evidence any client can write at will (failed logins, sign-ups, logins with its own account, one-time
    /// code requests): on probation in a subject's first request. The rest, an account's login profile, is evidence at once.
    /// </summary>
    internal static readonly string[] AttemptFeatures =
    [
        "login.fail", "login.ok", "fail.users", "fail.ips", "ok.users", "ok.ips", "fail.users.long", "login.fail.long", "login.ok.long",
        "login.ips", "accounts", "seen", "otp.history",
    ];

    public bool IsShared => false;

    /// <summary>Subjects held.</summary>
    public int SubjectCount => _subjects.Count;

    /// <summary>Subjects evicted so far (expired or over the bound).</summary>
    public long Evicted => _evicted;

    /// <summary>Subjects evicted over the bound so far, from one class.</summary>
    public long EvictedOverBound(EvictionClass evictionClass) => _evictedBy[(int)evictionClass];

    /// <summary>Subjects swept so far because every feature had expired.</summary>
    public long Expired => _evictedBy[4];

    /// <summary>Subjects held in one class.</summary>
    public int CountOf(EvictionClass evictionClass) => _counts[(int)evictionClass];

    /// <summary>The class a subject is held in; <see langword="null"/> when it is not held.</summary>
    internal EvictionClass? ClassOf(in SubjectKey key) => _subjects.TryGetValue(key, out var subject) ? (EvictionClass)(_slotClass[subject.Slot] & ClassMask) : null;

    /// <summary>
    /// Marks a held subject as evidence (the engine, for the subject of a detector verdict): evicted over the bound only after
    /// every subject without evidence.
    /// </summary>
    internal void MarkEvidence(in SubjectKey key)
    {
        if (_subjects.TryGetValue(key, out var subject) && (_slotClass[subject.Slot] & ClassMask) != (byte)EvictionClass.Evidence)
        {
            Move(subject.Slot, EvictionClass.Evidence);
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
    internal void ApplyOperations(FraudStateBatch batch)
    {
        var operations = batch.Operations;
        var results = batch.Results;
        for (var i = 0; i < operations.Length; i++)
        {
            Apply(in operations[i], ref results[i]);
        }

        _sinceSweep += operations.Length;
    }

    /// <summary>Ends a pipeline batch: expired subjects are swept (at most once a minute), then any beyond the bound evicted.</summary>
    internal void EndBatch()
    {
        MaybeSweep();
        EvictOverBound();
    }

    public ValueTask ForgetKeyAsync(ushort keyId, CancellationToken cancellationToken)
    {
        ForgetRecent();
        foreach (var key in _subjects.Keys)
        {
            if (key.KeyId == keyId && key.IsPseudonymous && _subjects.Remove(key, out var subject))
            {
                FreeSlot(subject.Slot);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Erases every feature of <paramref name="subjects"/> (a subject's erasure); returns how many were held.</summary>
    internal int Forget(IEnumerable<SubjectKey> subjects)
    {
        ForgetRecent();
        var erased = 0;
        foreach (var key in subjects)
        {
            if (_subjects.Remove(key, out var subject))
            {
                FreeSlot(subject.Slot);
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
        if (!_subjects.TryGetValue(key, out var subject))
        {
            return false;
        }

        var names = new Dictionary<int, string>();
        foreach (var (name, id) in _names)
        {
            names[id] = name;
        }

        writer.WriteNumber("expiresAtMs", _slotExpires[subject.Slot]);
        writer.WriteString("class", EvictionClasses.Tag((EvictionClass)(_slotClass[subject.Slot] & ClassMask)));
        writer.WriteStartArray("features");
        for (var node = subject.Head; node is not null; node = node.Next)
        {
            writer.WriteStartObject();
            writer.WriteString("name", names.TryGetValue(node.NameId, out var n) ? n : node.NameId.ToString(CultureInfo.InvariantCulture));
            node.Describe(writer);
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
            if (!_subjects.ContainsKey(key))
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

    /// <summary>Removes every subject (tests, benchmarks).</summary>
    public void Clear()
    {
        ForgetRecent();
        _subjects.Clear();
        Array.Clear(_slotKeys);
        _slotHigh = 0;
        _freeSlots.Clear();
        Array.Fill(_heads, -1);
        Array.Fill(_tails, -1);
        Array.Clear(_counts);
    }

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
        Subject subject;
        if (_last is not null && _lastKey == op.Subject)
        {
            subject = _last;
        }
        else
        {
            var r = (int)((uint)op.Subject.GetHashCode() % RecentSlots);
            var cached = _recent[r];
            if (cached is not null && _recentKeys[r] == op.Subject)
            {
                subject = cached;
            }
            else
            {
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_subjects, op.Subject, out var exists);
                if (exists)
                {
                    subject = slot!;
                }
                else
                {
                    subject = slot = NewSubject(op.Subject);
                    subject.LastUseMs = atMs;
                }

                _recent[r] = subject;
                _recentKeys[r] = op.Subject;
            }

            _last = subject;
            _lastKey = op.Subject;
        }

        // A subject used in another request (its operations all have the request's time) is touched: out of probation
        // (EvictionClass.New, EvictionClass.NewEvidence) on its second use, marked referenced after that.
        if (subject.LastUseMs != atMs)
        {
            subject.LastUseMs = atMs;
            Touch(subject.Slot);
        }

        var wholeMs = StateMath.WholeMs(op.Window);
        var windowMs = Math.Max(1, wholeMs);
        var nameId = NameId(FraudFeatures.WireName(op.Feature));
        var held = (EvictionClass)(_slotClass[subject.Slot] & ClassMask);
        if ((_evidenceIds[nameId] || op.Kind == StateOperationKind.AddScore) && held != EvictionClass.Evidence && Writes(in op))
        {
            // A score, an account's login profile, or evidence on a subject seen before, is evidence; an attempt (a failed or
            // successful login, a sign-up, a one-time code request) in a subject's first request is on probation.
            var attempt = Array.IndexOf(AttemptFeatures, FraudFeatures.WireName(op.Feature)) >= 0;
            var to = op.Kind == StateOperationKind.AddScore || !attempt || held == EvictionClass.Repeat ? EvictionClass.Evidence : EvictionClass.NewEvidence;
            if (to != held)
            {
                Move(subject.Slot, to);
            }
        }

        switch (op.Kind)
        {
            case StateOperationKind.Increment:
            {
                var node = subject.Find<CounterNode>(nameId);
                if (node is null)
                {
                    if (op.Amount == 0)
                    {
                        break;
                    }

                    node = subject.Create<CounterNode>(nameId);
                }

                result.Count = node.Add(atMs, StateMath.CounterBucketMs(wholeMs), op.Amount);
                Extend(subject, atMs + windowMs);
                if (_evidenceIds[nameId] && op.Amount > 0 && result.Count >= 2 && (EvictionClass)(_slotClass[subject.Slot] & ClassMask) == EvictionClass.NewEvidence)
                {
                    Move(subject.Slot, EvictionClass.Evidence); // a second attempt within one millisecond
                }

                break;
            }

            case StateOperationKind.AddDistinct:
            {
                var node = subject.Find<DistinctNode>(nameId);
                if (node is null)
                {
                    if (op.Element == 0)
                    {
                        break; // a read of nothing: 0, and no node
                    }

                    node = subject.Create<DistinctNode>(nameId);
                }

                result.IsNew = node.Add(atMs, StateMath.GenerationMs(wholeMs), op.Element, out var estimate);
                result.Count = estimate;
                Extend(subject, atMs + windowMs);
                break;
            }

            case StateOperationKind.ObserveTiming:
            {
                var node = subject.Get<TimingNode>(nameId);
                node.Observe(atMs, windowMs);
                result.Count = node.Count;
                result.Mean = node.Mean;
                result.Variation = StateMath.Variation(node.Mean, node.Variance);
                Extend(subject, atMs + windowMs);
                break;
            }

            case StateOperationKind.Exchange:
            {
                var node = subject.Get<ObservationNode>(nameId);
                if (atMs < node.AtMs)
                {
                    // an older observation arriving late (another node, a replay) never replaces a newer one: it is the answer
                    result.Previous = node.Value;
                    break;
                }

                result.Previous = node.Value.HasValue && node.ExpiresMs >= atMs ? node.Value : default;
                node.Value = op.Observation.Coarsened();
                node.ExpiresMs = atMs + windowMs;
                node.AtMs = atMs;
                Extend(subject, atMs + windowMs);
                break;
            }

            case StateOperationKind.AddMember:
            {
                var node = subject.Get<MemberNode>(nameId);
                if (node.ExpiresMs < atMs)
                {
                    node.Count = 0;
                }

                result.IsNew = node.Add(op.Element);
                result.Count = node.Count;
                if (op.Element != 0)
                {
                    node.ExpiresMs = atMs + windowMs;
                    Extend(subject, atMs + windowMs);
                }

                break;
            }

            case StateOperationKind.AddScore:
            {
                var node = subject.Get<ScoreNode>(nameId);
                node.Add(atMs, windowMs, op.Reason, op.Points, out result.Score, out result.TopReason);
                Extend(subject, atMs + (8 * windowMs));
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
        if (_nowMs - _lastSweepMs < SweepIntervalMs || _sinceSweep < 2L * _subjects.Count)
        {
            return;
        }

        _lastSweepMs = _nowMs;
        _sinceSweep = 0;
        ForgetRecent();
        var keys = _slotKeys;
        var expires = _slotExpires;
        for (var i = 0; i < _slotHigh; i++)
        {
            if (expires[i] < _nowMs && !keys[i].IsEmpty)
            {
                _subjects.Remove(keys[i]);
                FreeSlot(i);
                _evicted++;
                _evictedBy[4]++;
            }
        }
    }

    /// <summary>
    /// Evicts subjects beyond the bound, one at a time from the end of a class list: probation (subjects seen in one request,
    /// oldest first) while it holds more than its share of the bound; then subjects seen again, about least recently used first
    /// (CLOCK); then probation whatever its size; subjects with evidence last. Amortised O(1) per subject evicted.
    /// </summary>
    private void EvictOverBound()
    {
        if (_subjects.Count <= _maxSubjects)
        {
            return;
        }

        ForgetRecent();
        while (_subjects.Count > _maxSubjects)
        {
            var victim = _counts[(int)EvictionClass.New] > _probationTarget ? EvictionClass.New
                : _counts[(int)EvictionClass.NewEvidence] > _probationTarget ? EvictionClass.NewEvidence
                : _counts[(int)EvictionClass.Repeat] > 0 ? EvictionClass.Repeat
                : _counts[(int)EvictionClass.New] > 0 ? EvictionClass.New
                : _counts[(int)EvictionClass.NewEvidence] > 0 ? EvictionClass.NewEvidence
                : EvictionClass.Evidence;
            var slot = _tails[(int)victim];
            while ((_slotClass[slot] & Referenced) != 0)
            {
                Move(slot, victim); // used since it was last at the front: a second chance (clears the bit)
                slot = _tails[(int)victim];
            }

            _subjects.Remove(_slotKeys[slot]);
            FreeSlot(slot);
            _evicted++;
            _evictedBy[(int)victim]++;
        }
    }

    private Subject NewSubject(in SubjectKey key)
    {
        if (!_freeSlots.TryPop(out var slot))
        {
            if (_slotHigh == _slotKeys.Length)
            {
                Array.Resize(ref _slotKeys, _slotKeys.Length * 2);
                Array.Resize(ref _slotExpires, _slotKeys.Length);
                Array.Resize(ref _slotPrev, _slotKeys.Length);
                Array.Resize(ref _slotNext, _slotKeys.Length);
                Array.Resize(ref _slotClass, _slotKeys.Length);
            }

            slot = _slotHigh++;
        }

        _slotKeys[slot] = key;
        _slotExpires[slot] = long.MinValue;

        // Accounts, AS numbers, phone prefixes and the site are evidence from the start, on probation until a second request;
        // any other subject starts on probation.
        Link(slot, key.Kind is SubjectKind.User or SubjectKind.Asn or SubjectKind.PhonePrefix or SubjectKind.Site ? EvictionClass.NewEvidence : EvictionClass.New);
        return new Subject { Slot = slot };
    }

    private void FreeSlot(int slot)
    {
        Unlink(slot);
        _slotKeys[slot] = default;
        _freeSlots.Push(slot);
    }

    /// <summary>A subject used again: out of probation into <see cref="EvictionClass.Repeat"/>; otherwise marked referenced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Touch(int slot)
    {
        ref var c = ref _slotClass[slot];
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
        _slotClass[slot] = (byte)c;
        _slotPrev[slot] = -1;
        _slotNext[slot] = head;
        if (head >= 0)
        {
            _slotPrev[head] = slot;
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
        var c = _slotClass[slot] & ClassMask;
        var prev = _slotPrev[slot];
        var next = _slotNext[slot];
        if (prev >= 0)
        {
            _slotNext[prev] = next;
        }
        else
        {
            _heads[c] = next;
        }

        if (next >= 0)
        {
            _slotPrev[next] = prev;
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
    private void Extend(Subject subject, long expiresMs)
    {
        ref var expires = ref _slotExpires[subject.Slot];
        if (expiresMs > expires)
        {
            expires = expiresMs;
        }
    }

    private void ForgetRecent()
    {
        _last = null;
        Array.Clear(_recent);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int NameId(string name)
    {
        if (name is not null)
        {
            var r = RuntimeHelpers.GetHashCode(name) & (NameSlots - 1);
            if (ReferenceEquals(_nameRefs[r], name))
            {
                return _nameIds[r];
            }

            var id = NameIdSlow(name);
            _nameRefs[r] = name;
            _nameIds[r] = id;
            return id;
        }

        return NameIdSlow(string.Empty);
    }

    private int NameIdSlow(string name)
    {
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_names, name ?? string.Empty, out var exists);
        if (!exists)
        {
            id = _names.Count;
            if (id >= _evidenceIds.Length)
            {
                Array.Resize(ref _evidenceIds, _evidenceIds.Length * 2);
            }

            _evidenceIds[id] = _evidenceNames.Contains(name ?? string.Empty);
        }

        return id;
    }

    private sealed class Subject
    {
        public Node? Head;
        public Node? Cursor;
        public int Slot; // of its key and expiry in the store's arrays
        public long LastUseMs; // the time of the last request that used it

        // Finds a feature, starting after the last one found (a request's operations on a subject come in the same order
        // every time, and new features are linked in right after the last one used, so the list keeps that order and the
        // next feature is usually the first looked at); then wraps round. A feature is unique by name and type, so the
        // order of the search never changes the answer.
        public T? Find<T>(int nameId)
            where T : Node
        {
            var start = Cursor?.Next;
            for (var node = start; node is not null; node = node.Next)
            {
                if (node.NameId == nameId && node is T typed)
                {
                    Cursor = node;
                    return typed;
                }
            }

            for (var node = Head; node is not null && node != start; node = node.Next)
            {
                if (node.NameId == nameId && node is T typed)
                {
                    Cursor = node;
                    return typed;
                }
            }

            return null;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Get<T>(int nameId)
            where T : Node, new() => Find<T>(nameId) ?? Create<T>(nameId);

        /// <summary>Links a new feature in after the last one used.</summary>
        public T Create<T>(int nameId)
            where T : Node, new()
        {
            var created = new T { NameId = nameId };
            if (Cursor is null)
            {
                created.Next = Head;
                Head = created;
            }
            else
            {
                created.Next = Cursor.Next;
                Cursor.Next = created;
            }

            Cursor = created;
            return created;
        }
    }

    private abstract class Node
    {
        public Node? Next;
        public int NameId;

        /// <summary>Writes the feature's kind and values (a subject's export).</summary>
        public abstract void Describe(Utf8JsonWriter writer);
    }

    [InlineArray(StateOperation.CounterBuckets)]
    private struct Buckets
    {
        private int _element0;
    }

    private sealed class CounterNode : Node
    {
        private Buckets _buckets;
        private long _head = long.MinValue;

        public override void Describe(Utf8JsonWriter writer)
        {
            writer.WriteString("kind", "counter");
            writer.WriteNumber("headBucket", _head);
            writer.WriteStartArray("buckets");
            const int n = StateOperation.CounterBuckets;
            for (var k = n - 1; k >= 0 && _head != long.MinValue; k--)
            {
                var index = _head - k;
                writer.WriteNumberValue(_buckets[(int)((index % n + n) % n)]);
            }

            writer.WriteEndArray();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first request: a replay is over before tiering catches up
        public long Add(long atMs, long bucketMs, long amount)
        {
            var b = StateMath.Bucket(atMs, bucketMs);
            const int n = StateOperation.CounterBuckets;
            if (b > _head)
            {
                var advance = _head == long.MinValue ? n : Math.Min(n, b - _head);
                for (var k = 0; k < advance; k++)
                {
                    _buckets[(int)(((b - k) % n + n) % n)] = 0;
                }

                _head = b;
            }

            if (b > _head - n)
            {
                _buckets[(int)((b % n + n) % n)] = (int)Math.Clamp(_buckets[(int)((b % n + n) % n)] + amount, int.MinValue, int.MaxValue);
            }

            // Sum of buckets b-5 .. b (those that exist): all six when b is the head (the usual case: not a late arrival).
            if (b == _head)
            {
                return (long)_buckets[0] + _buckets[1] + _buckets[2] + _buckets[3] + _buckets[4] + _buckets[5];
            }

            long sum = 0;
            for (var k = 0; k < n; k++)
            {
                var index = b - k;
                if (index <= _head && index > _head - n)
                {
                    sum += _buckets[(int)((index % n + n) % n)];
                }
            }

            return sum;
        }
    }

    private sealed class DistinctNode : Node
    {
        private DistinctSketch _current;
        private DistinctSketch _previous;
        private long _generation = long.MinValue;

        public override void Describe(Utf8JsonWriter writer)
        {
            writer.WriteString("kind", "distinct");
            writer.WriteNumber("generation", _generation);
            writer.WriteNumber("estimate", DistinctSketch.EstimateUnion(in _current, in _previous));
        }

        // The union's estimate, valid until either generation changes: a HyperLogLog estimate reads every register
        // (1 KiB each, merged), so a subject seen again with nothing new (the common case) must not pay for it.
        private long _estimate;
        private bool _estimateValid;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first request: a replay is over before tiering catches up
        public bool Add(long atMs, long generationMs, ulong element, out long estimate)
        {
            var g = StateMath.Bucket(atMs, generationMs);
            if (g > _generation)
            {
                _estimateValid = false;
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

                _generation = g;
            }

            var changed = false;
            if (element != 0)
            {
                if (g == _generation)
                {
                    changed = _current.Add(element);
                }
                else if (g == _generation - 1)
                {
                    changed = _previous.Add(element);
                }
            }

            if (changed || !_estimateValid)
            {
                _estimate = DistinctSketch.EstimateUnion(_current, _previous);
                _estimateValid = true;
            }

            estimate = _estimate;
            return changed;
        }
    }

    private sealed class TimingNode : Node
    {
        private long _lastMs = long.MinValue;

        public long Count;
        public double Mean;
        public double Variance;

        public override void Describe(Utf8JsonWriter writer)
        {
            writer.WriteString("kind", "timing");
            writer.WriteNumber("lastMs", _lastMs);
            writer.WriteNumber("count", Count);
            writer.WriteNumber("meanMs", Mean);
            writer.WriteNumber("variance", Variance);
        }

        public void Observe(long atMs, long windowMs)
        {
            if (_lastMs == long.MinValue || atMs - _lastMs > windowMs)
            {
                Count = 0;
                Mean = 0;
                Variance = 0;
                _lastMs = atMs;
                return;
            }

            if (atMs < _lastMs)
            {
                return;
            }

            StateMath.TimingStep(ref Count, ref Mean, ref Variance, atMs - _lastMs);
            _lastMs = atMs;
        }
    }

    private sealed class ObservationNode : Node
    {
        public Observation Value;
        public long ExpiresMs;
        public long AtMs = long.MinValue;

        public override void Describe(Utf8JsonWriter writer)
        {
            writer.WriteString("kind", "observation");
            writer.WriteNumber("atMs", AtMs);
            writer.WriteNumber("expiresMs", ExpiresMs);
            writer.WriteString("network", Value.Network.ToString("x16", CultureInfo.InvariantCulture));
            writer.WriteString("device", Value.Device.ToString("x16", CultureInfo.InvariantCulture));
            writer.WriteNumber("asn", Value.Asn);
            writer.WriteString("country", Observation.UnpackCountry(Value.Country));
            writer.WriteNumber("latitude", Value.Latitude);
            writer.WriteNumber("longitude", Value.Longitude);
            writer.WriteNumber("accuracyKm", Value.AccuracyKm);
            writer.WriteString("flags", Value.Flags.ToString());
        }
    }

    private sealed class MemberNode : Node
    {
        private ulong[]? _members;

        public int Count;
        public long ExpiresMs = long.MaxValue;

        public override void Describe(Utf8JsonWriter writer)
        {
            writer.WriteString("kind", "members");
            writer.WriteNumber("expiresMs", ExpiresMs);
            writer.WriteStartArray("members");
            for (var i = 0; i < Count && _members is not null && i < _members.Length; i++)
            {
                writer.WriteStringValue(_members[i].ToString("x16", CultureInfo.InvariantCulture));
            }

            writer.WriteEndArray();
        }

        /// <summary>Adds (or refreshes) an element, most recent last; returns whether it was new.</summary>
        public bool Add(ulong element)
        {
            if (element == 0)
            {
                return false;
            }

            var members = _members;
            for (var i = 0; i < Count; i++)
            {
                if (members![i] == element)
                {
                    Array.Copy(members, i + 1, members, i, Count - i - 1);
                    members[Count - 1] = element;
                    return false;
                }
            }

            if (members is null || Count == members.Length)
            {
                if (members is not null && members.Length == StateOperation.MaxMembers)
                {
                    Array.Copy(members, 1, members, 0, Count - 1); // evict the least recently added
                    members[Count - 1] = element;
                    return true;
                }

                var grown = new ulong[members is null ? 2 : Math.Min(StateOperation.MaxMembers, members.Length * 2)];
                members?.AsSpan(0, Count).CopyTo(grown);
                _members = members = grown;
            }

            members[Count++] = element;
            return true;
        }
    }

    private sealed class ScoreNode : Node
    {
        private string?[] _reasons = new string?[2];
        private double[] _values = new double[2];
        private int _count;
        private long _updatedMs;

        public override void Describe(Utf8JsonWriter writer)
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
}
