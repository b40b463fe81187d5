using NumoTelemetry.Internal;

namespace NumoTelemetry.Tests.Pipeline;

public class BoundedRingTests
{
    [Fact]
    public void PeekHint_IsTheItemTheNextDequeueTakes_NullWhenEmpty()
    {
        var ring = new BoundedRing<string>(4);
        Assert.Null(ring.PeekHint());

        ring.TryEnqueue("a");
        ring.TryEnqueue("b");
        Assert.Equal("a", ring.PeekHint());
        Assert.True(ring.TryDequeue(out var first));
        Assert.Equal("a", first);
        Assert.Equal("b", ring.PeekHint());
        Assert.True(ring.TryDequeue(out _));

        Assert.Null(ring.PeekHint());
    }

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
