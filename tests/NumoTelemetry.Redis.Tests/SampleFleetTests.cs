using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Fraud;
using NumoTelemetry.Pseudonymization;
using StackExchange.Redis;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// The issue's fleet test: three hosts of the sample app (separate processes, real Kestrel) behind a round-robin "load
/// balancer", alerts delivered to one webhook receiver: a credential-stuffing run split over them gives exactly one alert
/// when they share Redis, none when they do not.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SampleFleetTests(RedisServer server)
{
    private const string AttackerIp = "203.0.113.99";
    private const int Attempts = 30; // each node sees 10: under MinFailures = MinDistinctAccounts = 20; the fleet sees 30

    [SkippableFact]
    public async Task SampleApp_ThreeHostsSharingRedis_CredentialStuffingSplitRoundRobin_OneAlert()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        Skip.If(SampleNode.SampleDll is null, "the sample app was not built next to this test project");
        var prefix = TestStores.UniquePrefix("sample-fleet");
        var alerts = await RunAsync(redis: server.Configuration, prefix);

        var alert = Assert.Single(alerts);
        Assert.Equal(ReasonCodes.CredentialStuffing, alert.GetProperty("rule").GetString());
        Assert.Equal("ip", alert.GetProperty("subjectKind").GetString());
        Assert.StartsWith("k1.", alert.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Empty(await TestStores.KeysWithoutTtlAsync(server.Configuration));
    }

    [SkippableFact]
    public async Task SampleApp_ThreeHostsWithoutRedis_CredentialStuffingSplitRoundRobin_NoAlert()
    {
        Skip.If(SampleNode.SampleDll is null, "the sample app was not built next to this test project");
        Assert.Empty(await RunAsync(redis: null, prefix: "unused"));
    }

    private async Task<List<JsonElement>> RunAsync(string? redis, string prefix)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["NumoTelemetry:Pseudonymization:Keys:1"] = KeyRing.GenerateKey(), // one key for the fleet: the same pseudonyms
            ["NumoTelemetry:Pipeline:PollInterval"] = "00:00:00.005",
            ["NumoTelemetry:Pipeline:FlushInterval"] = "00:00:00.050",
            ["NumoTelemetry:RequestLog:FileEnabled"] = "false",
            ["NumoTelemetry:RequestLog:LoggerEnabled"] = "false",
            ["NumoTelemetry:Alerts:GroupWait"] = "00:00:00.300",
            ["NumoTelemetry:Alerts:LoggerEnabled"] = "false",
            ["NumoTelemetry:Alerts:Webhook:Url"] = receiver.Url,
            ["NumoTelemetry:Alerts:Webhook:Secret"] = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["NumoTelemetry:Fraud:CredentialStuffing:MinFailures"] = "20",
            ["NumoTelemetry:Fraud:CredentialStuffing:MinDistinctAccounts"] = "20",
        };
        foreach (var detector in new[] { "Burst", "Crawling", "Scanner", "PasswordSpraying", "DistributedStuffing", "AccountBruteForce", "AccountTakeover", "ImpossibleTravel", "SessionHijack", "AccountsPerDevice", "CookieChurn", "RoboticTiming", "RiskFactors" })
        {
            settings["NumoTelemetry:Fraud:" + detector + ":Enabled"] = "false";
        }

        if (redis is not null)
        {
            settings["NumoTelemetry:Redis:Configuration"] = redis;
            settings["NumoTelemetry:Redis:KeyPrefix"] = prefix;
        }

        var starting = new Task<SampleNode>[3];
        for (var i = 0; i < starting.Length; i++)
        {
            starting[i] = SampleNode.StartAsync(settings);
        }

        var nodes = new List<SampleNode>();
        try
        {
            foreach (var start in starting)
            {
                nodes.Add(await start);
            }

            if (redis is not null)
            {
                await WaitForClientsAsync(redis, nodes.Count); // each node connected at start-up, before the run
            }

            for (var i = 0; i < Attempts; i++)
            {
                var node = nodes[i % nodes.Count];
                Assert.Equal(401, await node.FailedLoginAsync(AttackerIp, "victim-" + i));
                await Task.Delay(15); // a paced run: each node's pipeline (5 ms poll) has written its share before the next request
            }

            // Alerts wait GroupWait (300 ms) on each node; give every node time to notify (or to be told it need not).
            await Task.Delay(3000);
            return [.. receiver.Alerts];
        }
        catch (Exception ex) when (nodes.Count > 0 && ex is not SkipException)
        {
            throw new InvalidOperationException("Fleet run failed; first node's output:" + Environment.NewLine + nodes[0].Output, ex);
        }
        finally
        {
            foreach (var start in starting)
            {
                if (start.IsCompletedSuccessfully)
                {
                    await start.Result.DisposeAsync();
                }
            }
        }
    }

    private static async Task WaitForClientsAsync(string redis, int count)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var clients = await mux.GetServers()[0].ClientListAsync();
            if (clients.Count(c => c.Name == "numo-telemetry") >= count)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "every node connected to Redis");
            await Task.Delay(100);
        }
    }

    /// <summary>The fraud team's webhook endpoint: collects every delivered alert.</summary>
    private sealed class WebhookReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private WebhookReceiver(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public ConcurrentQueue<JsonElement> Alerts { get; } = new();

        public static async Task<WebhookReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            WebhookReceiver? receiver = null;
            app.MapPost("/alerts", async (HttpContext context) =>
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body);
                receiver!.Alerts.Enqueue(document.RootElement.Clone());
                return Results.NoContent();
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            receiver = new WebhookReceiver(app, address + "/alerts");
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
