using System.Collections.Concurrent;

namespace NumoTelemetry.Fraud;

/// <summary>
/// Work for the fraud engine from outside the pipeline (a person's erasure or export, an account closure): the engine runs it on
/// the pipeline thread, where its state lives, at its next batch or flush (within about a second).
/// </summary>
internal sealed class FraudWorkQueue
{
    private readonly ConcurrentQueue<Func<FraudProcessor, CancellationToken, ValueTask>> _queue = new();

    /// <summary>Whether a fraud engine takes the work (fraud detection is registered and on).</summary>
    public bool HasConsumer { get; set; }

    /// <summary>Whether work is waiting (one volatile read: the engine checks it per batch).</summary>
    public bool IsEmpty => _queue.IsEmpty;

    public void Enqueue(Func<FraudProcessor, CancellationToken, ValueTask> work) => _queue.Enqueue(work);

    public bool TryDequeue(out Func<FraudProcessor, CancellationToken, ValueTask> work) => _queue.TryDequeue(out work!);
}
