using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Metrics;

namespace NumoTelemetry.Pipeline;

/// <summary>
/// The background consumer: drains the queue in batches and hands each batch to every processor,
/// in registration order. A failing processor is logged and counted; the others still run. At
/// shutdown the queue is drained (bounded by <see cref="PipelineOptions.ShutdownTimeout"/>) and every
/// processor flushed.
/// </summary>
internal sealed class PipelineService : BackgroundService
{
    private readonly RecordQueue _queue;
    private readonly IRequestRecordProcessor[] _processors;
    private readonly NumoTelemetryMetrics _metrics;
    private readonly ILogger<PipelineService> _logger;
    private readonly TimeProvider _time;
    private readonly PipelineOptions _options;
    private readonly RequestRecord[] _batch;
    private long _processed;
    private DateTimeOffset _lastFlush;

    public PipelineService(
        RecordQueue queue,
        IEnumerable<IRequestRecordProcessor> processors,
        NumoTelemetryMetrics metrics,
        IOptions<NumoTelemetryOptions> options,
        ILogger<PipelineService> logger,
        TimeProvider time)
    {
        _queue = queue;
        _processors = [.. processors];
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _options = options.Value.Pipeline;
        _batch = new RequestRecord[Math.Max(1, _options.BatchSize)];
        metrics.SetQueueDepthSource(() => queue.Count);
    }

    /// <summary>Records handed to processors so far.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _lastFlush = _time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var count = await DrainOnceAsync(stoppingToken).ConfigureAwait(false);
            if (count == _batch.Length)
            {
                continue; // more waiting
            }

            var now = _time.GetUtcNow();
            if (now - _lastFlush >= _options.FlushInterval)
            {
                await FlushAsync(stoppingToken).ConfigureAwait(false);
                _lastFlush = now;
            }

            try
            {
                await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Drain what requests already queued, then flush: graceful shutdown loses nothing it can avoid.
        using var timeout = new CancellationTokenSource(_options.ShutdownTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        long drained = 0;
        try
        {
            int count;
            while ((count = await DrainOnceAsync(linked.Token).ConfigureAwait(false)) > 0)
            {
                drained += count;
            }

            await FlushAsync(linked.Token).ConfigureAwait(false);
            Log.PipelineDrained(_logger, drained);
        }
        catch (OperationCanceledException)
        {
            var left = _queue.Count;
            for (var i = 0; i < left; i++)
            {
                _metrics.RecordDropped("shutdown");
            }

            Log.PipelineDrainTimedOut(_logger, left);
        }
    }

    /// <summary>Drains one batch and runs the processors over it; returns the batch size.</summary>
    internal async ValueTask<int> DrainOnceAsync(CancellationToken cancellationToken)
    {
        var count = _queue.Drain(_batch);
        if (count == 0)
        {
            return 0;
        }

        var now = _time.GetUtcNow();
        for (var i = 0; i < count; i++)
        {
            ref readonly var r = ref _batch[i];
            _metrics.RecordLag(now - (r.Timestamp + r.Duration));
        }

        var memory = new ReadOnlyMemory<RequestRecord>(_batch, 0, count);
        foreach (var processor in _processors)
        {
            try
            {
                await processor.ProcessAsync(memory, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                _metrics.RecordError("processor");
                Log.ProcessorFailed(_logger, processor.GetType().Name, count, ex.GetType().Name, ex.Message);
            }
        }

        Array.Clear(_batch, 0, count);
        Interlocked.Add(ref _processed, count);
        return count;
    }

    internal async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var processor in _processors)
        {
            try
            {
                await processor.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                _metrics.RecordError("processor_flush");
                Log.ProcessorFailed(_logger, processor.GetType().Name, 0, ex.GetType().Name, ex.Message);
            }
        }
    }
}
