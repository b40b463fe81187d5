using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Capture;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Pipeline;

public class PipelineTests
{
    [Fact]
    public void RecordQueue_Full_RejectsWithoutBlocking()
    {
        var queue = new RecordQueue(4);
        var record = new RequestRecord { StatusCode = 200 };
        for (var i = 0; i < 4; i++)
        {
            Assert.True(queue.TryEnqueue(record));
        }

        Assert.False(queue.TryEnqueue(record));
        var batch = new RequestRecord[8];
        Assert.Equal(4, queue.Drain(batch));
        Assert.True(queue.TryEnqueue(record));
    }

    [Fact]
    public void RecordQueue_ConcurrentProducers_NoLossNoDuplicates()
    {
        var queue = new RecordQueue(1 << 16);
        const int Producers = 4;
        const int PerProducer = 10_000;
        Parallel.For(0, Producers, p =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                Assert.True(queue.TryEnqueue(new RequestRecord { StatusCode = (p * PerProducer) + i }));
            }
        });
        var seen = new bool[Producers * PerProducer];
        var batch = new RequestRecord[1000];
        int n;
        var total = 0;
        while ((n = queue.Drain(batch)) > 0)
        {
            for (var i = 0; i < n; i++)
            {
                Assert.False(seen[batch[i].StatusCode]);
                seen[batch[i].StatusCode] = true;
            }

            total += n;
        }

        Assert.Equal(Producers * PerProducer, total);
    }

    [Theory]
    [InlineData(0, 50)]
    [InlineData(512, 50)]
    [InlineData(1024, 25)]
    [InlineData(3100, 8.258)]
    [InlineData(1_000_000, 1)]
    public void NextPoll_BusySite_PollsOftenEnoughToFindHalfABatch(int found, double expectedMs)
    {
        var next = PipelineService.NextPoll(TimeSpan.FromMilliseconds(50), 1024, found);
        Assert.Equal(expectedMs, next.TotalMilliseconds, 3);
    }

    [Fact]
    public async Task Drain_FailingProcessor_OthersStillRunAndErrorCounted()
    {
        using var meterFactory = new TestMeterFactory();
        var options = Options.Create(new NumoTelemetryOptions());
        var metrics = new NumoTelemetryMetrics(meterFactory, options);
        using var errors = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.errors");
        var queue = new RecordQueue(64);
        var good = new CountingProcessor();
        var service = new PipelineService(queue, [new ThrowingProcessor(), good], metrics, options, NullLogger<PipelineService>.Instance, new FakeTimeProvider());
        for (var i = 0; i < 10; i++)
        {
            queue.TryEnqueue(new RequestRecord { Timestamp = DateTimeOffset.UnixEpoch });
        }

        Assert.Equal(10, await service.DrainOnceAsync(CancellationToken.None));
        Assert.Equal(10, good.Count);
        Assert.Equal(10, service.Processed);
        var measurement = Assert.Single(errors.GetMeasurementSnapshot());
        Assert.Equal("processor", measurement.Tags["numo.stage"]);
    }

    [Fact]
    public async Task Stop_DrainsQueueAndFlushes()
    {
        using var meterFactory = new TestMeterFactory();
        var options = Options.Create(new NumoTelemetryOptions());
        options.Value.Pipeline.BatchSize = 7;
        var metrics = new NumoTelemetryMetrics(meterFactory, options);
        var queue = new RecordQueue(1024);
        var processor = new CountingProcessor();
        var service = new PipelineService(queue, [processor], metrics, options, NullLogger<PipelineService>.Instance, TimeProvider.System);
        for (var i = 0; i < 100; i++)
        {
            queue.TryEnqueue(new RequestRecord { Timestamp = DateTimeOffset.UtcNow });
        }

        await service.StopAsync(CancellationToken.None);
        Assert.Equal(100, processor.Count);
        Assert.True(processor.Flushed);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Stop_BatchInFlight_FinishedForEveryProcessor()
    {
        using var meterFactory = new TestMeterFactory();
        var options = Options.Create(new NumoTelemetryOptions());
        options.Value.Pipeline.PollInterval = TimeSpan.FromMilliseconds(1);
        var metrics = new NumoTelemetryMetrics(meterFactory, options);
        var queue = new RecordQueue(1024);
        var slow = new GatedProcessor();
        var counting = new CountingProcessor();
        using var service = new PipelineService(queue, [slow, counting], metrics, options, NullLogger<PipelineService>.Instance, TimeProvider.System);
        for (var i = 0; i < 10; i++)
        {
            queue.TryEnqueue(new RequestRecord { Timestamp = DateTimeOffset.UtcNow });
        }

        await service.StartAsync(CancellationToken.None);
        await slow.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Stopping begins while the first processor still holds the batch; records queued meanwhile must not be lost either.
        var stop = service.StopAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            queue.TryEnqueue(new RequestRecord { Timestamp = DateTimeOffset.UtcNow });
        }

        slow.Release.SetResult();
        await stop.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(15, counting.Count);
        Assert.Equal(15, slow.Count);
        Assert.Equal(15, service.Processed);
        Assert.True(counting.Flushed);
        Assert.Equal(1, slow.MaxConcurrency);
    }

    [Fact]
    public async Task Stop_ProcessorNeverFinishes_GivesUpAfterShutdownTimeoutAndCountsDrops()
    {
        using var meterFactory = new TestMeterFactory();
        var options = Options.Create(new NumoTelemetryOptions());
        options.Value.Pipeline.ShutdownTimeout = TimeSpan.FromMilliseconds(200);
        var metrics = new NumoTelemetryMetrics(meterFactory, options);
        using var dropped = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.pipeline.records.dropped");
        var queue = new RecordQueue(64);
        var slow = new GatedProcessor();
        using var service = new PipelineService(queue, [slow], metrics, options, NullLogger<PipelineService>.Instance, TimeProvider.System);
        for (var i = 0; i < 3; i++)
        {
            queue.TryEnqueue(new RequestRecord { Timestamp = DateTimeOffset.UtcNow });
        }

        await service.StartAsync(CancellationToken.None);
        await slow.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await service.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, dropped.GetMeasurementSnapshot().Count);
    }

    private sealed class GatedProcessor : IRequestRecordProcessor
    {
        private int _active;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count { get; private set; }

        public int MaxConcurrency { get; private set; }

        public async ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken)
        {
            var active = Interlocked.Increment(ref _active);
            MaxConcurrency = Math.Max(MaxConcurrency, active);
            try
            {
                Entered.TrySetResult();
                await Release.Task.WaitAsync(cancellationToken);
                Count += batch.Length;
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }
    }

    private sealed class ThrowingProcessor : IRequestRecordProcessor
    {
        public ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("broken processor");
    }

    private sealed class CountingProcessor : IRequestRecordProcessor
    {
        public int Count { get; private set; }

        public bool Flushed { get; private set; }

        public ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken)
        {
            Count += batch.Length;
            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            Flushed = true;
            return ValueTask.CompletedTask;
        }
    }

    internal sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var m in _meters)
            {
                m.Dispose();
            }
        }
    }
}
