using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;
using StackExchange.Redis;

namespace NumoTelemetry.Redis.Tests;

/// <summary>Fleet-wide alert claims: batched, asynchronous, and local when Redis cannot answer.</summary>
[Collection(RedisCollection.Name)]
public sealed class AlertDeduplicatorTests(RedisServer server)
{
    [SkippableFact]
    public async Task ClaimAsync_TwoNodes_FirstClaimsEveryAlertOfTheBatchSecondNone()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var prefix = TestStores.UniquePrefix("claim");
        var a = await CreateAsync(prefix, TimeSpan.FromSeconds(2));
        var b = await CreateAsync(prefix, TimeSpan.FromSeconds(2));
        var alerts = Alerts(5);
        var claimed = new bool[8];

        await a.ClaimAsync(alerts, claimed, CancellationToken.None);
        Assert.All(claimed[..5], Assert.True);
        await b.ClaimAsync(alerts, claimed, CancellationToken.None);
        Assert.All(claimed[..5], Assert.False);
        await a.ClaimAsync(alerts, claimed, CancellationToken.None); // the owner keeps sending its groups' updates
        Assert.All(claimed[..5], Assert.True);

        var keys = await TestStores.ScanAsync(server.Configuration, prefix);
        Assert.Equal(5, keys.Count(k => k.Key.StartsWith(prefix + ":alert:ip:k1.", StringComparison.Ordinal) && k.TtlMs > 0));
    }

    [SkippableFact]
    public async Task ClaimAsync_RedisStalled_ReturnsWithoutBlockingThenEveryNodeNotifies()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var dedup = await CreateAsync(TestStores.UniquePrefix("claim-slow"), TimeSpan.FromMilliseconds(300));
        var alerts = Alerts(20);
        var claimed = new bool[20];

        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "1000", "ALL");
        var claiming = dedup.ClaimAsync(alerts, claimed, CancellationToken.None);
        Assert.False(claiming.IsCompleted, "the pipeline thread is not blocked while Redis is slow (one pipelined call, awaited)");
        await claiming;
        Assert.All(claimed, Assert.True); // no answer within the timeout: local de-duplication, every node notifies
        await admin.GetDatabase().PingAsync(); // answers when the pause is over: the next test finds Redis well
    }

    [Fact]
    public async Task ClaimAsync_RedisUnreachable_EveryAlertNotifies()
    {
        var store = TestStores.Create("127.0.0.1:" + RedisServer.FreePort(), TestStores.UniquePrefix("claim-down"), o => o.ConnectTimeout = TimeSpan.FromMilliseconds(200));
        await TestStores.WaitConnectedAsync(store);
        var dedup = new RedisAlertDeduplicator(store.Connection, store, Options.Create(new RedisOptions { Configuration = "x" }), Options.Create(new NumoTelemetryOptions()));
        var claimed = new bool[3];
        await dedup.ClaimAsync(Alerts(3), claimed, CancellationToken.None);
        Assert.All(claimed, Assert.True);
    }

    private async Task<RedisAlertDeduplicator> CreateAsync(string prefix, TimeSpan timeout)
    {
        var store = TestStores.Create(server.Configuration, prefix, o => o.OperationTimeout = timeout);
        await TestStores.WaitConnectedAsync(store);
        Assert.False(store.IsFallingBack);
        return new RedisAlertDeduplicator(store.Connection, store, Options.Create(new RedisOptions { Configuration = server.Configuration, KeyPrefix = prefix, OperationTimeout = timeout }), Options.Create(new NumoTelemetryOptions()));
    }

    private static List<FraudAlert> Alerts(int count)
    {
        var alerts = new List<FraudAlert>();
        for (var i = 0; i < count; i++)
        {
            var subject = TestStores.Subject(Fraud.State.SubjectKind.Ip, 100 + i);
            alerts.Add(new FraudAlert("al_" + i, ReasonCodes.CredentialStuffing, RiskBand.Alert, 90, "ip", subject.ToString(), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 1, [], []));
        }

        return alerts;
    }
}
