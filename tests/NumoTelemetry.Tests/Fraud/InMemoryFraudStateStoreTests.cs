using System.Numerics;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

public sealed class InMemoryFraudStateStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
    private readonly InMemoryFraudStateStore _store = new(1_000_000);
    private readonly FraudStateBatch _batch = new();

    private static SubjectKey Ip(int n, ushort keyId = 1)
    {
        Span<byte> hash = stackalloc byte[16];
        BitConverter.TryWriteBytes(hash, (ulong)n * 0x9E3779B97F4A7C15UL);
        BitConverter.TryWriteBytes(hash[8..], (ulong)n);
        return SubjectKey.From(SubjectKind.Ip, Pseudonym.FromHash(PseudonymKind.Ip, PseudonymScope.Fraud, keyId, hash));
    }

    private StateResult Apply(StateOperation op)
    {
        _batch.Clear();
        var i = _batch.Add(op);
        _store.ApplyAsync(_batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return _batch.Result(i);
    }

    private StateResult Increment(SubjectKey s, DateTimeOffset at, long amount = 1) =>
        Apply(new StateOperation { Kind = StateOperationKind.Increment, Subject = s, Feature = FraudFeature.Requests, At = at, Window = TimeSpan.FromMinutes(1), Amount = amount });

    [Fact]
    public void Increment_WithinAndBeyondWindow_CountsSlidingSixBuckets()
    {
        var s = Ip(1);
        for (var i = 0; i < 10; i++)
        {
            Increment(s, T0 + TimeSpan.FromSeconds(i));
        }

        Assert.Equal(10, Increment(s, T0 + TimeSpan.FromSeconds(30), 0).Count);
        Assert.Equal(10, Increment(s, T0 + TimeSpan.FromSeconds(59), 0).Count);
        Assert.Equal(0, Increment(s, T0 + TimeSpan.FromSeconds(61), 0).Count); // bucket 0-9 s has left the window
        Assert.Equal(1, Increment(s, T0 + TimeSpan.FromMinutes(10)).Count);
    }

    [Fact]
    public void Increment_LateArrivalsAndGaps_CountAsAPlainSumOfTheWindowsBuckets()
    {
        // A model of the contract: bucket b = floor(ms / 10 s), the count is the sum of buckets b-5 .. b that are still held
        // (no older than the newest bucket minus 5). The store answers from the head bucket's six without a loop; late
        // arrivals (b below the head) and gaps must still agree.
        var s = Ip(2);
        var random = new Random(5);
        var buckets = new Dictionary<long, long>();
        long head = long.MinValue;
        var ms = StateMath.UnixMs(T0);
        for (var i = 0; i < 2000; i++)
        {
            ms += random.Next(10) switch
            {
                0 => -random.Next(40_000),
                1 => 10_000 - (ms % 10_000) - random.Next(2), // the last ms of a bucket, or the first of the next
                2 => random.Next(90_000),
                _ => random.Next(4_000),
            };
            var amount = random.Next(3);
            var b = StateMath.Bucket(ms, 10_000);
            head = Math.Max(head, b);
            if (b > head - 6)
            {
                buckets[b] = buckets.GetValueOrDefault(b) + amount;
            }

            long expected = 0;
            for (var k = 0; k < 6; k++)
            {
                if (b - k <= head && b - k > head - 6)
                {
                    expected += buckets.GetValueOrDefault(b - k);
                }
            }

            Assert.Equal(expected, Increment(s, DateTimeOffset.FromUnixTimeMilliseconds(ms), amount).Count);
        }
    }

    [Theory]
    [InlineData(30)] // past the inline sets (16) into the spilled ones
    [InlineData(63)] // the spilled sets up to their exact limit (64), elements in both generations
    public void AddDistinct_LateArrivalsAndGenerationBoundaries_AnswersAsTwoGenerationsOfSets(int universe)
    {
        // A model of the contract with exact (small) sets: generation g = floor(ms / 10 s); a newer generation moves the current
        // set to the previous one (or empties both after a gap); an element goes to its generation if it is the current or the
        // previous one; the count is the size of their union. Times land on and either side of generation boundaries, and
        // the store finds most generations without a division: both must agree.
        var s = Ip(3);
        var random = new Random(8);
        var current = new HashSet<ulong>();
        var previous = new HashSet<ulong>();
        long generation = long.MinValue;
        var ms = StateMath.UnixMs(T0);
        for (var i = 0; i < 3000; i++)
        {
            ms += random.Next(8) switch
            {
                0 => -random.Next(15_000),
                1 => 10_000 - (ms % 10_000) - random.Next(2), // the last ms of a generation, or the first of the next
                2 => random.Next(40_000),
                _ => random.Next(1_500),
            };
            var element = random.Next(6) == 0 ? 0UL : (ulong)random.Next(1, universe);
            var g = StateMath.Bucket(ms, 10_000);
            if (g > generation)
            {
                (previous, current) = g == generation + 1 ? (current, new HashSet<ulong>()) : (new HashSet<ulong>(), new HashSet<ulong>());
                generation = g;
            }

            var isNew = element != 0 && (g == generation ? current.Add(element) : g == generation - 1 && previous.Add(element));
            var result = Apply(new StateOperation { Kind = StateOperationKind.AddDistinct, Subject = s, Feature = FraudFeature.Paths, At = DateTimeOffset.FromUnixTimeMilliseconds(ms), Window = TimeSpan.FromSeconds(20), Element = element });
            Assert.Equal(isNew, result.IsNew);
            if (generation != long.MinValue && (current.Count > 0 || previous.Count > 0))
            {
                Assert.Equal(current.Union(previous).Count(), result.Count);
            }
        }
    }

    [Fact]
    public void WholeMs_AnyWindow_IsTheTruncatedTotalMilliseconds()
    {
        var random = new Random(3);
        long[] fixedTicks = [0, 1, 9_999, 10_000, 10_001, TimeSpan.TicksPerMinute - 1, TimeSpan.TicksPerDay * 30 + 7, (1L << 53) - 1, 1L << 53, (1L << 53) + 1, long.MaxValue, -1, -10_001, long.MinValue];
        foreach (var ticks in fixedTicks.Concat(Enumerable.Range(0, 100_000).Select(i => random.NextInt64(1L << (i % 63)))))
        {
            var window = TimeSpan.FromTicks(ticks);
            Assert.Equal((long)window.TotalMilliseconds, StateMath.WholeMs(window));
            Assert.Equal(Math.Max(1, (long)window.TotalMilliseconds / StateOperation.CounterBuckets), StateMath.CounterBucketMs(window));
            Assert.Equal(Math.Max(1, (long)window.TotalMilliseconds / StateOperation.DistinctGenerations), StateMath.GenerationMs(window));
        }
    }

    [Fact]
    public async Task ApplyAsync_SeveralOperationsOnOneSubject_EachResultSeesTheEarlierOnes()
    {
        var s = Ip(2);
        _batch.Clear();
        var a = _batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = s, Feature = FraudFeature.Requests, At = T0, Window = TimeSpan.FromMinutes(1), Amount = 1 });
        var b = _batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = s, Feature = FraudFeature.Requests, At = T0, Window = TimeSpan.FromMinutes(1), Amount = 1 });
        await _store.ApplyAsync(_batch, CancellationToken.None);
        Assert.Equal(1, _batch.Result(a).Count);
        Assert.Equal(2, _batch.Result(b).Count);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(64)]
    [InlineData(1_000)]
    [InlineData(20_000)]
    public void AddDistinct_ManyElements_EstimatesWithinHyperLogLogError(int n)
    {
        var s = Ip(3);
        StateResult last = default;
        var random = new Random(n);
        for (var i = 0; i < n; i++)
        {
            last = Apply(new StateOperation { Kind = StateOperationKind.AddDistinct, Subject = s, Feature = FraudFeature.Paths, At = T0, Window = TimeSpan.FromMinutes(10), Element = (ulong)random.NextInt64() | 1 });
        }

        Assert.InRange(last.Count, n * 0.92, n * 1.08); // 3.25% standard error; exact up to 64
        if (n <= DistinctSketch.SmallLimit)
        {
            Assert.Equal(n, last.Count);
        }
    }

    [Fact]
    public void AddDistinct_RepeatedElement_IsNotNewAndNotCountedTwice()
    {
        var s = Ip(4);
        var op = new StateOperation { Kind = StateOperationKind.AddDistinct, Subject = s, Feature = FraudFeature.Visitors, At = T0, Window = TimeSpan.FromHours(1), Element = 42 };
        Assert.True(Apply(op).IsNew);
        var again = Apply(op);
        Assert.False(again.IsNew);
        Assert.Equal(1, again.Count);
        op.Element = 0; // read
        Assert.Equal(1, Apply(op).Count);
    }

    [Fact]
    public void AddDistinct_AfterTwoGenerations_Forgets()
    {
        var s = Ip(5);
        var op = new StateOperation { Kind = StateOperationKind.AddDistinct, Subject = s, Feature = FraudFeature.Visitors, At = T0, Window = TimeSpan.FromHours(1), Element = 7 };
        Apply(op);
        op.At = T0 + TimeSpan.FromMinutes(35); // next generation: still counted
        op.Element = 0;
        Assert.Equal(1, Apply(op).Count);
        op.At = T0 + TimeSpan.FromMinutes(95); // two generations later
        Assert.Equal(0, Apply(op).Count);
    }

    [Fact]
    public void ObserveTiming_ConstantGaps_HasNoVariation()
    {
        var s = Ip(6);
        StateResult r = default;
        for (var i = 0; i < 40; i++)
        {
            r = Apply(new StateOperation { Kind = StateOperationKind.ObserveTiming, Subject = s, Feature = FraudFeature.Timing, At = T0 + TimeSpan.FromSeconds(2 * i), Window = TimeSpan.FromMinutes(10) });
        }

        Assert.Equal(39, r.Count);
        Assert.Equal(2000, r.Mean, 3);
        Assert.True(r.Variation < 0.001);
    }

    [Fact]
    public void Exchange_ReturnsPreviousUntilItExpires()
    {
        var s = Ip(7);
        var op = new StateOperation { Kind = StateOperationKind.Exchange, Subject = s, Feature = FraudFeature.Fingerprint, At = T0, Window = TimeSpan.FromHours(1), Observation = new Observation(T0, 1, 2, 3, 4, 5, 6, 7, default) };
        Assert.False(Apply(op).Previous.HasValue);
        op.At = T0 + TimeSpan.FromMinutes(30);
        op.Observation = op.Observation with { At = op.At, Network = 9 };
        Assert.Equal(1UL, Apply(op).Previous.Network);
        op.At = T0 + TimeSpan.FromHours(3);
        Assert.False(Apply(op).Previous.HasValue);
    }

    [Fact]
    public void AddMember_BeyondCapacity_EvictsLeastRecentlyAdded()
    {
        var s = Ip(8);
        var op = new StateOperation { Kind = StateOperationKind.AddMember, Subject = s, Feature = FraudFeature.Devices, At = T0, Window = TimeSpan.FromDays(30) };
        for (ulong e = 1; e <= StateOperation.MaxMembers; e++)
        {
            op.Element = e;
            Assert.True(Apply(op).IsNew);
        }

        op.Element = 1; // refresh the oldest
        Assert.False(Apply(op).IsNew);
        op.Element = 1000; // evicts 2, the least recently added
        var added = Apply(op);
        Assert.True(added.IsNew);
        Assert.Equal(StateOperation.MaxMembers, added.Count);
        op.Element = 1;
        Assert.False(Apply(op).IsNew);
        op.Element = 2;
        Assert.True(Apply(op).IsNew);
    }

    [Fact]
    public void AddScore_ReasonsAddUpRefreshAndDecayByHalfLife()
    {
        var s = Ip(9);
        var op = new StateOperation { Kind = StateOperationKind.AddScore, Subject = s, Feature = FraudFeature.Score, At = T0, Window = TimeSpan.FromHours(1), Reason = "burst", Points = 50 };
        Assert.Equal(50, Apply(op).Score, 6);
        op.Points = 40; // lower than the current value: no change
        Assert.Equal(50, Apply(op).Score, 6);
        op.Reason = "hosting-network";
        op.Points = 10;
        var both = Apply(op);
        Assert.Equal(60, both.Score, 6);
        Assert.Equal("burst", both.TopReason);
        op.At = T0 + TimeSpan.FromHours(1);
        op.Points = 0;
        op.Reason = null;
        Assert.Equal(30, Apply(op).Score, 6);
    }

    [Fact]
    public async Task ForgetKeyAsync_RemovesOnlyThatKeysSubjects()
    {
        Increment(Ip(10, keyId: 1), T0);
        Increment(Ip(11, keyId: 2), T0);
        await _store.ForgetKeyAsync(1, CancellationToken.None);
        Assert.Equal(1, _store.SubjectCount);
        Assert.Equal(1, Increment(Ip(11, keyId: 2), T0, 0).Count);
    }

    [Fact]
    public async Task ForgetKeyAsync_SubjectUsedJustBefore_StartsAfresh()
    {
        // The store keeps recently used subjects in a cache in front of its dictionary: forgetting must empty it too.
        var s = Ip(12, keyId: 1);
        var other = Ip(13, keyId: 2);
        Increment(s, T0);
        Increment(other, T0);
        Increment(s, T0);
        await _store.ForgetKeyAsync(1, CancellationToken.None);
        Assert.Equal(1, Increment(s, T0).Count);
        Assert.Equal(2, Increment(other, T0).Count);
    }

    [Fact]
    public void Features_InShiftingOrders_AreFoundByNameAndKind()
    {
        // Feature lookup starts after the last feature used and links new ones in there: whatever the order of the
        // operations, each (name, kind) must keep its own state.
        var s = Ip(14);
        var names = new[] { FraudFeature.Requests, FraudFeature.Paths, FraudFeature.Errors, FraudFeature.Visitors, FraudFeature.Sessions, FraudFeature.UserAgents, FraudFeature.OtpBlocks };
        var counts = new Dictionary<FraudFeature, long>();
        var distinct = new Dictionary<FraudFeature, HashSet<ulong>>();
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var name = names[random.Next(round < 50 ? 3 : names.Length)];
            var at = T0 + TimeSpan.FromMilliseconds(round);
            if (random.Next(2) == 0)
            {
                var amount = random.Next(3);
                if (amount > 0 || counts.ContainsKey(name))
                {
                    counts[name] = counts.GetValueOrDefault(name) + amount;
                }

                var result = Apply(new StateOperation { Kind = StateOperationKind.Increment, Subject = s, Feature = name, At = at, Window = TimeSpan.FromHours(1), Amount = amount });
                Assert.Equal(counts.GetValueOrDefault(name), result.Count);
            }
            else
            {
                var element = (ulong)random.Next(20);
                if (element != 0)
                {
                    (distinct.TryGetValue(name, out var set) ? set : distinct[name] = new HashSet<ulong>()).Add(element);
                }

                var result = Apply(new StateOperation { Kind = StateOperationKind.AddDistinct, Subject = s, Feature = name, At = at, Window = TimeSpan.FromHours(1), Element = element });
                Assert.Equal(distinct.TryGetValue(name, out var seen) ? seen.Count : 0, result.Count);
            }
        }
    }

    [Fact]
    public void HyperLogLogEstimate_EqualsThePlainSumToTheBit()
    {
        // The estimate sums 2^-rank over the registers with an exact integer fast path; it must give the number the plain
        // double sum gives (the Redis store and older state agree on it), with and without ranks beyond the fast path.
        var random = new Random(11);
        var registers = new byte[DistinctSketch.Registers];
        for (var trial = 0; trial < 400; trial++)
        {
            var fill = random.NextDouble();
            for (var i = 0; i < registers.Length; i++)
            {
                registers[i] = random.NextDouble() < fill ? (byte)(1 + Math.Min(54, BitOperations.LeadingZeroCount((ulong)random.NextInt64() | 1))) : (byte)0;
            }

            if (trial % 4 == 0)
            {
                registers[random.Next(registers.Length)] = (byte)random.Next(43, 56);
            }

            Assert.Equal(PlainEstimate(registers), DistinctSketch.Estimate(registers));
        }
    }

    private static long PlainEstimate(byte[] registers)
    {
        double sum = 0;
        var zeros = 0;
        foreach (var r in registers)
        {
            sum += 1.0 / (1UL << r);
            zeros += r == 0 ? 1 : 0;
        }

        const int m = DistinctSketch.Registers;
        var estimate = 0.7213 / (1 + (1.079 / m)) * m * m / sum;
        if (estimate <= 2.5 * m && zeros > 0)
        {
            estimate = m * Math.Log((double)m / zeros);
        }

        return (long)Math.Round(estimate);
    }

    [Fact]
    public void ApplyAsync_IdleSubjects_AreSweptAfterTheirWindows()
    {
        for (var i = 0; i < 100; i++)
        {
            Increment(Ip(100 + i), T0);
        }

        Assert.Equal(100, _store.SubjectCount);

        // A sweep costs one pass over the subjects, so it waits for twice as many operations as there are subjects.
        Increment(Ip(1), T0 + TimeSpan.FromMinutes(5));
        Assert.Equal(101, _store.SubjectCount);
        for (var i = 0; i < 200; i++)
        {
            Increment(Ip(1), T0 + TimeSpan.FromMinutes(5));
        }

        Assert.Equal(1, _store.SubjectCount);
        Assert.Equal(100, _store.Evicted);
    }

    [Fact]
    public void ApplyAsync_SubjectsAfterASweep_ReuseSlotsWithTheirOwnExpiry()
    {
        // Expiries live in slots that swept subjects give back: a new subject in a reused slot must not inherit the
        // old expiry (swept too early) nor keep the old key (a later sweep removing the wrong subject).
        for (var i = 0; i < 50; i++)
        {
            Increment(Ip(300 + i), T0);
        }

        var later = T0 + TimeSpan.FromMinutes(5);
        for (var i = 0; i < 120; i++)
        {
            Increment(Ip(1), later);
        }

        Assert.Equal(1, _store.SubjectCount);
        StateResult Long(int n, DateTimeOffset at) =>
            Apply(new StateOperation { Kind = StateOperationKind.Increment, Subject = Ip(n), Feature = FraudFeature.RequestsLong, At = at, Window = TimeSpan.FromMinutes(10), Amount = 1 });
        for (var i = 0; i < 50; i++)
        {
            Long(400 + i, later);
        }

        Assert.Equal(51, _store.SubjectCount);
        var next = later + TimeSpan.FromMinutes(2);
        for (var i = 0; i < 200; i++)
        {
            Increment(Ip(1), next);
        }

        Assert.Equal(51, _store.SubjectCount); // swept again (two minutes on), but none of the new ones has expired
        Assert.Equal(2, Long(400, next).Count);

        var end = later + TimeSpan.FromMinutes(15);
        for (var i = 0; i < 200; i++)
        {
            Increment(Ip(1), end);
        }

        Assert.Equal(1, _store.SubjectCount);
    }

    [Fact]
    public async Task ApplyAsync_MoreSubjectsThanTheBound_StaysBounded()
    {
        var store = new InMemoryFraudStateStore(1_000);
        var batch = new FraudStateBatch();
        for (var i = 0; i < 5_000; i++)
        {
            batch.Clear();
            batch.Add(new StateOperation { Kind = StateOperationKind.AddMember, Subject = Ip(i), Feature = FraudFeature.Devices, At = T0 + TimeSpan.FromSeconds(i), Window = TimeSpan.FromDays(30), Element = 1 });
            await store.ApplyAsync(batch, CancellationToken.None);
            Assert.True(store.SubjectCount <= 1_001);
        }
    }

    private static SubjectKey Subject(SubjectKind kind, int n)
    {
        Span<byte> hash = stackalloc byte[16];
        BitConverter.TryWriteBytes(hash, (ulong)n * 0x9E3779B97F4A7C15UL);
        BitConverter.TryWriteBytes(hash[8..], (ulong)n);
        return SubjectKey.From(kind, Pseudonym.FromHash(SubjectKey.PseudonymKindOf(kind), PseudonymScope.Fraud, 1, hash));
    }

    private static async Task Touch(InMemoryFraudStateStore store, FraudStateBatch batch, SubjectKey s, DateTimeOffset at, FraudFeature feature = FraudFeature.Requests, long amount = 1)
    {
        batch.Clear();
        batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = s, Feature = feature, At = at, Window = TimeSpan.FromHours(1), Amount = amount });
        await store.ApplyAsync(batch, CancellationToken.None);
    }

    [Fact]
    public async Task Classes_NewRepeatAndEvidence_AreAssignedByUseAndWrites()
    {
        var store = new InMemoryFraudStateStore(1_000);
        var batch = new FraudStateBatch();
        var once = Ip(1);
        var twice = Ip(2);
        var failed = Ip(3);
        var readOnly = Ip(4);
        var account = Subject(SubjectKind.User, 5);
        var failedLater = Ip(6);
        await Touch(store, batch, once, T0);
        await Touch(store, batch, twice, T0);
        await Touch(store, batch, twice, T0.AddSeconds(1));
        await Touch(store, batch, failed, T0, FraudFeature.LoginFailures);
        await Touch(store, batch, readOnly, T0, FraudFeature.LoginFailures, amount: 0); // a read of an evidence feature is not evidence
        await Touch(store, batch, account, T0, FraudFeature.LoginSuccesses, amount: 0);
        await Touch(store, batch, failedLater, T0);
        await Touch(store, batch, failedLater, T0.AddSeconds(1), FraudFeature.LoginFailures);
        Assert.Equal(EvictionClass.New, store.ClassOf(once));
        Assert.Equal(EvictionClass.Repeat, store.ClassOf(twice));
        Assert.Equal(EvictionClass.NewEvidence, store.ClassOf(failed)); // evidence from one request: on probation
        Assert.Equal(EvictionClass.New, store.ClassOf(readOnly));
        Assert.Equal(EvictionClass.NewEvidence, store.ClassOf(account)); // an account seen once
        Assert.Equal(EvictionClass.Evidence, store.ClassOf(failedLater)); // evidence in a later request

        // A second request makes evidence on probation evidence; more operations of the same request do not.
        await Touch(store, batch, failed, T0);
        Assert.Equal(EvictionClass.NewEvidence, store.ClassOf(failed));
        await Touch(store, batch, failed, T0.AddSeconds(1));
        await Touch(store, batch, account, T0.AddSeconds(1));
        Assert.Equal(EvictionClass.Evidence, store.ClassOf(failed));
        Assert.Equal(EvictionClass.Evidence, store.ClassOf(account));

        // A second attempt in the same millisecond (parallel requests, whole seconds in a replayed log) counts as a second use.
        var burst = Subject(SubjectKind.User, 9);
        await Touch(store, batch, burst, T0, FraudFeature.LoginFailures);
        Assert.Equal(EvictionClass.NewEvidence, store.ClassOf(burst));
        await Touch(store, batch, burst, T0, FraudFeature.LoginFailures);
        Assert.Equal(EvictionClass.Evidence, store.ClassOf(burst));

        // A successful login is an attempt too (anyone can log in with an account of their own); an account's login profile
        // (devices, countries, last login), a score or a detector's verdict is evidence at once.
        var loggedIn = Subject(SubjectKind.User, 8);
        await Touch(store, batch, loggedIn, T0, FraudFeature.LoginSuccesses);
        Assert.Equal(EvictionClass.NewEvidence, store.ClassOf(loggedIn));
        batch.Clear();
        batch.Add(new StateOperation { Kind = StateOperationKind.AddMember, Subject = loggedIn, Feature = FraudFeature.Devices, At = T0, Window = TimeSpan.FromDays(30), Element = 5 });
        await store.ApplyAsync(batch, CancellationToken.None);
        Assert.Equal(EvictionClass.Evidence, store.ClassOf(loggedIn));
        var scored = Ip(7);
        batch.Clear();
        batch.Add(new StateOperation { Kind = StateOperationKind.AddScore, Subject = scored, Feature = FraudFeature.Score, At = T0, Window = TimeSpan.FromHours(1), Points = 40, Reason = "burst" });
        await store.ApplyAsync(batch, CancellationToken.None);
        Assert.Equal(EvictionClass.Evidence, store.ClassOf(scored));
        store.MarkEvidence(twice);
        Assert.Equal(EvictionClass.Evidence, store.ClassOf(twice));
    }

    [Fact]
    public async Task ApplyAsync_FloodOfOneOperationSubjects_EvictsOnlyProbation()
    {
        var store = new InMemoryFraudStateStore(1_000);
        var batch = new FraudStateBatch();
        for (var i = 0; i < 300; i++)
        {
            await Touch(store, batch, Ip(i), T0);
            await Touch(store, batch, Ip(i), T0.AddSeconds(1)); // seen again
            await Touch(store, batch, Subject(SubjectKind.User, i), T0); // an account, seen in two requests
            await Touch(store, batch, Subject(SubjectKind.User, i), T0.AddSeconds(1));
        }

        for (var i = 0; i < 20_000; i++)
        {
            await Touch(store, batch, Ip(1_000_000 + i), T0.AddSeconds(2));
            Assert.True(store.SubjectCount <= 1_000);
        }

        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(EvictionClass.Repeat, store.ClassOf(Ip(i)));
            Assert.Equal(EvictionClass.Evidence, store.ClassOf(Subject(SubjectKind.User, i)));
        }

        Assert.Equal(0, store.EvictedOverBound(EvictionClass.Repeat) + store.EvictedOverBound(EvictionClass.Evidence));
        Assert.Equal(20_000 - 400, store.EvictedOverBound(EvictionClass.New));
        Assert.Equal(400, store.CountOf(EvictionClass.New)); // the newest of the flood, in probation
    }

    [Fact]
    public async Task ApplyAsync_OverTheBound_EvictsRepeatBeforeEvidenceAndLeastRecentlyUsedFirst()
    {
        var store = new InMemoryFraudStateStore(100);
        var batch = new FraudStateBatch();
        var t = T0;
        for (var i = 0; i < 60; i++)
        {
            await Touch(store, batch, Subject(SubjectKind.User, i), t);
            await Touch(store, batch, Subject(SubjectKind.User, i), t.AddMilliseconds(1)); // a second request: evidence
        }

        for (var i = 0; i < 40; i++)
        {
            await Touch(store, batch, Ip(i), t);
            await Touch(store, batch, Ip(i), t = t.AddSeconds(1));
        }

        await Touch(store, batch, Ip(0), t = t.AddSeconds(1)); // the oldest repeat subject, used again: now the newest

        // Subjects seen twice each (probation stays at its share, 10): the repeat class pays, least recently used first.
        for (var i = 0; i < 30; i++)
        {
            await Touch(store, batch, Ip(100 + i), t = t.AddSeconds(1));
            await Touch(store, batch, Ip(100 + i), t = t.AddSeconds(1));
        }

        Assert.Equal(100, store.SubjectCount);
        Assert.Equal(60, store.CountOf(EvictionClass.Evidence));
        Assert.NotNull(store.ClassOf(Ip(0)));
        Assert.Null(store.ClassOf(Ip(1)));
        Assert.Equal(0, store.EvictedOverBound(EvictionClass.Evidence));

        // Accounts seen in one request each take only each other's place: evidence on probation goes before evidence.
        for (var i = 0; i < 200; i++)
        {
            await Touch(store, batch, Subject(SubjectKind.User, 1_000 + i), t = t.AddSeconds(1));
        }

        Assert.Equal(100, store.SubjectCount);
        Assert.Equal(60, store.CountOf(EvictionClass.Evidence));
        Assert.NotNull(store.ClassOf(Subject(SubjectKind.User, 0)));
        Assert.Equal(0, store.EvictedOverBound(EvictionClass.Evidence));

        // Only evidence left beyond probation: then evidence goes too, least recently used first (the bound holds). Each new
        // account comes in two requests of one batch, so it is evidence before the batch's eviction.
        for (var i = 0; i < 200; i++)
        {
            batch.Clear();
            batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = Subject(SubjectKind.User, 2_000 + i), Feature = FraudFeature.Requests, At = t = t.AddSeconds(1), Window = TimeSpan.FromHours(1), Amount = 1 });
            batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = Subject(SubjectKind.User, 2_000 + i), Feature = FraudFeature.Requests, At = t = t.AddSeconds(1), Window = TimeSpan.FromHours(1), Amount = 1 });
            await store.ApplyAsync(batch, CancellationToken.None);
        }

        Assert.Equal(100, store.SubjectCount);
        Assert.Null(store.ClassOf(Subject(SubjectKind.User, 0)));
        Assert.NotNull(store.ClassOf(Subject(SubjectKind.User, 2_199)));
    }

    [Fact]
    public async Task ApplyAsync_RandomUseSweepsAndForgetting_KeepsTheClassListsWhole()
    {
        // Subjects of every kind used at random (reads and writes, evidence features or not), swept as time passes, forgotten
        // by key and evicted over the bound: every held subject is in exactly one class list, and every subject that left was
        // counted once.
        var store = new InMemoryFraudStateStore(200);
        var batch = new FraudStateBatch();
        var random = new Random(12);
        var kinds = new[] { SubjectKind.Ip, SubjectKind.IpPrefix, SubjectKind.Session, SubjectKind.User };
        var names = new[] { FraudFeature.Requests, FraudFeature.LoginFailures, FraudFeature.Paths };
        var at = T0;
        for (var round = 0; round < 3_000; round++)
        {
            batch.Clear();
            for (var i = 0; i < random.Next(1, 20); i++)
            {
                var key = Subject(kinds[random.Next(kinds.Length)], random.Next(random.Next(2) == 0 ? 50 : 5_000));
                batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = key, Feature = names[random.Next(names.Length)], At = at, Window = TimeSpan.FromMinutes(random.Next(1, 20)), Amount = random.Next(2) });
                at = at.AddMilliseconds(random.Next(0, 500));
            }

            await store.ApplyAsync(batch, CancellationToken.None);
            if (round % 500 == 499)
            {
                await store.ForgetKeyAsync(1, CancellationToken.None);
                Assert.Equal(0, store.SubjectCount);
                continue;
            }

            Assert.True(store.SubjectCount <= 200);
            Assert.Equal(store.SubjectCount, store.CountOf(EvictionClass.New) + store.CountOf(EvictionClass.Repeat) + store.CountOf(EvictionClass.Evidence) + store.CountOf(EvictionClass.NewEvidence));
        }

        Assert.True(store.Expired > 0);
        Assert.True(store.EvictedOverBound(EvictionClass.New) > 0);
        Assert.Equal(store.Evicted, store.Expired + store.EvictedOverBound(EvictionClass.New) + store.EvictedOverBound(EvictionClass.Repeat) + store.EvictedOverBound(EvictionClass.Evidence) + store.EvictedOverBound(EvictionClass.NewEvidence));
    }
}
