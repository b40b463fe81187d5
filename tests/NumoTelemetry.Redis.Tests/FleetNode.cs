using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Alerts;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// One web server of a fleet: a real Kestrel on 127.0.0.1 and a free port with its own NumoTelemetry services, a small login
/// endpoint that reports failed logins through the signals API, and an alert sink that collects what the fraud team would get.
/// </summary>
internal sealed class FleetNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FleetNode(WebApplication app, string name, string baseUrl)
    {
        _app = app;
        Name = name;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Name { get; }

    public HttpClient Client { get; }

    public CollectingAlertSink Alerts => _app.Services.GetRequiredService<CollectingAlertSink>();

    public IServiceProvider Services => _app.Services;

    /// <summary>The fraud thresholds of these tests: the whole run (30 failures, 30 accounts) exceeds them, a third of it does not.</summary>
    public static void StuffingOnly(NumoTelemetryOptions o)
    {
        var f = o.Fraud;
        f.Burst.Enabled = false;
        f.Crawling.Enabled = false;
        f.Scanner.Enabled = false;
        f.PasswordSpraying.Enabled = false;
        f.DistributedStuffing.Enabled = false;
        f.AccountBruteForce.Enabled = false;
        f.AccountTakeover.Enabled = false;
        f.ImpossibleTravel.Enabled = false;
        f.SessionHijack.Enabled = false;
        f.AccountsPerDevice.Enabled = false;
        f.CookieChurn.Enabled = false;
        f.RoboticTiming.Enabled = false;
        f.RiskFactors.Enabled = false;
        f.CredentialStuffing.MinFailures = 20;
        f.CredentialStuffing.MinDistinctAccounts = 20;
    }

    public static async Task<FleetNode> StartAsync(string name, string key, string? redis, string prefix, Action<IServiceCollection>? services = null, Action<RedisOptions>? redisOptions = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var numo = builder.Services.AddNumoTelemetry(o =>
        {
            o.Pseudonymization.Keys["1"] = key;
            o.Pipeline.PollInterval = TimeSpan.FromMilliseconds(5);
            o.Pipeline.FlushInterval = TimeSpan.FromMilliseconds(50);
            o.RequestLog.LoggerEnabled = false;
            o.RequestLog.FileEnabled = false;
            o.Alerts.GroupWait = TimeSpan.FromMilliseconds(300);
            o.Alerts.LoggerEnabled = false;
            StuffingOnly(o);
        });
        if (redis is not null)
        {
            numo.AddRedis(o =>
            {
                o.Configuration = redis;
                o.KeyPrefix = prefix;
                redisOptions?.Invoke(o);
            });
        }

        builder.Services.AddSingleton<CollectingAlertSink>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSink, CollectingAlertSink>(static sp => sp.GetRequiredService<CollectingAlertSink>()));
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseNumoTelemetry();
        app.MapGet("/", static () => "ok");
        app.MapPost("/login", static (HttpContext context, string user) =>
        {
            context.NumoSignals().LoginFailed(user); // a real site checks the password first; here every attempt fails
            return Results.Ok();
        });
        await app.StartAsync();
        if (redis is not null)
        {
            // A node in a test starts its run once connected (in production the first batches would go local and be replayed).
            var connection = app.Services.GetRequiredService<RedisConnection>();
            await connection.StartAsync().WaitAsync(TimeSpan.FromSeconds(20));
            for (var i = 0; i < 400 && !connection.IsConnected; i++)
            {
                await Task.Delay(50);
            }
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FleetNode(app, name, address);
    }

    /// <summary>A failed login for <paramref name="user"/> from <paramref name="clientIp"/> (X-Forwarded-For from loopback, a trusted proxy).</summary>
    public async Task<(int Status, TimeSpan Elapsed)> FailedLoginAsync(string clientIp, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/login?user=" + Uri.EscapeDataString(user));
        request.Headers.Add("X-Forwarded-For", clientIp);
        return await SendAsync(request);
    }

    public async Task<(int Status, TimeSpan Elapsed)> PageAsync(string clientIp)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Forwarded-For", clientIp);
        return await SendAsync(request);
    }

    private async Task<(int Status, TimeSpan Elapsed)> SendAsync(HttpRequestMessage request)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await Client.SendAsync(request);
        return ((int)response.StatusCode, Stopwatch.GetElapsedTime(started));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
