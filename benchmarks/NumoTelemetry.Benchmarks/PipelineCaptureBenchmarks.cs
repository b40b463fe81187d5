using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// The pipeline's share of a request's capture, per record: a request taken off the queue with its capture finished (client
/// IP walk, every pseudonym, User-Agent, language, referrer, risk, request metrics with a listener attached), copied out and
/// its state recycled, against the same queue round trip without the capture. Records go through in batches of
/// <see cref="Batch"/>, as the pipeline drains them (the drain reads the clock once per batch), and the figures are per record.
/// <see cref="Traffic"/> <c>one</c> repeats the request of <see cref="MiddlewareBenchmarks"/> (warm caches); <c>many</c> takes
/// each request from one of 65,536 distinct clients (own forwarded IP, session and visitor cookies, one of 40 browsers and 320
/// pages, each header a string of its own, as Kestrel makes them on different connections).
/// </summary>
[MemoryDiagnoser]
public class PipelineCaptureBenchmarks
{
    // A site's browsers: desktop and mobile Chrome, Safari, Firefox, Edge, Samsung Internet (40, as the many-clients load test).
    private static readonly string[] ManyUserAgents = Enumerable.Range(0, 40).Select(static i => (i % 5) switch
    {
        0 => $"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{100 + i}.0.0.0 Safari/537.36",
        1 => $"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{10 + i}.1 Safari/605.1.15",
        2 => $"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{100 + i}.0) Gecko/20100101 Firefox/{100 + i}.0",
        3 => $"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{i} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{i} Mobile/15E148 Safari/604.1",
        _ => $"Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S92{i % 10}B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/{20 + i}.0 Chrome/{100 + i}.0.0.0 Mobile Safari/537.36",
    }).ToArray();

    private ServiceProvider _services = null!;
    private MeterListener _listener = null!;
    private RecordQueue _queue = null!;
    private RecordQueue _plainQueue = null!;
    private RequestRecord[] _records = [];
    private RawRequest[] _raws = [];
    private long _start;
    private int _next;
    private const int Batch = 64;
    private const int ManyClients = 65_536;
    private readonly RequestRecord[] _batch = new RequestRecord[Batch];

    /// <summary><c>one</c>: one client's request again and again; <c>many</c>: 65,536 distinct clients.</summary>
    [Params("one", "many")]
    public string Traffic { get; set; } = "one";

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddBenchmarkNumoTelemetry(KeyRing.GenerateKey()).BuildServiceProvider();
        _listener = BenchmarkRequests.StartMetricsListener();

        // Each request through the middleware; its unfinished state is a template an operation finishes.
        var count = Traffic == "many" ? ManyClients : 1;
        _records = new RequestRecord[count];
        _raws = new RawRequest[count];
        var index = 0;
        RequestDelegate endpoint = c =>
        {
            var feature = NumoRequestFeature.Of(c)!;
            _records[index] = feature.Record;
            _raws[index] = feature.Raw;
            _start = feature.StartTimestamp;
            c.Response.StatusCode = 200;
            return Task.CompletedTask;
        };
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(_services, endpoint);
        _queue = _services.GetRequiredService<RecordQueue>();
        for (index = 0; index < count; index++)
        {
            var context = BenchmarkRequests.CreateContext(endpoint);
            if (count > 1)
            {
                var headers = context.Request.Headers;
                headers["X-Forwarded-For"] = $"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}, 127.0.0.1";
                headers.UserAgent = new string(ManyUserAgents[index % ManyUserAgents.Length].AsSpan());
                headers.Cookie = $".AspNetCore.Session=CfDJ8{index:x8}SessionValue; numo_vid=Vx{index:x8}visitor; theme=dark";
                context.Request.Path = $"/products/{index * 7919 % 320}";
            }

            middleware.InvokeAsync(context).GetAwaiter().GetResult();
            ref var record = ref _records[index];
            record.StatusCode = 200;
            record.Route = "/products/{id:int}";
            record.Duration = TimeSpan.FromMilliseconds(3);
            if (!_raws[index].Pending)
            {
                throw new InvalidOperationException("The middleware finished the capture on the request thread; nothing to measure.");
            }

            _queue.Drain(_batch); // the queue never fills; the templates are copies
        }

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
            var next = _next;
            _next = next + 1 == _records.Length ? 0 : next + 1;
            feature.Record = _records[next];
            feature.Raw = _raws[next];
            feature.StartTimestamp = _start;
            queue.TryEnqueue(feature);
        }

        return queue.Drain(_batch);
    }
}
