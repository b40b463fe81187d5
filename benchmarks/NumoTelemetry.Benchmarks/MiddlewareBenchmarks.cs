using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// The request thread's cost: the middleware with everything on (forwarded client IP, User-Agent, cookies, session, visitor,
/// language, referrer, phone header, metrics with a listener attached, record enqueued) against a pass-through middleware,
/// on a reused <see cref="DefaultHttpContext"/> with warm caches. The queue is drained by a consumer that keeps up (it
/// discards the records unfinished): the pipeline's real per-record work (<see cref="PipelineCaptureBenchmarks"/>, then the
/// processors) takes longer than this loop takes to make a record, so with the real pipeline behind it the queue would
/// fill and the benchmark would measure the dropping path instead. The end-to-end load test counts everything. <see cref="NumoTelemetryFleet"/>
/// is the same with fleet mode (<c>AddRedis</c>) against a local redis-server started here: the hot path must be unchanged in time
/// and allocations (requests never touch Redis). Without redis-server on PATH it points fleet mode at a closed port instead (the
/// node then runs on local state, as in an outage) and says so; the hot path is the same either way.
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private ServiceProvider _services = null!;
    private MeterListener _listener = null!;
    private RequestDelegate _passThrough = null!;
    private RequestDelegate _numo = null!;
    private RequestDelegate _passThroughAsync = null!;
    private RequestDelegate _numoAsync = null!;
    private DefaultHttpContext _context = null!;
    private QueueDiscarder _discarder = null!;
    private ServiceProvider _fleetServices = null!;
    private RequestDelegate _fleet = null!;
    private QueueDiscarder _fleetDiscarder = null!;
    private Redis.Tests.RedisServer? _redis;

    [GlobalSetup]
    public void Setup()
    {
        var key = KeyRing.GenerateKey();
        _services = CreateServices(key, redis: null);
        _redis = new Redis.Tests.RedisServer();
        if (!_redis.Available)
        {
            Console.WriteLine(Redis.Tests.RedisServer.MissingMessage + " NumoTelemetryFleet runs against a closed port (local fallback).");
        }

        _fleetServices = CreateServices(key, _redis.Available ? _redis.Configuration : "127.0.0.1:" + Redis.Tests.RedisServer.FreePort());

        _listener = BenchmarkRequests.StartMetricsListener();

        RequestDelegate endpoint = static context =>
        {
            context.Response.StatusCode = 200;
            return Task.CompletedTask;
        };
        _passThrough = context => endpoint(context);
        var middleware = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(_services, endpoint);
        _numo = middleware.InvokeAsync;
        _fleet = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(_fleetServices, endpoint).InvokeAsync;

        // A handler that completes asynchronously (as any handler doing I/O does): the middleware's await path.
        RequestDelegate asyncEndpoint = static async context =>
        {
            await Task.Yield();
            context.Response.StatusCode = 200;
        };
        _passThroughAsync = context => asyncEndpoint(context);
        _numoAsync = ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(_services, asyncEndpoint).InvokeAsync;

        _discarder = new QueueDiscarder(_services.GetRequiredService<RecordQueue>());
        _fleetDiscarder = new QueueDiscarder(_fleetServices.GetRequiredService<RecordQueue>());

        _context = BenchmarkRequests.CreateContext(endpoint);

        // Warm every cache.
        for (var i = 0; i < 1000; i++)
        {
            _numo(_context).GetAwaiter().GetResult();
            _numoAsync(_context).GetAwaiter().GetResult();
            _fleet(_context).GetAwaiter().GetResult();
        }
    }

    private static ServiceProvider CreateServices(string key, string? redis)
    {
        var services = new ServiceCollection();
        services.AddSingleton(new RecordQueue(1 << 16)); // no capturer: QueueDiscarder drains it without finishing captures
        services.AddBenchmarkNumoTelemetry(key, numo =>
        {
            if (redis is not null)
            {
                numo.AddRedis(o =>
                {
                    o.Configuration = redis;
                    o.KeyPrefix = "numo:bench:middleware";
                });
            }
        });
        return services.BuildServiceProvider();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _discarder.Dispose();
        _fleetDiscarder.Dispose();
        _listener.Dispose();
        _services.Dispose();
        _fleetServices.Dispose();
        _redis?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task PassThrough() => _passThrough(_context);

    [Benchmark]
    public Task NumoTelemetry() => _numo(_context);

    /// <summary>Pass-through around a handler that completes asynchronously (compare with <see cref="NumoTelemetryAsyncHandler"/>).</summary>
    [Benchmark]
    public Task PassThroughAsyncHandler() => _passThroughAsync(_context);

    /// <summary>The middleware around a handler that completes asynchronously: includes the await path's state machine.</summary>
    [Benchmark]
    public Task NumoTelemetryAsyncHandler() => _numoAsync(_context);
    /// <summary>The same with fleet mode (<c>AddRedis</c>): compare with <see cref="NumoTelemetry"/> (time and allocated bytes).</summary>
    [Benchmark]
    public Task NumoTelemetryFleet() => _fleet(_context);

    /// <summary>
    /// A consumer that keeps the queue from filling: drains and discards, sleeping 1 ms when it finds nothing. Up to a few
    /// thousand records wait between its drains, each holding a request state; the pool of request states is grown to that
    /// high-water mark first (a site's pool grows to its own once), so that a longer sleep than usual during a measurement
    /// does not show up as allocation by the middleware.
    /// </summary>
    private sealed class QueueDiscarder : IDisposable
    {
        private const int PoolHighWaterMark = 16_384;
        private readonly Thread _thread;
        private volatile bool _stop;

        public QueueDiscarder(RecordQueue queue)
        {
            var states = new NumoRequestFeature[PoolHighWaterMark];
            for (var i = 0; i < states.Length; i++)
            {
                states[i] = queue.Rent();
            }

            foreach (var state in states)
            {
                queue.Return(state);
            }

            _thread = new Thread(() =>
            {
                var batch = new RequestRecord[1024];
                while (!_stop)
                {
                    if (queue.Drain(batch) == 0)
                    {
                        Thread.Sleep(1);
                    }
                }
            })
            { IsBackground = true, Name = "queue discarder" };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}
