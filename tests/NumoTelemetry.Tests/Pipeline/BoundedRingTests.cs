using NumoTelemetry.Internal;

namespace NumoTelemetry.Tests.Pipeline;

public class BoundedRingTests
{
    [Fact]
    public void TryEnqueue_Full_Refuses_TryDequeue_Empty_GivesNothing()
    {
        var ring = new BoundedRing<string>(2);
        Assert.True(ring.TryEnqueue("a"));
        Assert.True(ring.TryEnqueue("b"));
        Assert.False(ring.TryEnqueue("c"));
        Assert.True(ring.TryDequeue(out var a));
        Assert.True(ring.TryDequeue(out var b));
        Assert.Equal(("a", "b"), (a, b));
        Assert.False(ring.TryDequeue(out _));
    }
}
