using System.Buffers;
using System.Text;
using System.Text.Json;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// The in-memory store (subjects in flat slots, features in word blocks) against the store it replaced
/// (<see cref="ReferenceFraudStateStore"/>: a dictionary of subject objects, one object per feature): random operations of every
/// kind, late arrivals, generation and window turns, sets growing past their exact size into HyperLogLog, evictions over a small
/// bound, sweeps, erasures and the arena's compaction. Every result, every subject's class and every subject's export must be the same, and the bytes
/// the store counts for its byte bound must be what its subjects hold, down to nothing once they are erased.
/// </summary>
public sealed class CompactStoreEquivalenceTests
{
    private static readonly (FraudFeature Feature, StateOperationKind Kind, TimeSpan Window)[] Features =
    [
        (FraudFeature.Requests, StateOperationKind.Increment, TimeSpan.FromHours(1)),
        (FraudFeature.RequestsShort, StateOperationKind.Increment, TimeSpan.FromSeconds(10)),
        (FraudFeature.LoginFailures, StateOperationKind.Increment, TimeSpan.FromMinutes(15)),
        (FraudFeature.Errors, StateOperationKind.Increment, TimeSpan.FromMilliseconds(3)),
        (FraudFeature.Paths, StateOperationKind.AddDistinct, TimeSpan.FromHours(1)),
        (FraudFeature.PathsLong, StateOperationKind.AddDistinct, TimeSpan.FromHours(6)),
        (FraudFeature.FailedUsers, StateOperationKind.AddDistinct, TimeSpan.FromMinutes(2)),
        (FraudFeature.Timing, StateOperationKind.ObserveTiming, TimeSpan.FromMinutes(10)),
        (FraudFeature.Fingerprint, StateOperationKind.Exchange, TimeSpan.FromMinutes(30)),
        (FraudFeature.LastLogin, StateOperationKind.Exchange, TimeSpan.FromDays(1)),
        (FraudFeature.Devices, StateOperationKind.AddMember, TimeSpan.FromHours(2)),
        (FraudFeature.LoginIps, StateOperationKind.AddMember, TimeSpan.FromMinutes(20)),
        (FraudFeature.Score, StateOperationKind.AddScore, TimeSpan.FromHours(1)),
    ];

    private static readonly string?[] Reasons = ["scan", "stuffing", "churn", null];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Apply_RandomOperations_SameResultsClassesAndExportsAsTheReference(int seed)
    {
        var random = new Random(seed);
        var bound = seed % 2 == 0 ? 16 : 1_000; // evictions over the bound, or only sweeps
        var compact = new InMemoryFraudStateStore(bound);
        var reference = new ReferenceFraudStateStore(bound);
        var subjects = new SubjectKey[40];
        for (var i = 0; i < subjects.Length; i++)
        {
            subjects[i] = Subject(i);
        }

        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        var expected = new FraudStateBatch(64);
        var actual = new FraudStateBatch(64);
        for (var round = 0; round < 600; round++)
        {
            var operations = random.Next(1, 60);
            expected.Clear();
            actual.Clear();
            for (var k = 0; k < operations; k++)
            {
                // Operations come in requests: a third of them start one (a new time); the others share its time, on subjects
                // in any order, as a request's operations do (one use of each subject, however they interleave).
                if (random.Next(3) == 0)
                {
                    at = random.Next(50) == 0 ? at.AddMinutes(random.Next(1, 3_000)) : at.AddMilliseconds(random.Next(0, 20_000));
                }

                var op = Operation(random, subjects[random.Next(subjects.Length)], random.Next(10) == 0 ? at.AddMilliseconds(-random.Next(3_600_000)) : at);
                expected.Add(op);
                actual.Add(op);
            }

            reference.ApplyOperations(expected);
            compact.ApplyOperations(actual);
            for (var k = 0; k < operations; k++)
            {
                Assert.Equal(Text(expected.Result(k)), Text(actual.Result(k)));
            }

            if (random.Next(20) == 0)
            {
                var verdict = subjects[random.Next(subjects.Length)]; // a detector's verdict on a subject
                reference.MarkEvidence(verdict);
                compact.MarkEvidence(verdict);
            }

            reference.EndBatch();
            compact.EndBatch();
            if (random.Next(25) == 0)
            {
                compact.CompactArena(); // every block moved to fresh pages: nothing a subject holds may change
            }

            if (random.Next(40) == 0)
            {
                var erased = subjects[random.Next(subjects.Length)];
                Assert.Equal(reference.Forget([erased]), compact.Forget([erased]));
            }

            Assert.Equal(reference.SubjectCount, compact.SubjectCount);
            Assert.Equal(compact.RecountHeldBytes(), compact.HeldBytes); // the byte bound's running count, kept as subjects change
            Assert.Equal(compact.RecountQueuedHeavyBytes(), compact.QueuedHeavyBytes);
            foreach (var subject in subjects)
            {
                Assert.Equal(reference.ClassOf(subject), compact.ClassOf(subject));
                Assert.Equal(Export(w => reference.Describe(subject, w)), Export(w => compact.Describe(subject, w)));
            }
        }

        Assert.Equal(reference.Evicted, compact.Evicted);
        Assert.Equal(reference.Expired, compact.Expired);
        compact.Forget(subjects);
        Assert.Equal(0, compact.HeldBytes);
        Assert.True(bound == 16 ? compact.Evicted > compact.Expired : compact.Expired > 0, "the bound was reached, or subjects were swept");
    }

