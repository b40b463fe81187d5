using System.Collections.Concurrent;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// Hands subject-rights work to the fraud engine, which takes it on the pipeline thread (its state is single-threaded) at its
/// next batch or flush, within about a second.
/// </summary>
internal sealed class SubjectRequestQueue
{
    private readonly ConcurrentQueue<SubjectStateRequest> _queue = new();

    /// <summary>Whether a fraud engine takes the work (fraud detection is registered and on).</summary>
    public bool HasConsumer { get; set; }

    /// <summary>Whether work is waiting (one volatile read: the engine checks it per batch).</summary>
    public bool IsEmpty => _queue.IsEmpty;

    public void Enqueue(SubjectStateRequest request) => _queue.Enqueue(request);

    public bool TryDequeue(out SubjectStateRequest request) => _queue.TryDequeue(out request!);
}
