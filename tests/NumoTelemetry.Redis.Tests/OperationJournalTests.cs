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

    [Fact]
    public void Add_FullJournalDuringALongOutage_ReusesTheArraysOfDroppedChunks()
    {
        // Batches keep coming while Redis is away: once full, each batch's operations push out as many old ones.
        var journal = new OperationJournal(capacity: 8_192, operationsPerCall: 2_048);
        var batch = Ops(1, 512);
        for (var i = 0; i < 64; i++)
        {
            journal.Add(batch);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 256; i++)
        {
            journal.Add(batch);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(8_192, journal.Count);
        Assert.Equal((64 + 256 - 16) * 512L, journal.Dropped);
        Assert.True(allocated < 64 * 1024, $"{allocated:N0} B allocated by 256 batches into a full journal");
        Assert.Equal(1, journal.Oldest!.Value.Span[0].Amount); // whole batches were dropped, oldest first
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