    private static StateOperation Operation(Random random, SubjectKey subject, DateTimeOffset at)
    {
        var (feature, kind, window) = Features[random.Next(Features.Length)];
        var op = new StateOperation { Kind = kind, Subject = subject, Feature = feature, At = at, Window = window };
        switch (kind)
        {
            case StateOperationKind.Increment:
                op.Amount = random.Next(6) switch
                {
                    0 => 0,
                    1 => random.Next(-3, 100_000),
                    2 => int.MaxValue,
                    _ => 1,
                };
                break;
            case StateOperationKind.AddDistinct:
            case StateOperationKind.AddMember:
                op.Element = random.Next(10) switch
                {
                    0 => 0,
                    < 6 => (ulong)random.Next(1, 9),
                    _ => (ulong)random.NextInt64() | 1,
                };
                break;
            case StateOperationKind.Exchange:
                op.Observation = new Observation(
                    at.ToOffset(TimeSpan.FromMinutes(random.Next(-600, 600))),
                    (ulong)random.NextInt64(),
                    (ulong)random.Next(3),
                    random.Next(70_000),
                    Observation.PackCountry(random.Next(2) == 0 ? "FR" : "de"),
                    (random.NextDouble() * 180) - 90,
                    (random.NextDouble() * 360) - 180,
                    random.Next(4) == 0 ? 0 : random.Next(1, 200),
                    (NetworkFlags)random.Next(ushort.MaxValue + 1));
                break;
            case StateOperationKind.AddScore:
                op.Reason = Reasons[random.Next(Reasons.Length)];
                op.Points = random.Next(3) == 0 ? 0 : random.NextDouble() * 50;
                break;
        }

        return op;
    }

    private static string Text(in StateResult r) =>
        FormattableString.Invariant($"{r.Count} {r.IsNew} {r.Previous} {r.Previous.At.Offset} {r.Mean:R} {r.Variation:R} {r.Score:R} {r.TopReason}");

    private static string Export(Func<Utf8JsonWriter, bool> describe)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            var held = describe(writer);
            writer.WriteBoolean("held", held);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static SubjectKey Subject(int n)
    {
        if (n % 8 == 7)
        {
            return SubjectKey.ForAsn(3215 + n);
        }

        if (n % 16 == 6)
        {
            return n == 6 ? SubjectKey.Site : SubjectKey.ForPhonePrefix(3361234UL + (ulong)n);
        }

        var kind = (n % 4) switch
        {
            0 => SubjectKind.Ip,
            1 => SubjectKind.IpPrefix,
            2 => SubjectKind.Session,
            _ => SubjectKind.User,
        };
        Span<byte> hash = stackalloc byte[16];
        BitConverter.TryWriteBytes(hash, (ulong)(n + 1) * 0x9E3779B97F4A7C15UL);
        BitConverter.TryWriteBytes(hash[8..], (ulong)n);
        return SubjectKey.From(kind, Pseudonym.FromHash(SubjectKey.PseudonymKindOf(kind), PseudonymScope.Fraud, 1, hash));
    }
}
