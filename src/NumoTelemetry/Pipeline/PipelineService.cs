using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Capture;
using NumoTelemetry.Internal;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;

namespace NumoTelemetry.Pipeline;

/// <summary>
/// The background consumer: drains the queue in batches and hands each batch to every processor,
/// in registration order. A failing processor is logged and counted; the others still run. At
/// shutdown the loop finishes its in-flight batch, then the queue is drained and every processor
/// flushed, all bounded by <see cref="PipelineOptions.ShutdownTimeout"/>: processors get a token that
/// is cancelled only when that timeout (or the host's own shutdown deadline) expires, never merely
/// because stopping began. Only one drain or flush runs at a time.
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
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _abort;
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
        _abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        metrics.SetQueueDepthSource(() => queue.Count);
    }

    /// <summary>Records handed to processors so far.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>
    /// Runs the consumer on its own thread rather than the thread pool: each poll drains and processes a batch
    /// synchronously for milliseconds, which on a pool thread makes the pool inject workers for the requests (13 instead
    /// of 5 under load here) and costs the site's request threads. Processors that do complete asynchronously are waited
    /// for on this thread; their continuations run on the pool as usual.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(stoppingToken);
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex); // as an async ExecuteAsync would: the host logs it
            }
        })
        {
            IsBackground = true,
            Name = "NumoTelemetry pipeline",
        };
        thread.Start();
        return done.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        // Processors get the abort token, not the stopping token: a batch in flight when stopping begins is finished.
        var abort = _abort.Token;
        _lastFlush = _time.GetUtcNow();
        var found = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var count = Wait(DrainOnceAsync(abort));
                found += count;
                if (count == _batch.Length)
                {
                    continue; // more waiting
                }

                var now = _time.GetUtcNow();
                if (now - _lastFlush >= _options.FlushInterval)
                {
                    Wait(FlushAsync(abort));
                    _lastFlush = now;
                }

                stoppingToken.WaitHandle.WaitOne(NextPoll(_options.PollInterval, _batch.Length, found));
                found = 0;
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Shutdown timed out; StopAsync counts what is left.
        }
    }

    /// <summary>
    /// How long the consumer sleeps after a poll that found <paramref name="found"/> records: the poll interval, or less on
    /// a busy site, so that a poll finds about half a batch. The queue stays shallow under load (fewer records waiting, each
    /// holding its request state, and fresher fraud state), while a quiet site still polls at the interval.
    /// </summary>
    internal static TimeSpan NextPoll(TimeSpan pollInterval, int batchSize, int found)
    {
        var half = Math.Max(1, batchSize / 2);
        if (found <= half)
        {
            return pollInterval;
        }

        return TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, pollInterval.Ticks * half / found));
    }

    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // From now on the processors have ShutdownTimeout (or less, if the host's deadline comes first).
        _abort.CancelAfter(_options.ShutdownTimeout);
        using var hostDeadline = cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort);
        var abort = _abort.Token;

        // Stop the loop; it finishes the batch in flight first. Wait for it (not only for the host's token),
        // so the final drain below never runs next to it.
        await base.StopAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (ExecuteTask is { } loop)
        {
            await loop.WaitAsync(abort).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // Drain what requests already queued, then flush: graceful shutdown loses nothing it can avoid.
        long drained = 0;
        try
        {
            int count;
            while ((count = await DrainOnceAsync(abort).ConfigureAwait(false)) > 0)
            {
                drained += count;
            }

            await FlushAsync(abort).ConfigureAwait(false);
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

    public override void Dispose()
    {
        base.Dispose();
        _abort.Dispose();
        _gate.Dispose();
    }

    /// <summary>Drains one batch and runs the processors over it; returns the batch size.</summary>
    internal async ValueTask<int> DrainOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await DrainCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Flushes every processor; waits for a drain in progress rather than running beside it.</summary>
    internal async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<int> DrainCoreAsync(CancellationToken cancellationToken)
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
        try
        {
            foreach (var processor in _processors)
            {
                try
                {
                    await processor.ProcessAsync(memory, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    for (var i = 0; i < count; i++)
                    {
                        _metrics.RecordDropped("shutdown");
                    }

                    throw;
                }
                catch (Exception ex)
                {
                    _metrics.RecordError("processor");
                    Log.ProcessorFailed(_logger, processor.GetType().Name, count, ex.GetType().Name, ex.Message);
                }
            }
        }
        finally
        {
            Array.Clear(_batch, 0, count);
        }

        Interlocked.Add(ref _processed, count);
        return count;
    }

    private async ValueTask FlushCoreAsync(CancellationToken cancellationToken)
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
