using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>The signed webhook against a real HTTP receiver (Kestrel on 127.0.0.1, a free port).</summary>
public sealed class WebhookAlertSinkTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<int> _answers = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private WebApplication? _receiver;
    private Uri? _url;
    private TimeSpan _delay;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            _received.Enqueue(new Received(
                context.Request.Headers["webhook-id"].ToString(),
                context.Request.Headers["webhook-timestamp"].ToString(),
                context.Request.Headers["webhook-signature"].ToString(),
                body.ToArray()));
            if (_delay > TimeSpan.Zero)
            {
                await Task.Delay(_delay);
            }

            return Results.StatusCode(_answers.TryDequeue(out var status) ? status : 204);
        });
        await _receiver.StartAsync();
        var address = _receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _url = new Uri(address + "/hook");
    }

    public async Task DisposeAsync()
    {
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        await _services.DisposeAsync();
    }

    private WebhookAlertSink CreateSink(string secret, Action<WebhookOptions>? configure = null)
    {
        var options = new NumoTelemetryOptions();
        options.Alerts.Webhook.Url = _url;
        options.Alerts.Webhook.Secret = secret;
        options.Alerts.Webhook.InitialBackoff = TimeSpan.FromMilliseconds(20);
        options.Alerts.Webhook.MaxBackoff = TimeSpan.FromMilliseconds(100);
        configure?.Invoke(options.Alerts.Webhook);
        return new WebhookAlertSink(Microsoft.Extensions.Options.Options.Create(options), new FraudMetrics(_services.GetRequiredService<IMeterFactory>()), NullLoggerFactory.Instance, TimeProvider.System);
    }

    private static FraudAlert Alert(string id = "al_test") => new(
        id, ReasonCodes.CredentialStuffing, RiskBand.Page, 96.5, "ip", "k1.q83vEjRWeJCrze8SNFZ4kA",
        new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 2, 6, 20, 0, TimeSpan.Zero), 219,
        [new FraudReason(ReasonCodes.CredentialStuffing, 96.5)], [new KeyValuePair<string, object>("failedLogins", 228.0)]);

    private async Task<Received[]> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (_received.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return [.. _received];
    }

    [Fact]
    public async Task Publish_Alert_PostsJsonSignedPerStandardWebhooks()
    {
        var secret = StandardWebhookSigner.NewSecret();
        await using var sink = CreateSink(secret);
        var alert = Alert();
        sink.Publish(alert);
        var received = Assert.Single(await WaitForAsync(1));

        Assert.Equal(alert.ToJson(), Encoding.UTF8.GetString(received.Body));
        Assert.Equal("al_test_1", received.Id);
        var timestamp = long.Parse(received.Timestamp, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);

        // Verify as a receiver would, from the spec: base64(HMAC-SHA256(base64-decoded secret, id.timestamp.body)).
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{received.Id}.{received.Timestamp}.").Concat(received.Body).ToArray();
        Assert.Equal("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed)), received.Signature);
    }

    [Fact]
    public async Task Publish_ReceiverFailsTwice_RetriesWithTheSameMessageIdThenSucceeds()
    {
        _answers.Enqueue(503);
        _answers.Enqueue(500);
        await using var sink = CreateSink(StandardWebhookSigner.NewSecret());
        sink.Publish(Alert());
        var received = await WaitForAsync(3);
        Assert.Equal(3, received.Length);
        Assert.All(received, r => Assert.Equal("al_test_1", r.Id));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (sink.Delivered == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, sink.Delivered);
    }

    [Fact]
    public async Task Publish_ReceiverAnswers410_DisablesTheWebhook()
    {
        _answers.Enqueue(410);
        using var collector = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), "NumoTelemetry", "numo.alerts.dropped");
        await using var sink = CreateSink(StandardWebhookSigner.NewSecret());
        sink.Publish(Alert("al_one"));
        await WaitForAsync(1);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!sink.IsGone && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(sink.IsGone);
        sink.Publish(Alert("al_two"));
        await Task.Delay(200);
        Assert.Single(_received);
        Assert.Contains(collector.GetMeasurementSnapshot(), m => (string?)m.Tags["numo.reason"] == "webhook_gone");
    }

    [Fact]
    public async Task Publish_QueueFull_DropsNewAlertsAndCountsThem()
    {
        _delay = TimeSpan.FromMilliseconds(500);
        using var collector = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), "NumoTelemetry", "numo.alerts.dropped");
        await using var sink = CreateSink(StandardWebhookSigner.NewSecret(), w => w.QueueSize = 1);
        for (var i = 0; i < 10; i++)
        {
            sink.Publish(Alert($"al_{i}"));
        }

        Assert.True(collector.GetMeasurementSnapshot().Count(m => (string?)m.Tags["numo.reason"] == "webhook_queue_full") >= 7);
        await WaitForAsync(2, TimeSpan.FromSeconds(3));
        Assert.InRange(_received.Count, 1, 3);
    }

    [Fact]
    public void Backoff_GrowsExponentiallyWithJitterAndIsCapped()
    {
        using var sink = CreateSink(StandardWebhookSigner.NewSecret(), w =>
        {
            w.InitialBackoff = TimeSpan.FromSeconds(2);
            w.MaxBackoff = TimeSpan.FromSeconds(30);
        });
        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(sink.Backoff(1, null), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
            Assert.InRange(sink.Backoff(3, null), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8));
            Assert.InRange(sink.Backoff(10, null), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));
            Assert.Equal(TimeSpan.FromSeconds(30), sink.Backoff(1, TimeSpan.FromMinutes(10)));
        }
    }

    private sealed record Received(string Id, string Timestamp, string Signature, byte[] Body);
}
