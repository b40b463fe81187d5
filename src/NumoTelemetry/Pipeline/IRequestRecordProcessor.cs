using NumoTelemetry.Records;

namespace NumoTelemetry.Pipeline;

/// <summary>
/// A consumer of the pseudonymised request stream: sessions, fraud detection, aggregates, the
/// request log. The background pipeline calls every registered processor with each batch, in
/// registration order, on one thread.
/// </summary>
/// <remarks>
/// A batch's memory is reused after the call returns: copy what must outlive it. Call remote stores
/// once per batch, never per record. An exception is logged and counted; the pipeline goes on.
/// </remarks>
public interface IRequestRecordProcessor
{
    /// <summary>Processes a batch of records (in arrival order).</summary>
    ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken);

    /// <summary>Flushes buffered work; called on a timer when idle and once at shutdown, after the queue is drained.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
