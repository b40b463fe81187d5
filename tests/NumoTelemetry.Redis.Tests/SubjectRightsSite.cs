using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// The site of the subject-rights proof: a real Kestrel on 127.0.0.1 configured from an appsettings.json file (the same file
/// <c>numo subject --config</c> reads), with the request log, Redis fraud state and the SQLite dashboard store; its clock can be
/// moved (to write records in past fraud windows and under an older key) and everything it logs is kept as text.
/// </summary>
internal sealed class SubjectRightsSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SubjectRightsSite(WebApplication app, string baseUrl, ShiftedTime time, ConcurrentQueue<string> logs)
    {
        _app = app;
        Time = time;
        Logs = logs;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public ShiftedTime Time { get; }

    /// <summary>Every message the site logged.</summary>
    public ConcurrentQueue<string> Logs { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<SubjectRightsSite> StartAsync(string settingsFile, ShiftedTime time)
    {
        var logs = new ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Path.GetDirectoryName(settingsFile) });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddJsonFile(settingsFile, optional: false);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(new CollectingLoggerProvider(logs));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddNumoTelemetry(builder.Configuration.GetSection("NumoTelemetry"), o =>
        {
            o.Pipeline.PollInterval = TimeSpan.FromMilliseconds(5);
            o.Pipeline.FlushInterval = TimeSpan.FromMilliseconds(50);
            o.Alerts.GroupWait = TimeSpan.FromMilliseconds(200);
            FleetNode.StuffingOnly(o);
        }).AddRedis().AddDashboard();

        var app = builder.Build();
        app.UseNumoTelemetry();
        app.MapGet("/s/page", static () => "ok");
        app.MapGet("/o/page", static () => "ok");
        app.MapGet("/o/during", static () => "ok");
        app.MapPost("/s/login", static (HttpContext context) =>
        {
            context.NumoSignals().LoginFailed(context.Request.Headers["X-Test-User"]);
            return Results.Ok();
        });
        app.MapPost("/o/login", static (HttpContext context) =>
        {
            context.NumoSignals().LoginFailed(context.Request.Headers["X-Test-User"]);
            return Results.Ok();
        });
        app.MapPost("/s/signin", static (HttpContext context) =>
        {
            context.NumoSignals().LoginSucceeded(context.Request.Headers["X-Test-User"]);
            return Results.Ok();
        });
        await app.StartAsync();
        var connection = app.Services.GetRequiredService<RedisConnection>();
        await connection.StartAsync().WaitAsync(TimeSpan.FromSeconds(20));
        for (var i = 0; i < 400 && !connection.IsConnected; i++)
        {
            await Task.Delay(50);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SubjectRightsSite(app, address, time, logs);
    }

    /// <summary>Sends a request as a client at <paramref name="ip"/> (X-Forwarded-For from loopback) with a visitor cookie.</summary>
    public async Task<int> SendAsync(HttpMethod method, string path, string ip, string? visitor, string? user = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (user is not null)
        {
            request.Headers.Add("X-Test-User", user); // not in the URL: the host's own request logs would show it
        }

        request.Headers.Add("X-Forwarded-For", ip);
        if (visitor is not null)
        {
            request.Headers.Add("Cookie", "numo_vid=" + visitor);
        }

        using var response = await Client.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>
    /// Waits until the pipeline has handed at least <paramref name="count"/> records to every processor: each of them dated (a
    /// request without a signal is dated when the pipeline finishes its capture), pseudonymised and judged by the fraud engine.
    /// </summary>
    public async Task WaitForPipelineAsync(long count)
    {
        var pipeline = _app.Services.GetRequiredService<NumoTelemetry.Pipeline.PipelineService>();
        for (var i = 0; i < 600 && pipeline.Processed < count; i++)
        {
            await Task.Delay(50);
        }

        if (pipeline.Processed < count)
        {
            throw new TimeoutException($"the pipeline processed {pipeline.Processed} records, not {count}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// The system clock moved by <see cref="Offset"/> (timers and timestamps stay real). Move it only once the pipeline has
    /// processed every request sent so far (<see cref="WaitForPipelineAsync"/>): the records it takes later are dated and
    /// judged on the moved clock.
    /// </summary>
    internal sealed class ShiftedTime : TimeProvider
    {
        private long _offsetTicks;

        public TimeSpan Offset
        {
            get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
            set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
        }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }

    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(logs, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> logs, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logs.Enqueue($"{category} {eventId.Name}: {formatter(state, exception)} {exception}");
        }
    }
}
