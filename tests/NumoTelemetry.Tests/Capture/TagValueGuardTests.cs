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

        var allocated = AllocationCollection.SteadyStateBytes(() =>
        {
            for (var round = 0; round < 100; round++)
            {
                for (var i = 0; i < values.Length; i++)
                {
                    guard.Fold(values[i]);
                }
            }
        });
        Assert.Equal(0, allocated);
        Assert.Equal("value-99", guard.Fold(values[99]));
        Assert.Equal("other", guard.Fold(values[100]));
    }
}
