using NumoTelemetry.Metrics;

namespace NumoTelemetry.Tests.Capture;

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
}
