using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Metrics;

namespace NumoTelemetry.Redis.Tests;

/// <summary>A Redis that is not there at all (a port nobody listens on): no redis-server needed.</summary>
public sealed class FallbackTests
{
    [Fact]
    public async Task ApplyAsync_RedisUnreachable_LocalResultsOneLogLineMetricsAndJournal()
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        using var gauge = new MetricCollector<int>(meters, NumoTelemetryMeter.Name, "numo.redis.fallback");
        using var batches = new MetricCollector<long>(meters, NumoTelemetryMeter.Name, "numo.redis.fallback.batches");
        using var outages = new MetricCollector<long>(meters, NumoTelemetryMeter.Name, "numo.redis.outages");
        var collector = new FakeLogCollector();
        var logger = new FakeLogger<RedisFraudStateStore>(collector);
        var store = TestStores.Create(
            "127.0.0.1:" + RedisServer.FreePort(),
            TestStores.UniquePrefix("down"),
            o =>
            {
                o.ConnectTimeout = TimeSpan.FromMilliseconds(200);
                o.BreakDuration = TimeSpan.FromMilliseconds(100);
                o.ReplayCapacity = 30;
            },
            logger: logger,
            meters: meters);

        var subject = TestStores.Subject(SubjectKind.Ip, 1);
        var at = DateTimeOffset.UtcNow;
        for (var i = 1; i <= 20; i++)
        {
            var batch = new FraudStateBatch(16);
            batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = subject, Feature = FraudFeature.Requests, At = at, Window = TimeSpan.FromMinutes(1), Amount = 1 });
            batch.Add(new StateOperation { Kind = StateOperationKind.AddScore, Subject = subject, Feature = FraudFeature.Score, At = at, Window = TimeSpan.FromMinutes(1), Reason = "burst", Points = 40 });
            await store.ApplyAsync(batch, CancellationToken.None);
            Assert.Equal(i, batch.Results[0].Count); // the local store answers
            Assert.Equal(40, batch.Results[1].Score);
            if (i == 10)
            {
                await Task.Delay(150); // past the break: one more (failing, cheap) try
            }
        }

        Assert.True(store.IsFallingBack);
        Assert.Equal(1, collector.GetSnapshot().Count(r => r.Id.Name == "RedisUnavailable"));
        Assert.All(collector.GetSnapshot(), r => Assert.Equal(LogLevel.Warning, r.Level));
        gauge.RecordObservableInstruments();
        Assert.Equal(1, gauge.LastMeasurement?.Value);
        Assert.Equal(20, batches.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, outages.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(30, store.Journaled); // bounded: the oldest 10 of 40 operations were dropped
        Assert.Equal(10, store.DroppedTotal);
    }
}
