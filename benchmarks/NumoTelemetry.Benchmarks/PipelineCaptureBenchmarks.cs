using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// The pipeline's share of a request's capture, per record, with warm caches: the request of
/// <see cref="MiddlewareBenchmarks"/> taken off the queue with its capture finished (client IP walk, every pseudonym,
/// User-Agent, language, referrer, risk, request metrics with a listener attached), copied out and its state recycled,
/// against the same queue round trip without the capture. Records go through in batches of <see cref="Batch"/>, as the
/// pipeline drains them (the drain reads the clock once per batch), and the figures are per record.
/// </summary>
[MemoryDiagnoser]
public class PipelineCaptureBenchmarks
{
    private ServiceProvider _services = null!;
    private MeterListener _listener = null!;
    private RecordQueue _queue = null!;
    private RecordQueue _plainQueue = null!;
    private RequestRecord _record;
    private RawRequest _raw;
    private long _start;
    private const int Batch = 64;
    private readonly RequestRecord[] _batch = new RequestRecord[Batch];

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddBenchmarkNumoTelemetry(KeyRing.GenerateKey()).BuildServiceProvider();
        _listener = BenchmarkRequests.StartMetricsListener();

        // One request through the middleware; its unfinished state is the template every operation finishes.
        RequestDelegate endpoint = c =>
        {
            var feature = NumoRequestFeature.Of(c)!;
            _record = feature.Record;
            _raw = feature.Raw;
            _start = feature.StartTimestamp;
            c.Response.StatusCode = 200;
            return Task.CompletedTask;
        };
        var context = BenchmarkRequests.CreateContext(endpoint);
        ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(_services, endpoint).InvokeAsync(context).GetAwaiter().GetResult();
        _record.StatusCode = 200;
        _record.Route = "/products/{id:int}";
        _record.Duration = TimeSpan.FromMilliseconds(3);
        if (!_raw.Pending)
        {
            throw new InvalidOperationException("The middleware finished the capture on the request thread; nothing to measure.");
        }

        _queue = _services.GetRequiredService<RecordQueue>();
        _plainQueue = new RecordQueue(1024);
        for (var i = 0; i < 1000; i++)
        {
            FinishCapture();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int QueueRoundTrip() => RoundTrip(_plainQueue);

    [Benchmark(OperationsPerInvoke = Batch)]
    public int FinishCapture() => RoundTrip(_queue);

    private int RoundTrip(RecordQueue queue)
    {
        for (var i = 0; i < Batch; i++)
        {
            var feature = queue.Rent();
            feature.Record = _record;
            feature.Raw = _raw;
            feature.StartTimestamp = _start;
            queue.TryEnqueue(feature);
        }

        return queue.Drain(_batch);
    }
}
