using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using NumoTelemetry.Fraud;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Redis.Tests;

/// <summary>Redis killed mid-run and restarted on the same port, under a real Kestrel node. Has its own redis-server.</summary>
public sealed class FaultTests : IDisposable
{
    private const string AttackerIp = "198.51.100.23";
    private readonly RedisServer _server = new();

    public void Dispose() => _server.Dispose();

    [SkippableFact]
    public async Task RedisKilledMidRun_RequestsServedDetectionLocalThenStateResumes_NoKeyWithoutTtl()
    {
        Skip.IfNot(_server.Available, RedisServer.MissingMessage);
        var key = KeyRing.GenerateKey();
        var prefix = TestStores.UniquePrefix("fault");
        await using var node = await FleetNode.StartAsync(
            "a",
            key,
            _server.Configuration,
            prefix,
            services => services.AddFakeLogging(),
            o =>
            {
                o.BreakDuration = TimeSpan.FromMilliseconds(300);
                o.OperationTimeout = TimeSpan.FromMilliseconds(500);
            });
        var store = node.Services.GetRequiredService<RedisFraudStateStore>();
        var logs = node.Services.GetFakeLogCollector();
        using var fallback = new MetricCollector<int>(node.Services.GetRequiredService<IMeterFactory>(), NumoTelemetryMeter.Name, "numo.redis.fallback");

        // A control node without Redis at all, measured at the same moments under the same machine load.
        await using var control = await FleetNode.StartAsync("control", key, redis: null, prefix);

        // Before: Redis up.
        for (var i = 0; i < 60; i++)
        {
            var (status, _) = await node.PageAsync("192.0.2." + (i % 50));
            Assert.Equal(200, status);
            Assert.Equal(200, (await control.PageAsync("192.0.2." + (i % 50))).Status);
        }

        // On a loaded machine the node's first batches may miss the connect or operation timeout and open the circuit; it
        // only closes again on a later batch, so keep requests coming while waiting (as a live site would).
        await WaitUntilAsync(
            async () =>
            {
                await node.PageAsync("192.0.2.1");
                return ((NumoTelemetry.Fraud.State.InMemoryFraudStateStore)store.LocalView).SubjectCount > 0 && !store.IsFallingBack;
            },
            "the node used Redis",
            TimeSpan.FromSeconds(30));
        var before = logs.GetSnapshot();
        var unavailableBefore = before.Count(r => r.Id.Name == "RedisUnavailable");
        var recoveredBefore = before.Count(r => r.Id.Name == "RedisRecovered");

        // Redis dies (a crash, not a shutdown). Requests go on: page views and a stuffing run this node alone sees whole.
        _server.Kill();
        // Every request goes to both nodes, in alternating order, so both see the same load at the same time.
        var during = new List<double>();
        var controlDuring = new List<double>();
        for (var i = 0; i < 150; i++)
        {
            for (var turn = 0; turn < 2; turn++)
            {
                var target = (i + turn) % 2 == 0 ? node : control;
                var (status, elapsed) = i % 3 == 0
                    ? await target.FailedLoginAsync(AttackerIp, "outage-victim-" + i)
                    : await target.PageAsync("192.0.2." + (i % 50));
                Assert.Equal(200, status);
                (target == node ? during : controlDuring).Add(elapsed.TotalMilliseconds);
            }
        }

        await WaitUntilAsync(() => node.Alerts.All.Any(a => a.Rule == ReasonCodes.CredentialStuffing), "detection continued on local state");
        Assert.True(store.IsFallingBack);
        fallback.RecordObservableInstruments();
        Assert.Equal(1, fallback.LastMeasurement?.Value);
        Assert.Equal(unavailableBefore + 1, logs.GetSnapshot().Count(r => r.Id.Name == "RedisUnavailable"));

        // Latency: the hot path never waits on Redis. A node whose Redis is dead answers like a node that has no Redis at
        // all (p95 within 20 ms), and no request waits for a Redis timeout (500 ms here; at most 2 of 150 may be that slow
        // for reasons of a shared machine, a GC or the scheduler, in both nodes alike).
        var p95During = P95(during);
        var p95Control = P95(controlDuring);
        Assert.True(p95During <= p95Control + 20, $"p95 with Redis dead {p95During:0.0} ms vs {p95Control:0.0} ms on a node without Redis");
        Assert.True(during.Count(ms => ms >= 500) <= 2, $"{during.Count(ms => ms >= 500)} requests took 500 ms or more with Redis dead");

        // Redis returns on the same port, empty (no persistence): the node reconnects and replays what it kept.
        _server.Start();
        await WaitUntilAsync(
            async () =>
            {
                await node.PageAsync("192.0.2.1");
                return !store.IsFallingBack && store.Journaled == 0;
            },
            "the node reconnected and replayed its outage journal",
            TimeSpan.FromSeconds(30));
        fallback.RecordObservableInstruments();
        Assert.Equal(0, fallback.LastMeasurement?.Value);
        var snapshot = logs.GetSnapshot();
        Assert.Equal(unavailableBefore + 1, snapshot.Count(r => r.Id.Name == "RedisUnavailable"));
        Assert.Equal(recoveredBefore + 1, snapshot.Count(r => r.Id.Name == "RedisRecovered"));

        // State resumed: a second node that joins now sees the outage's failures (replayed) and needs two more to detect.
        await using (var other = await FleetNode.StartAsync("b", key, _server.Configuration, prefix))
        {
            await other.FailedLoginAsync(AttackerIp, "late-victim-1");
            await other.FailedLoginAsync(AttackerIp, "late-victim-2");
            await WaitUntilAsync(() => other.Alerts.All.Any(a => a.Rule == ReasonCodes.CredentialStuffing), "node b saw the replayed state");
        }

        Assert.Empty(await TestStores.KeysWithoutTtlAsync(_server.Configuration));
    }

    private static double P95(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Ceiling(sorted.Length * 0.95) - 1];
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, TimeSpan.FromSeconds(30));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting until " + what);
            await Task.Delay(50);
        }
    }
}
