using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Redis.Tests;

public sealed class OperationJournalTests
{
    [Fact]
    public void Add_UnsentOperations_FillFullSizeChunksAndDropOldestBeyondCapacity()
    {
        var journal = new OperationJournal(capacity: 10, operationsPerCall: 4);
        journal.Add(Ops(1, 3));
        journal.Add(Ops(4, 3)); // fills the first chunk (4), starts a second
        Assert.Equal(6, journal.Count);
        Assert.Equal(2, journal.Chunks);

        journal.Add(Ops(7, 6)); // 12 > 10: the two oldest operations go
        Assert.Equal(10, journal.Count);
        Assert.Equal(2, journal.Dropped);
        Assert.Equal(3, journal.Oldest!.Value.Span[0].Amount);
    }

    [Fact]
    public void AddSent_KeepsItsIdAndNeverTakesMoreOperations_RemoveTrimsOneCall()
    {
        var journal = new OperationJournal(capacity: 100, operationsPerCall: 8);
        journal.AddSent("n.1", Ops(1, 2));
        journal.Add(Ops(3, 2)); // a new, unsent chunk: a sent call's operations never change
        Assert.Equal(2, journal.Chunks);
        var first = journal.Oldest!;
        Assert.Equal("n.1", first.Value.Id);
        Assert.Equal(2, first.Value.Count);
        Assert.Null(first.Next!.Value.Id);

        journal.Remove(first.Next!);
        Assert.Equal(2, journal.Count);
        journal.Remove(first);
        Assert.Equal(0, journal.Count);
        Assert.Null(journal.Oldest);
    }

    [Fact]
    public void Add_CapacityZero_DropsEverything()
    {
        var journal = new OperationJournal(capacity: 0, operationsPerCall: 8);
        journal.Add(Ops(1, 5));
        journal.AddSent("n.1", Ops(6, 2));
        Assert.Equal(0, journal.Count);
        Assert.Equal(7, journal.Dropped);
    }

    private static StateOperation[] Ops(int first, int count)
    {
        var ops = new StateOperation[count];
        for (var i = 0; i < count; i++)
        {
            ops[i] = new StateOperation { Kind = StateOperationKind.Increment, Subject = TestStores.Subject(SubjectKind.Ip, 1), Feature = FraudFeature.Requests, At = DateTimeOffset.UnixEpoch, Window = TimeSpan.FromMinutes(1), Amount = first + i };
        }

        return ops;
    }
}
