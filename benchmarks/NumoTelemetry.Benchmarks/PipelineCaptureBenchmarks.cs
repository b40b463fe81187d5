using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry;
using NumoTelemetry.Capture;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// The pipeline's share of a request's capture, per record, with warm caches: the request of
/// <see cref="MiddlewareBenchmarks"/> taken off the queue with its capture finished (client IP walk, every pseudonym,
/// User-Agent, language, referrer, risk, request metrics with a listener attached), copied out and its state recycled,
/// against the same queue round trip without the capture.
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
    private readonly RequestRecord[] _batch = new RequestRecord[1];

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNumoTelemetry(o =>
        {
            o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
            o.RequestLog.FileEnabled = false;
            o.RequestLog.LoggerEnabled = false;
            o.Capture.PhoneNumberHeaders = ["X-MSISDN"];
        });
        _services = services.BuildServiceProvider();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "NumoTelemetry")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _listener.Start();

        // One request through the middleware; its unfinished state is the template every operation finishes.
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        var request = context.Request;
        request.Method = "GET";
        request.Scheme = "https";
        request.Protocol = "HTTP/1.1";
        request.Path = "/products/42";
        request.Headers.UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        request.Headers["X-Forwarded-For"] = "198.51.100.23, 127.0.0.1";
        request.Headers.Cookie = ".AspNetCore.Session=CfDJ8Abc123SessionValue; numo_vid=Xy12visitorid; theme=dark";
        request.Headers.AcceptLanguage = "en-GB,en;q=0.9";
        request.Headers.Referer = "https://www.example.org/search?q=shoes";
        RequestDelegate endpoint = c =>
        {
            var feature = c.Features.Get<NumoRequestFeature>()!;
            _record = feature.Record;
            _raw = feature.Raw;
            c.Response.StatusCode = 200;
            return Task.CompletedTask;
        };
        context.SetEndpoint(new RouteEndpoint(endpoint, RoutePatternFactory.Parse("/products/{id:int}"), 0, EndpointMetadataCollection.Empty, "products"));
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

    [Benchmark(Baseline = true)]
    public int QueueRoundTrip() => RoundTrip(_plainQueue);

    [Benchmark]
    public int FinishCapture() => RoundTrip(_queue);

    private int RoundTrip(RecordQueue queue)
    {
        var feature = queue.Rent();
        feature.Record = _record;
        feature.Raw = _raw;
        queue.TryEnqueue(feature);
        return queue.Drain(_batch);
    }
}
