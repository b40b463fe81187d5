using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// The contract's reference semantics are <see cref="InMemoryFraudStateStore"/>: the Redis store must give the same result for every
/// operation of the same sequence, to the bit. Each test runs one sequence, in the same batches, against both.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class StoreConformanceTests(RedisServer server)
{
    private static readonly string[] Reasons = ["credential-stuffing", "burst", "scanner"];

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ApplyAsync_RandomSequence_MatchesInMemoryStore(int seed)
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var operations = RandomSequence(seed, 6000);
        await AssertConformsAsync(operations, seed, nameof(ApplyAsync_RandomSequence_MatchesInMemoryStore));
    }

    [SkippableFact]
    public async Task ApplyAsync_LargeDistinctSets_MatchInMemoryHyperLogLog()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var random = new Random(7);
        var subject = TestStores.Subject(SubjectKind.Ip, 1);
        var start = DateTimeOffset.UtcNow;
        var operations = new List<StateOperation>();
        for (var i = 0; i < 12_000; i++)
        {
            // 10 s window: generations of 5 s; 1 ms per element: exact sets, promotion to registers, rotation, union of both.
            var element = i % 7 == 0 ? 0UL : (ulong)random.NextInt64(1, long.MaxValue) ^ ((ulong)random.Next() << 63);
            operations.Add(new StateOperation { Kind = StateOperationKind.AddDistinct, Subject = subject, Feature = FraudFeature.Visitors, At = start.AddMilliseconds(i), Window = TimeSpan.FromSeconds(10), Element = element });
        }

        var results = await AssertConformsAsync(operations, 7, nameof(ApplyAsync_LargeDistinctSets_MatchInMemoryHyperLogLog));
        Assert.True(results[^1].Count > 4000, "the sketch went past its exact phase");
    }

    [SkippableFact]
    public async Task ApplyAsync_ScriptFlushedBetweenBatches_FallsBackToEvalAndStaysCorrect()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var prefix = TestStores.UniquePrefix("noscript");
        var store = TestStores.Create(server.Configuration, prefix);
        var subject = TestStores.Subject(SubjectKind.Ip, 3);
        var at = DateTimeOffset.UtcNow;
        for (var i = 1; i <= 3; i++)
        {
            await using (var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true"))
            {
                await mux.GetServers()[0].ScriptFlushAsync();
            }

            var batch = new FraudStateBatch(16);
            batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = subject, Feature = FraudFeature.Requests, At = at, Window = TimeSpan.FromMinutes(1), Amount = 1 });
            await store.ApplyAsync(batch, CancellationToken.None);
            Assert.False(store.IsFallingBack);
            Assert.Equal(i, batch.Results[0].Count);
        }
    }

    private async Task<StateResult[]> AssertConformsAsync(List<StateOperation> operations, int seed, string test)
    {
        var prefix = TestStores.UniquePrefix(test);
        var redis = TestStores.Create(server.Configuration, prefix, o => o.MaxOperationsPerCall = 300);
        var memory = new InMemoryFraudStateStore(1_000_000);
        var random = new Random(seed);
        var all = new StateResult[operations.Count];
        for (var start = 0; start < operations.Count;)
        {
            var size = Math.Min(operations.Count - start, random.Next(1, 1500));
            var a = new FraudStateBatch(size);
            var b = new FraudStateBatch(size);
            for (var i = 0; i < size; i++)
            {
                a.Add(operations[start + i]);
                b.Add(operations[start + i]);
            }

            await memory.ApplyAsync(a, CancellationToken.None);
            await redis.ApplyAsync(b, CancellationToken.None);
            Assert.False(redis.IsFallingBack, "Redis answered every batch");
            for (var i = 0; i < size; i++)
            {
                var op = operations[start + i];
                var expected = a.Results[i];
                var actual = b.Results[i];
                var where = $"op {start + i} ({op.Kind} {op.Feature} at {op.At.ToUnixTimeMilliseconds()})";
                Assert.True(expected.Count == actual.Count, $"{where}: Count {expected.Count} expected, {actual.Count} from Redis");
                Assert.True(expected.IsNew == actual.IsNew, $"{where}: IsNew {expected.IsNew} expected");
                Assert.True(expected.Previous == actual.Previous, $"{where}: Previous {expected.Previous} expected, {actual.Previous} from Redis");
                Assert.True(expected.Mean.Equals(actual.Mean), $"{where}: Mean {expected.Mean:R} expected, {actual.Mean:R} from Redis");
                Assert.True(expected.Variation.Equals(actual.Variation), $"{where}: Variation {expected.Variation:R} expected, {actual.Variation:R}");
                Assert.True(expected.Score.Equals(actual.Score), $"{where}: Score {expected.Score:R} expected, {actual.Score:R} from Redis");
                Assert.True(expected.TopReason == actual.TopReason, $"{where}: TopReason {expected.TopReason} expected, {actual.TopReason}");
                all[start + i] = actual;
            }

            start += size;
        }

        var keys = await TestStores.ScanAsync(server.Configuration, prefix);
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.True(k.TtlMs > 0, $"{k.Key} has TTL {k.TtlMs}"));
        return all;
    }

    /// <summary>
    /// Operations over a few subjects and every operation kind, record time moving forward with out-of-order arrivals and jumps.
    /// Scores use their own clock that never goes back (see the README: a score read stores nothing for a subject without one).
    /// </summary>
    private static List<StateOperation> RandomSequence(int seed, int count)
    {
        var random = new Random(seed);
        var subjects = new SubjectKey[8];
        for (var i = 0; i < subjects.Length; i++)
        {
            subjects[i] = i == 7 ? SubjectKey.ForAsn(64_500 + seed) : TestStores.Subject((SubjectKind)(1 + (i % 5)), (seed * 100) + i);
        }

        var clock = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var scoreClock = clock;
        var list = new List<StateOperation>(count);
        for (var i = 0; i < count; i++)
        {
            clock += random.Next(0, 200);
            if (random.Next(500) == 0)
            {
                clock += random.Next(5_000, 30_000);
            }

            var at = clock - (random.Next(8) == 0 ? random.Next(0, 400) : 0);
            var subject = subjects[random.Next(subjects.Length)];
            var op = new StateOperation { Subject = subject, At = DateTimeOffset.FromUnixTimeMilliseconds(at) };
            switch (random.Next(9))
            {
                case 0:
                case 1:
                    op.Kind = StateOperationKind.Increment;
                    op.Feature = FraudFeature.Requests;
                    op.Window = TimeSpan.FromSeconds(60);
                    op.Amount = random.Next(4) == 0 ? 0 : random.Next(1, 3);
                    break;
                case 2:
                    op.Kind = StateOperationKind.Increment;
                    op.Feature = FraudFeature.RequestsShort;
                    op.Window = TimeSpan.FromMilliseconds(600);
                    op.Amount = random.Next(5) == 0 ? 0 : 1;
                    break;
                case 3:
                    op.Kind = StateOperationKind.AddDistinct;
                    op.Feature = FraudFeature.Visitors;
                    op.Window = TimeSpan.FromSeconds(30);
                    op.Element = random.Next(6) == 0 ? 0 : Mix((ulong)random.Next(1, 400));
                    break;
                case 4:
                    op.Kind = StateOperationKind.AddDistinct;
                    op.Feature = FraudFeature.Paths;
                    op.Window = TimeSpan.FromSeconds(2);
                    op.Element = random.Next(6) == 0 ? 0 : Mix((ulong)random.Next(1, 30));
                    break;
                case 5:
                    op.Kind = StateOperationKind.ObserveTiming;
                    op.Feature = FraudFeature.Timing;
                    op.Window = TimeSpan.FromSeconds(3);
                    break;
                case 6:
                    op.Kind = StateOperationKind.Exchange;
                    op.Feature = FraudFeature.Fingerprint;
                    op.Window = TimeSpan.FromSeconds(4);
                    op.Observation = random.Next(10) == 0 ? default : new Observation(op.At, Mix((ulong)random.Next(1, 5)), Mix((ulong)random.Next(1, 5)), random.Next(0, 3) * 64_500L, Observation.PackCountry(random.Next(2) == 0 ? "DE" : "US"), (random.NextDouble() * 180) - 90, (random.NextDouble() * 360) - 180, random.Next(0, 500), (NetworkFlags)random.Next(0, 8));
                    break;
                case 7:
                    op.Kind = StateOperationKind.AddMember;
                    op.Feature = FraudFeature.Devices;
                    op.Window = TimeSpan.FromSeconds(20);
                    op.Element = random.Next(5) == 0 ? 0 : Mix((ulong)random.Next(1, 50));
                    break;
                default:
                    scoreClock = Math.Max(scoreClock, clock) + random.Next(0, 50);
                    op.At = DateTimeOffset.FromUnixTimeMilliseconds(scoreClock);
                    op.Kind = StateOperationKind.AddScore;
                    op.Feature = FraudFeature.Score;
                    op.Window = TimeSpan.FromSeconds(30);
                    if (random.Next(3) != 0)
                    {
                        op.Reason = Reasons[random.Next(Reasons.Length)];
                        op.Points = Math.Round(10 + (random.NextDouble() * 80), random.Next(3));
                    }

                    break;
            }

            list.Add(op);
        }

        return list;
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }
}
