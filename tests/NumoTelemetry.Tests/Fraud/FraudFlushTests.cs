using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// The pipeline's idle flush reaches a shared store even with no score to send, so that it can replay what an outage left
/// in its journal; the in-process store is not called for nothing.
/// </summary>
public sealed class FraudFlushTests
{
    [Fact]
    public async Task FlushAsync_SharedStoreNoPendingScore_GetsAnEmptyBatch()
    {
        CountingStore? shared = null;
        using var harness = new FraudHarness(store: memory => shared = new CountingStore(memory, isShared: true));

        await harness.Processor.FlushAsync(CancellationToken.None);
        await harness.Processor.FlushAsync(CancellationToken.None);

        Assert.Equal(2, shared!.EmptyBatches);
    }

    [Fact]
    public async Task FlushAsync_UnsharedStoreNoPendingScore_IsNotCalled()
    {
        CountingStore? local = null;
        using var harness = new FraudHarness(store: memory => local = new CountingStore(memory, isShared: false));

        await harness.Processor.FlushAsync(CancellationToken.None);

        Assert.Equal(0, local!.EmptyBatches);
    }

    private sealed class CountingStore(InMemoryFraudStateStore inner, bool isShared) : IFraudStateStore
    {
        public int EmptyBatches { get; private set; }

        public bool IsShared => isShared;

        public ValueTask ApplyAsync(FraudStateBatch batch, CancellationToken cancellationToken)
        {
            if (batch.Count == 0)
            {
                EmptyBatches++;
            }

            return inner.ApplyAsync(batch, cancellationToken);
        }

        public ValueTask ForgetKeyAsync(ushort keyId, CancellationToken cancellationToken) => inner.ForgetKeyAsync(keyId, cancellationToken);
    }
}
