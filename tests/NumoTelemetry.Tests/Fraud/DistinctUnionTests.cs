using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// The union of two generations kept element by element (<see cref="DistinctUnion"/>) against the union computed from both
/// generations (<see cref="DistinctSketch.EstimateUnion"/>), and the in-memory store's heavy distinct counts (which use it)
/// against the reference store (which computes the union every time).
/// </summary>
public sealed class DistinctUnionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Add_RandomElementsToEitherGeneration_SameEstimateAsTheMergedUnion(int seed)
    {
        var random = new Random(seed);
        var current = default(DistinctSketch);
        var previous = default(DistinctSketch);
        var union = new DistinctUnion();
        var seen = new List<ulong>();
        var valid = false;
        for (var i = 0; i < 6_000; i++)
        {
            // Mostly new elements, some repeated, some with a rank beyond the exact sum's (odds 2^-42 in real traffic).
            var element = random.Next(10) switch
            {
                0 when seen.Count > 0 => seen[random.Next(seen.Count)],
                1 when random.Next(40) == 0 => ElementWithRank(random.Next(DistinctSketch.ExactRank + 1, 56), random.Next(DistinctSketch.Registers)),
                _ => (ulong)random.NextInt64() | 1,
            };
            seen.Add(element);
            var changed = random.Next(4) == 0 ? previous.Add(element) : current.Add(element);
            if (!current.IsHll && !previous.IsHll)
            {
                continue;
            }

            if (!valid)
            {
                union.Reset(current, previous);
                valid = true;
            }
            else if (changed)
            {
                union.Add(element);
            }

            Assert.Equal(DistinctSketch.EstimateUnion(current, previous), union.Estimate());
        }

        Assert.True(current.IsHll && previous.IsHll, "both generations grew into HyperLogLogs");
    }

    [Fact]
    public void Reset_HighRankInEitherGeneration_SameEstimateAsTheMergedUnion()
    {
        var current = default(DistinctSketch);
        var previous = default(DistinctSketch);
        for (var i = 1; i <= 200; i++)
        {
            current.Add((ulong)i * 0x9E3779B97F4A7C15UL);
        }

        previous.Add(ElementWithRank(50, 7));
        var union = new DistinctUnion();
        union.Reset(current, previous);
        Assert.Equal(DistinctSketch.EstimateUnion(current, previous), union.Estimate());

        union.Reset(current, default);
        Assert.Equal(current.Estimate(), union.Estimate());
    }

    [Fact]
    public void ElementWithRank_HasThatRankInThatRegister()
    {
        Assert.Equal(7, DistinctSketch.RegisterOf(ElementWithRank(50, 7), out var rank));
        Assert.Equal(50, rank);
    }

    /// <summary>
    /// Thousands of distinct elements on a few subjects over turning generations, late ones into the previous generation and
    /// repeats: every estimate of the in-memory store is the reference store's.
    /// </summary>
    [Fact]
    public void Store_HeavyDistinctCountsOverTurningGenerations_SameEstimatesAsTheReference()
    {
        var random = new Random(7);
        var compact = new InMemoryFraudStateStore(1_000);
        var reference = new ReferenceFraudStateStore(1_000);
        var subjects = new[] { SubjectKey.ForAsn(3215), SubjectKey.ForAsn(3320), SubjectKey.ForAsn(16276) };
        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        var estimates = 0L;
        var operations = new List<StateOperation>();
        for (var round = 0; round < 400; round++)
        {
            operations.Clear();
            at = at.AddSeconds(random.Next(0, 60)); // about 8 generations turn over the test
            for (var k = 0; k < 50; k++)
            {
                operations.Add(AddPath(
                    subjects[random.Next(subjects.Length)],
                    random.Next(8) == 0 ? at.AddMinutes(-random.Next(1, 50)) : at,
                    random.Next(10) == 0 ? (ulong)random.Next(1, 50) : (ulong)random.NextInt64() | 1));
            }

            estimates = Math.Max(estimates, ApplyToBoth(compact, reference, operations));
        }

        Assert.True(estimates > 2 * DistinctSketch.SmallLimit, $"the counts grew into HyperLogLogs (largest {estimates})");
    }

    /// <summary>
    /// A time jump of several generations empties both (a subject idle for longer than its window), then the count grows into
    /// HyperLogLogs again, one generation at a time and by jumps: every estimate is the reference store's.
    /// </summary>
    [Fact]
    public void Store_JumpsOfSeveralGenerations_SameEstimatesAsTheReference()
    {
        var compact = new InMemoryFraudStateStore(1_000);
        var reference = new ReferenceFraudStateStore(1_000);
        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        var element = 0UL;
        foreach (var (after, count) in new[] { (0, 500), (120, 200), (125, 300), (160, 100), (400, 90), (401, 600) })
        {
            var operations = new List<StateOperation>();
            for (var k = 0; k < count; k++)
            {
                operations.Add(AddPath(SubjectKey.ForAsn(3215), at.AddMinutes(after), (++element * 0x9E3779B97F4A7C15UL) | 1));
            }

            ApplyToBoth(compact, reference, operations);
        }
    }

    [Fact]
    public void ElementWithRank_HighestRank_HasThatRankInThatRegister()
    {
        var highest = 64 - DistinctSketch.Precision + 1;
        Assert.Equal(5, DistinctSketch.RegisterOf(ElementWithRank(highest, 5), out var rank));
        Assert.Equal(highest, rank);
    }

    /// <summary>A distinct path of <paramref name="subject"/> over a window of an hour (generations of 30 minutes).</summary>
    private static StateOperation AddPath(SubjectKey subject, DateTimeOffset at, ulong element) => new()
    {
        Kind = StateOperationKind.AddDistinct,
        Subject = subject,
        Feature = FraudFeature.Paths,
        At = at,
        Window = TimeSpan.FromHours(1),
        Element = element,
    };

    /// <summary>
    /// Applies <paramref name="operations"/> as one batch to both stores: every count and every "new" is the reference's, and
    /// the bytes the in-memory store counts are what its subjects hold. Returns the largest count.
    /// </summary>
    private static long ApplyToBoth(InMemoryFraudStateStore compact, ReferenceFraudStateStore reference, IReadOnlyList<StateOperation> operations)
    {
        var expected = new FraudStateBatch(operations.Count);
        var actual = new FraudStateBatch(operations.Count);
        foreach (var op in operations)
        {
            expected.Add(op);
            actual.Add(op);
        }

        reference.ApplyOperations(expected);
        compact.ApplyOperations(actual);
        var largest = 0L;
        for (var k = 0; k < operations.Count; k++)
        {
            Assert.Equal(expected.Result(k).Count, actual.Result(k).Count);
            Assert.Equal(expected.Result(k).IsNew, actual.Result(k).IsNew);
            largest = Math.Max(largest, actual.Result(k).Count);
        }

        reference.EndBatch();
        compact.EndBatch();
        Assert.Equal(compact.RecountHeldBytes(), compact.HeldBytes); // sketches growing and giving their KiB back, counted as they do
        Assert.Equal(compact.RecountQueuedHeavyBytes(), compact.QueuedHeavyBytes);
        return largest;
    }

    /// <summary>An element whose register is <paramref name="register"/> with rank <paramref name="rank"/> (the mix inverted).</summary>
    private static ulong ElementWithRank(int rank, int register)
    {
        // RegisterOf: register = the mixed hash's top Precision bits; rank = leading zeros of the rest, plus one (the highest
        // rank, 64 - Precision + 1, when the rest is all zeros).
        var rest = 64 - DistinctSketch.Precision - rank;
        var hash = ((ulong)register << (64 - DistinctSketch.Precision)) | (rest >= 0 ? 1UL << rest : 0);
        return Unmix(hash);
    }

    /// <summary>The inverse of <see cref="StateMath.Mix"/> (SplitMix64's finaliser).</summary>
    private static ulong Unmix(ulong x)
    {
        x = UnshiftXor(x, 31);
        x *= Inverse(0x94d049bb133111ebUL);
        x = UnshiftXor(x, 27);
        x *= Inverse(0xbf58476d1ce4e5b9UL);
        return UnshiftXor(x, 30);
    }

    private static ulong UnshiftXor(ulong y, int shift)
    {
        var x = y;
        for (var i = 0; i < 64 / shift + 1; i++)
        {
            x = y ^ (x >> shift);
        }

        return x;
    }

    private static ulong Inverse(ulong a)
    {
        var x = a; // Newton's iteration for the inverse modulo 2^64 of an odd number
        for (var i = 0; i < 6; i++)
        {
            x *= 2 - (a * x);
        }

        return x;
    }
}
