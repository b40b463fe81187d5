using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Metrics;
using StackExchange.Redis;

namespace NumoTelemetry.Redis.Tests;

/// <summary>A slow Redis (<c>CLIENT PAUSE</c>): a batch times out but still runs later; its replay must not count it twice.</summary>
[Collection(RedisCollection.Name)]
public sealed class SlowRedisTests(RedisServer server)
{
    [SkippableFact]
    public async Task ApplyAsync_BatchTimedOutButRanLater_ReplayAppliesItOnce()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        using var gauge = new MetricCollector<int>(meters, NumoTelemetryMeter.Name, "numo.redis.fallback");
        using var fallbackBatches = new MetricCollector<long>(meters, NumoTelemetryMeter.Name, "numo.redis.fallback.batches");
        var logs = new FakeLogCollector();
        var store = TestStores.Create(
            server.Configuration,
            TestStores.UniquePrefix("slow"),
            o =>
            {
                o.OperationTimeout = TimeSpan.FromMilliseconds(300);
                o.BreakDuration = TimeSpan.FromMilliseconds(100);
            },
            logger: new FakeLogger<RedisFraudStateStore>(logs),
            meters: meters);
        await TestStores.WaitConnectedAsync(store);
        var subject = TestStores.Subject(SubjectKind.Ip, 42);
        var at = DateTimeOffset.UtcNow;
        var sent = 0;

        await store.ApplyAsync(Increment(subject, at, 1), CancellationToken.None);
        sent++;
        Assert.False(store.IsFallingBack);

        // Redis stalls for 1.5 s: the batch's call times out on this side, waits in the server, and runs when the pause ends.
        // (the admin connection stays open: closing it would wait for the pause to end)
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "1500", "ALL");

        await store.ApplyAsync(Increment(subject, at, 1), CancellationToken.None);
        sent++;
        Assert.True(store.IsFallingBack);
        Assert.Equal(1, store.Journaled);
        gauge.RecordObservableInstruments();
        Assert.Equal(1, gauge.LastMeasurement?.Value);

        await admin.GetDatabase().PingAsync(); // answers when the pause is over
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (store.IsFallingBack || store.Journaled > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the node recovered and replayed its journal");
            await Task.Delay(150);
            await store.ApplyAsync(Increment(subject, at, 1), CancellationToken.None);
            sent++;
        }

        var read = Increment(subject, at, 0);
        await store.ApplyAsync(read, CancellationToken.None);
        Assert.False(store.IsFallingBack);
        Assert.Equal(sent, read.Results[0].Count); // not sent + 1: the timed-out call ran once, its replay changed nothing

        Assert.Equal(1, logs.GetSnapshot().Count(r => r.Id.Name == "RedisUnavailable"));
        Assert.Equal(1, logs.GetSnapshot().Count(r => r.Id.Name == "RedisRecovered"));
        Assert.True(fallbackBatches.GetMeasurementSnapshot().Sum(m => m.Value) >= 1);
        gauge.RecordObservableInstruments();
        Assert.Equal(0, gauge.LastMeasurement?.Value);
    }

    private static FraudStateBatch Increment(SubjectKey subject, DateTimeOffset at, int amount)
    {
        var batch = new FraudStateBatch(4);
        batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = subject, Feature = FraudFeature.LoginFailures, At = at, Window = TimeSpan.FromMinutes(5), Amount = amount });
        return batch;
    }
}
