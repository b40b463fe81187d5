using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    [Fact]
    public void Add_FullJournal_DropsTheOldestInPlace_AndKeepsTheRestInOrder()
    {
        // A full journal drops part of its oldest chunk on every batch: the operations kept stay where they are (moving the rest
        // of a 2,048-operation chunk down on every batch was most of a long outage's cost), are sent in order, and what was
        // dropped is cleared at once.
        var journal = new OperationJournal(capacity: 10, operationsPerCall: 8);
        journal.Add(Ops(1, 10)); // chunks of 8 and 2
        var oldest = journal.Oldest!.Value;
        journal.Add(Ops(11, 3)); // 1-3 dropped
        Assert.Same(oldest, journal.Oldest!.Value);
        Assert.Equal([4L, 5, 6, 7, 8], Amounts(oldest.Span));
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(oldest.Span), ref oldest.Operations[3]), "the operations kept were moved");
        Assert.All(oldest.Operations[..3], op => Assert.Equal(default, op.Subject));

        journal.Add(Ops(14, 4)); // 4-7 dropped: one operation left in the oldest chunk
        Assert.Equal([8L], Amounts(journal.Oldest!.Value.Span));
        Assert.Equal([9L, 10, 11, 12, 13, 14, 15, 16, 17], journal.Oldest!.Next!.Value.Span.ToArray().Select(op => op.Amount).Concat(journal.Oldest!.Next!.Next?.Value.Span.ToArray().Select(op => op.Amount) ?? []));
        Assert.Equal(10, journal.Count);
        Assert.Equal(7, journal.Dropped);

        // An erasure after a partial drop keeps the others of the chunk, in order, from where it starts.
        journal.Add(Ops(18, 1, subject: 2)); // 8 dropped: the first chunk goes
        journal.Forget(new HashSet<SubjectKey> { TestStores.Subject(SubjectKind.Ip, 2) });
        Assert.Equal(9, journal.Count);
        Assert.DoesNotContain(18L, Amounts(journal.Oldest!.Value.Span).Concat(Amounts(journal.Oldest!.Next!.Value.Span)));
    }

    [Fact]
    public void Forget_AfterAPartialDrop_KeepsTheRestFromTheChunksStart()
    {
        var journal = new OperationJournal(capacity: 6, operationsPerCall: 8);
        journal.Add(Ops(1, 4));
        journal.Add(Ops(5, 4, subject: 2)); // 1-2 dropped: the chunk holds 3-8 from index 2
        journal.Forget(new HashSet<SubjectKey> { TestStores.Subject(SubjectKind.Ip, 2) });
        Assert.Equal([3L, 4], Amounts(journal.Oldest!.Value.Span));
        Assert.Equal(2, journal.Count);
        journal.Add(Ops(9, 2)); // appended after what is kept
        Assert.Equal([3L, 4, 9, 10], Amounts(journal.Oldest!.Value.Span));
    }

    [Fact]
    public void Forget_EverythingLeftInAPartlyDroppedChunk_RemovesTheChunk()
    {
        // An emptied chunk must leave the journal: a replay would send it as an empty script call, and its array would not be reused.
        var journal = new OperationJournal(capacity: 6, operationsPerCall: 8);
        journal.Add(Ops(1, 4, subject: 2));
        journal.Add(Ops(5, 4, subject: 2)); // 1-2 dropped: the chunk holds 3-8 from index 2
        journal.Forget(new HashSet<SubjectKey> { TestStores.Subject(SubjectKind.Ip, 2) });
        Assert.Equal(0, journal.Count);
        Assert.Equal(0, journal.Chunks);
        Assert.Null(journal.Oldest);
    }

    private static long[] Amounts(ReadOnlySpan<StateOperation> ops) => [.. ops.ToArray().Select(op => op.Amount)];

    private static StateOperation[] Ops(int first, int count, int subject = 1)
    {
        var ops = new StateOperation[count];
        for (var i = 0; i < count; i++)
        {
            ops[i] = new StateOperation { Kind = StateOperationKind.Increment, Subject = TestStores.Subject(SubjectKind.Ip, subject), Feature = FraudFeature.Requests, At = DateTimeOffset.UnixEpoch, Window = TimeSpan.FromMinutes(1), Amount = first + i };
        }

        return ops;
    }
}
