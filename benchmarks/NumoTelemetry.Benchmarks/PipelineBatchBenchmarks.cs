using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Capture;
using NumoTelemetry.Hosting;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// The pipeline thread's work per record, end to end, over a batch of 512 requests from 2,000 clients (signed visitor cookies,
/// five browsers, 300 pages, 1 in 20 a login, 1 in 50 a 404): the queue drained with each capture finished (pseudonyms,
/// User-Agent, risk, request metrics with a listener attached), then, in <see cref="DrainAndProcess"/>, every processor (fraud,
/// request log to a JSON-lines file). The difference from the baseline is the processors' cost per record.
/// </summary>
/// <remarks>
/// The requests go through the middleware once at set-up; each operation re-queues their unfinished state with a fresh start
/// timestamp, so record time moves on as in production. The request-log files are deleted after each iteration (the open one
/// is unlinked, and freed when it is rotated at 64 MiB), so a run does not fill the disk.
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(256)] // 131,072 records an iteration; stated, because the iteration clean-up would otherwise make it 1
public class PipelineBatchBenchmarks
{
    private const int Batch = 512;
    private const int Clients = 2_000;
    private const int Templates = 4_096;

    private static readonly string[] s_userAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    ];

    private readonly RequestRecord[] _templates = new RequestRecord[Templates];
    private readonly RawRequest[] _raw = new RawRequest[Templates];
    private readonly RequestRecord[] _batch = new RequestRecord[Batch];
    private ServiceProvider _services = null!;
    private MeterListener _listener = null!;
    private RecordQueue _queue = null!;
    private IRequestRecordProcessor[] _processors = null!;
    private string _directory = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "numo-bench-log-" + Environment.ProcessId);
        var services = new ServiceCollection().AddLogging();
        services.AddNumoTelemetry(o =>
        {
            o.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
            o.RequestLog.Directory = _directory;
            o.RequestLog.LoggerEnabled = false;
            o.RequestLog.MaxFileBytes = 64L * 1024 * 1024;
            o.Capture.PhoneNumberHeaders = ["X-MSISDN"];
            o.Capture.PhoneNumberTrustedNetworks = ["0.0.0.0/0"]; // every client reaches the site through a carrier gateway
        });
        _services = services.BuildServiceProvider();
        _listener = BenchmarkRequests.StartMetricsListener();
        _queue = _services.GetRequiredService<RecordQueue>();
        _processors = [.. _services.GetServices<IRequestRecordProcessor>()];

        // Cookies this site issued (the same key ring signs and verifies), so visitors are returning ones.
        var signer = new VisitorCookieSigner(_services.GetRequiredService<KeyRing>());
        var cookies = new string[Clients];
        for (var c = 0; c < Clients; c++)
        {
            cookies[c] = signer.Issue(DateTimeOffset.UtcNow);
        }

        var random = new Random(1);
        var pattern = RoutePatternFactory.Parse("/products/{id:int}");
        for (var i = 0; i < Templates; i++)
        {
            var client = random.Next(Clients);
            var index = i;
            var signal = random.Next(20) == 0 ? (random.Next(10) == 0 ? SignalKind.LoginFailed : SignalKind.LoginSucceeded) : SignalKind.None;
            var status = random.Next(50) == 0 ? 404 : 200;
            RequestDelegate endpoint = c =>
            {
                if (signal == SignalKind.LoginFailed)
                {
                    c.NumoSignals().LoginFailed("u" + client);
                }
                else if (signal == SignalKind.LoginSucceeded)
                {
                    c.NumoSignals().LoginSucceeded("u" + client);
                }

                var feature = NumoRequestFeature.Of(c)!;
                _templates[index] = feature.Record;
                _raw[index] = feature.Raw;
                c.Response.StatusCode = status;
                return Task.CompletedTask;
            };
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = IPAddress.Loopback;
            var request = context.Request;
            request.Method = "GET";
            request.Scheme = "https";
            request.Protocol = "HTTP/1.1";
            request.Path = "/products/" + random.Next(300);
            request.Headers.UserAgent = s_userAgents[client % s_userAgents.Length];
            request.Headers["X-Forwarded-For"] = $"81.{client >> 8}.{client & 0xFF}.7, 127.0.0.1";
            request.Headers.Cookie = $".AspNetCore.Session=CfDJ8Abc{client}SessionValue; numo_vid={cookies[client]}; theme=dark";
            request.Headers.AcceptLanguage = "en-GB,en;q=0.9";
            request.Headers.Referer = "https://www.example.org/search?q=shoes";
            context.SetEndpoint(new RouteEndpoint(endpoint, pattern, 0, EndpointMetadataCollection.Empty, "products"));
            ActivatorUtilities.CreateInstance<NumoTelemetryMiddleware>(_services, endpoint).InvokeAsync(context).GetAwaiter().GetResult();
            _templates[index].StatusCode = status;
            _templates[index].Route = "/products/{id:int}";
            _templates[index].Duration = TimeSpan.FromMilliseconds(1);
            if (!_raw[index].Pending)
            {
                throw new InvalidOperationException("The middleware finished the capture on the request thread; nothing to measure.");
            }
        }

        while (_queue.Drain(_batch) > 0)
        {
            // the set-up requests themselves
        }

        for (var i = 0; i < 200; i++)
        {
            DrainAndProcess();
        }
    }

    [IterationCleanup]
    public void DeleteLogFiles()
    {
        foreach (var file in Directory.EnumerateFiles(_directory))
        {
            File.Delete(file);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener.Dispose();
        _services.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The batch queued and drained, each capture finished; no processor.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int DrainOnly() => Fill();

    /// <summary>The same, then the batch through every processor (fraud, request log).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int DrainAndProcess()
    {
        var count = Fill();
        var records = new ReadOnlyMemory<RequestRecord>(_batch, 0, count);
        foreach (var processor in _processors)
        {
            processor.ProcessAsync(records, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return count;
    }

    private int Fill()
    {
        var now = Stopwatch.GetTimestamp();
        for (var i = 0; i < Batch; i++)
        {
            var k = _next++ & (Templates - 1);
            var feature = _queue.Rent();
            feature.Record = _templates[k];
            feature.Raw = _raw[k];
            feature.StartTimestamp = now;
            _queue.TryEnqueue(feature);
        }

        return _queue.Drain(_batch);
    }
}
