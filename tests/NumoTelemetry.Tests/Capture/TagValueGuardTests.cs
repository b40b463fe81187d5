using NumoTelemetry.Metrics;

namespace NumoTelemetry.Tests.Capture;

[Collection(AllocationCollection.Name)]
public class TagValueGuardTests
{
    [Fact]
    public void Fold_BeyondLimit_FoldsIntoOtherButKeepsKnownValues()
    {
        var guard = new TagValueGuard(3);
        Assert.Equal("a", guard.Fold("a"));
        Assert.Equal("b", guard.Fold("b"));
        Assert.Equal("c", guard.Fold("c"));
        Assert.Equal("other", guard.Fold("d"));
        Assert.Equal("other", guard.Fold(new string('d', 1)));
        Assert.Equal("a", guard.Fold(new string('a', 1)));
        Assert.Equal("b", guard.Fold("b"));
    }

    [Fact]
    public void Fold_Concurrent_NeverMoreThanLimitDistinct()
    {
        var guard = new TagValueGuard(50);
        var results = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 1000, i => results.Add(guard.Fold("v" + (i % 200))));
        Assert.True(results.Distinct().Count() <= 51);
    }

    [Fact]
    public void Fold_ManyHotValues_AllocatesNothingOnceWarm()
    {
        var guard = new TagValueGuard(100);
        var values = new string[200]; // more than the recent cache holds, half of them beyond the limit
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = "value-" + i;
        }

        for (var i = 0; i < values.Length; i++)
        {
            guard.Fold(values[i]);
        }

        // Warm means compiled too: the first rounds may run while the JIT moves these loops to optimised code (on-stack
        // replacement allocates on this thread). A guard that allocates per call allocates in every round, so it still fails.
        var allocated = long.MaxValue;
        for (var attempt = 0; attempt < 20 && allocated != 0; attempt++)
        {
            allocated = AllocatedByRounds(guard, values, rounds: 100);
            if (allocated != 0)
            {
                Thread.Sleep(50); // let tiered compilation install the optimised code
            }
        }

        Assert.Equal(0, allocated);
        Assert.Equal("value-99", guard.Fold(values[99]));
        Assert.Equal("other", guard.Fold(values[100]));
    }

    private static long AllocatedByRounds(TagValueGuard guard, string[] values, int rounds)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < values.Length; i++)
            {
                guard.Fold(values[i]);
            }
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
