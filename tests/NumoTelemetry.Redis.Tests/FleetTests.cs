using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pseudonymization;
using StackExchange.Redis;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// Three web servers (real Kestrel, each with its own NumoTelemetry and the same pseudonymisation key) behind a round-robin
/// "load balancer": a credential-stuffing run split over them is seen whole through one Redis.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class FleetTests(RedisServer server)
{
    private const string AttackerIp = "203.0.113.77";
    private const int Attempts = 30; // each node sees 10: under MinFailures = MinDistinctAccounts = 20; the fleet sees 30

    [SkippableFact]
    public async Task CredentialStuffing_SplitRoundRobinOverThreeNodesSharingRedis_AlertsExactlyOnce()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var prefix = TestStores.UniquePrefix("fleet");
        var (alerts, suppressed) = await RunAsync(server.Configuration, prefix);

        // Every node that saw the fleet-wide count over the threshold raised the alert; de-duplication let one through.
        var alert = Assert.Single(alerts);
        Assert.True(suppressed >= 1, "the other nodes detected too, and were told another node notifies");
        Assert.Equal(ReasonCodes.CredentialStuffing, alert.Rule);
        Assert.Equal("ip", alert.SubjectKind);
        Assert.StartsWith("k1.", alert.Subject, StringComparison.Ordinal);

        // Every key has a TTL, and no raw value (IP, user name) reached Redis, in a key or a value.
        await using var mux = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var db = mux.GetDatabase();
        var keys = await TestStores.ScanAsync(server.Configuration, prefix);
        Assert.Contains(keys, k => k.Key.StartsWith(prefix + ":alert:ip:k1.", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.Key.EndsWith(":fail.users", StringComparison.Ordinal));
        foreach (var (key, ttl) in keys)
        {
            Assert.True(ttl > 0, $"{key} has TTL {ttl}");
            Assert.DoesNotContain(AttackerIp, key, StringComparison.Ordinal);
            Assert.DoesNotContain("victim-", key, StringComparison.Ordinal);
            var value = Encoding.Latin1.GetString((byte[])(await db.StringGetAsync(key))!);
            Assert.DoesNotContain(AttackerIp, value, StringComparison.Ordinal);
            Assert.DoesNotContain("victim-", value, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task CredentialStuffing_SplitRoundRobinOverThreeNodesWithoutRedis_StaysUnderEveryNodesThreshold()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var (alerts, suppressed) = await RunAsync(redis: null, prefix: "unused");
        Assert.Empty(alerts);
        Assert.Equal(0, suppressed);
    }

    [SkippableFact]
    public async Task Node_SharingRedis_MarksEvidenceInItsLocalViewAndReportsIt()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        await using var node = await FleetNode.StartAsync("node", KeyRing.GenerateKey(), server.Configuration, TestStores.UniquePrefix("view"));
        using var subjects = new MetricCollector<long>(node.Services.GetRequiredService<IMeterFactory>(), NumoTelemetryMeter.Name, "numo.fraud.subjects");
        using var memory = new MetricCollector<long>(node.Services.GetRequiredService<IMeterFactory>(), NumoTelemetryMeter.Name, "numo.fraud.subjects.memory");
        var view = (NumoTelemetry.Fraud.State.InMemoryFraudStateStore)node.Services.GetRequiredService<RedisFraudStateStore>().LocalView;

        // One node sees the whole stuffing run: its verdict's subject (the address) is evidence in the view the node falls
        // back on during an outage, and the fraud gauges report that view (they reported nothing with Redis). The mark made
        // by the verdict itself is tested without a server (DetectorSetTests): here the failed logins make it evidence too.
        for (var i = 0; i < Attempts; i++)
        {
            Assert.Equal(200, (await node.FailedLoginAsync(AttackerIp, "victim-" + i)).Status);
        }

        for (var i = 0; i < 100 && node.Alerts.All.Count == 0; i++)
        {
            await Task.Delay(100);
        }

        var alert = Assert.Single(node.Alerts.All);
        Assert.True(Records.Pseudonym.TryParse(alert.Subject, Records.PseudonymKind.Ip, Records.PseudonymScope.Fraud, out var address));
        var subject = NumoTelemetry.Fraud.State.SubjectKey.From(NumoTelemetry.Fraud.State.SubjectKind.Ip, address);
        Assert.Equal(NumoTelemetry.Fraud.State.EvictionClass.Evidence, view.ClassOf(in subject));

        subjects.RecordObservableInstruments();
        memory.RecordObservableInstruments();
        Assert.True(subjects.LastMeasurement!.Value > 0, "the view's subjects are reported");
        Assert.True(memory.LastMeasurement!.Value > 64 * subjects.LastMeasurement.Value, $"{memory.LastMeasurement.Value} bytes reported");
    }

    private static async Task<(List<Alerts.FraudAlert> Alerts, long Suppressed)> RunAsync(string? redis, string prefix)
    {
        var key = KeyRing.GenerateKey();
        var nodes = new FleetNode[3];
        var dropped = new MetricCollector<long>[3];
        try
        {
            for (var i = 0; i < nodes.Length; i++)
            {
                nodes[i] = await FleetNode.StartAsync("node" + i, key, redis, prefix);
                dropped[i] = new MetricCollector<long>(nodes[i].Services.GetRequiredService<IMeterFactory>(), NumoTelemetryMeter.Name, "numo.alerts.dropped");
            }

            for (var i = 0; i < Attempts; i++)
            {
                var (status, _) = await nodes[i % nodes.Length].FailedLoginAsync(AttackerIp, "victim-" + i);
                Assert.Equal(200, status);
                await Task.Delay(15); // a paced run: each node's pipeline (5 ms poll) has written its share before the next request
            }

            // Alerts wait GroupWait (300 ms) on each node; give every node time to notify (or to be told it need not).
            await Task.Delay(2500);
            var alerts = new List<Alerts.FraudAlert>();
            long suppressed = 0;
            for (var i = 0; i < nodes.Length; i++)
            {
                alerts.AddRange(nodes[i].Alerts.All);
                foreach (var m in dropped[i].GetMeasurementSnapshot())
                {
                    suppressed += Equals(m.Tags["numo.reason"], "fleet_duplicate") ? m.Value : 0;
                }
            }

            return (alerts, suppressed);
        }
        finally
        {
            foreach (var collector in dropped)
            {
                collector?.Dispose();
            }

            foreach (var node in nodes)
            {
                if (node is not null)
                {
                    await node.DisposeAsync();
                }
            }
        }
    }
}
