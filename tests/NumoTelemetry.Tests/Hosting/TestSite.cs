using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Tests.Hosting;

/// <summary>A real Kestrel host on 127.0.0.1 (free port) with NumoTelemetry, a log collector and a metric-tag recorder.</summary>
internal sealed class TestSite : IAsyncDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<string> _tagValues = [];

    private TestSite(WebApplication app, string dataDirectory)
    {
        App = app;
        DataDirectory = dataDirectory;
    }

    public WebApplication App { get; }

    public string DataDirectory { get; }

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public IReadOnlyList<string> MetricTagValues
    {
        get
        {
            lock (_tagValues)
            {
                return [.. _tagValues];
            }
        }
    }

    public static async Task<TestSite> StartAsync(Action<NumoTelemetryOptions>? configure = null, Action<WebApplication>? map = null, Action<INumoTelemetryBuilder>? addOns = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "numo-test-" + Guid.NewGuid().ToString("N"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");

        // Accept UTF-8 header values, as sites serving non-ASCII clients do, so bad-input tests reach our capture.
        builder.WebHost.ConfigureKestrel(static o => o.RequestHeaderEncodingSelector = static _ => System.Text.Encoding.UTF8);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFakeLogging();
        var numo = builder.Services.AddNumoTelemetry(o =>
        {
            o.Pseudonymization.Keys["1"] = NumoTelemetry.Pseudonymization.KeyRing.GenerateKey();
            o.RequestLog.Directory = Path.Combine(data, "request-log");
            o.RequestLog.LoggerLevel = LogLevel.Information;
            o.Pipeline.PollInterval = TimeSpan.FromMilliseconds(10);
            o.Capture.PhoneNumberHeaders = ["X-MSISDN"];
            configure?.Invoke(o);
        });
        addOns?.Invoke(numo);
        builder.Services.AddRouting();
        var app = builder.Build();
        app.UseNumoTelemetry();
        app.MapGet("/", () => "hello");
        app.MapGet("/items/{id}", (string id) => "item " + id.Length);
        app.MapPost("/login", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            var user = form["username"].ToString();
            if (form["password"] == "right")
            {
                context.NumoSignals().LoginSucceeded(user);
                return Results.Ok();
            }

            context.NumoSignals().LoginFailed(user);
            return Results.Unauthorized();
        });
        app.MapGet("/throws", new Func<string>(() => throw new InvalidOperationException("handler failed")));
        map?.Invoke(app);

        var site = new TestSite(app, data);
        var meterFactory = app.Services.GetRequiredService<IMeterFactory>();
        site._listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == NumoTelemetryMeter.Name && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        site._listener.SetMeasurementEventCallback<double>((_, _, tags, _) => site.Collect(tags));
        site._listener.SetMeasurementEventCallback<long>((_, _, tags, _) => site.Collect(tags));
        site._listener.Start();

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site.BaseAddress = new Uri(address);
        site.Client = new HttpClient { BaseAddress = site.BaseAddress };
        return site;
    }

    private void Collect(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_tagValues)
        {
            foreach (var tag in tags)
            {
                _tagValues.Add(tag.Key + "=" + tag.Value);
            }
        }
    }

    /// <summary>Waits until the pipeline has handed at least <paramref name="count"/> records to the processors.</summary>
    public async Task WaitForRecordsAsync(long count)
    {
        var pipeline = App.Services.GetRequiredService<NumoTelemetry.Pipeline.PipelineService>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (pipeline.Processed < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Only {pipeline.Processed} of {count} records reached the pipeline.");
            }

            await Task.Delay(20);
        }

        await pipeline.FlushAsync(CancellationToken.None);
    }

    public string ReadRequestLog()
    {
        var dir = Path.Combine(DataDirectory, "request-log");
        if (!Directory.Exists(dir))
        {
            return string.Empty;
        }

        var text = new System.Text.StringBuilder();
        foreach (var file in Directory.GetFiles(dir))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            text.Append(reader.ReadToEnd());
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        _listener.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
