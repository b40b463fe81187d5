using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

[Collection(AllocationCollection.Name)]
public sealed class FraudStateAllocationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    private static SubjectKey Subject(SubjectKind kind, int n)
    {
        Span<byte> hash = stackalloc byte[16];
        BitConverter.TryWriteBytes(hash, (ulong)n * 0x9E3779B97F4A7C15UL);
        BitConverter.TryWriteBytes(hash[8..], (ulong)n);
        return SubjectKey.From(kind, Pseudonym.FromHash(SubjectKey.PseudonymKindOf(kind), PseudonymScope.Fraud, 1, hash));
    }

    [Fact]
    public void ApplyAsync_UsesOfHeldSubjects_AllocateNothing()
    {
        // The eviction bookkeeping of a use (promotion out of probation, the referenced bit, becoming evidence) is array writes
        // only: subjects already held, used in every order, allocate nothing.
        var store = new InMemoryFraudStateStore(10_000);
        var batch = new FraudStateBatch(1 << 14);
        var kinds = new[] { SubjectKind.Ip, SubjectKind.IpPrefix, SubjectKind.Session, SubjectKind.User };
        var at = T0;
        void Fill(FraudFeature feature, long amount)
        {
            batch.Clear();
            for (var i = 0; i < 4_000; i++)
            {
                batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = Subject(kinds[i & 3], i), Feature = feature, At = at, Window = TimeSpan.FromHours(1), Amount = amount });
                at = at.AddMilliseconds(1);
            }
        }

        void Apply()
        {
            store.ApplyOperations(batch);
            store.EndBatch();
        }

        Fill(FraudFeature.Requests, 1);
        Apply(); // every subject new (on probation; accounts are evidence)
        Fill(FraudFeature.LoginFailures, 0);
        Apply(); // a read of an evidence feature: no node, not evidence
        var allocated = AllocationCollection.SteadyStateBytes(() =>
        {
            Fill(FraudFeature.Requests, 1);
            Apply(); // promoted out of probation (first attempt), then referenced
            Fill(FraudFeature.Requests, 1);
            Apply();
            for (var i = 0; i < 4_000; i += 2)
            {
                store.MarkEvidence(Subject(kinds[i & 3], i)); // a verdict's subject
            }
        });
        Assert.Equal(0, allocated);
        Assert.Equal(4_000, store.SubjectCount);
        Assert.Equal(2_000 + 1_000, store.CountOf(EvictionClass.Evidence));
        Assert.Equal(1_000, store.CountOf(EvictionClass.Repeat));
    }
}
