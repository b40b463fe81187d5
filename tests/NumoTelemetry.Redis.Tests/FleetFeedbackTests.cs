using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Fraud;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using StackExchange.Redis;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// The fraud team's lists in a fleet: two web servers (real Kestrel) sharing a real Redis; an allow entry made on one lifts
/// enforcement on the other as soon as it is told (pub/sub), entries survive a node's restart, and Redis holds pseudonyms only.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class FleetFeedbackTests(RedisServer server)
{
    private const string AttackerIp = "203.0.113.91";

    private static void Block(IServiceCollection services) =>
        services.PostConfigure<NumoTelemetryOptions>(o =>
        {
            o.Enforcement.Mode = EnforcementMode.Block;
            o.Enforcement.MinimumBand = RiskBand.Alert;
            o.Fraud.AccountRiskShare = 0;
        });

    private static async Task<FleetNode> StartAsync(string name, string key, string redis, string prefix)
    {
        var node = await FleetNode.StartAsync(name, key, redis, prefix, Block);
        var lists = node.Services.GetRequiredService<RedisFraudLists>();
        _ = node.Services.GetRequiredService<IFraudFeedback>(); // attaches the lists (the pipeline has resolved it already)
        await lists.Ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
        return node;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 400; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException(what);
    }

    [SkippableFact]
    public async Task MarkFalsePositiveOnNodeA_AttackerBlockedOnNodeB_IsServedByNodeBOnceToldAndRedisHoldsNoRawValue()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var prefix = TestStores.UniquePrefix("feedback");
        var key = KeyRing.GenerateKey();
        await using var a = await StartAsync("a", key, server.Configuration, prefix);
        await using var b = await StartAsync("b", key, server.Configuration, prefix);

        // The run goes to node A; the fleet's score reaches node B with the attacker's next requests there.
        for (var i = 0; i < 30; i++)
        {
            await a.FailedLoginAsync(AttackerIp, "canary-victim-" + i);
            await Task.Delay(5);
        }

        await UntilAsync(async () => (await b.PageAsync(AttackerIp)).Status == 429, "node B never blocked the attacker");
        await UntilAsync(() => Task.FromResult(a.Alerts.All.Any(x => x.Rule == ReasonCodes.CredentialStuffing)), "no alert on node A");
        var alert = a.Alerts.All.First(x => x.Rule == ReasonCodes.CredentialStuffing);

        var entry = await a.Services.GetRequiredService<IFraudFeedback>().MarkAsync(FraudVerdict.FalsePositive, SubjectKind.Ip, alert.Subject, alert.Rule, by: "ada");

        // Node B is told at once (pub/sub); from then on its very next request is served.
        var feedbackB = b.Services.GetRequiredService<IFraudFeedback>();
        await UntilAsync(() => Task.FromResult(feedbackB.GetEntries().Any(e => e.Id == entry!.Id)), "node B was never told");
        Assert.Equal(200, (await b.PageAsync(AttackerIp)).Status);
        Assert.Equal(200, (await a.PageAsync(AttackerIp)).Status);

        // The attack goes on on node B: still served, no new points.
        for (var i = 0; i < 30; i++)
        {
            await b.FailedLoginAsync(AttackerIp, "canary-victim-again-" + i);
        }

        await Task.Delay(300);
        Assert.Equal(200, (await b.PageAsync(AttackerIp)).Status);

        // Redis holds the entry by pseudonym; no raw IP or user name.
        await using var mux = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var stored = await mux.GetDatabase().HashGetAllAsync(prefix + ":lists");
        var json = Encoding.UTF8.GetString((byte[])Assert.Single(stored).Value!);
        Assert.Contains(alert.Subject, json, StringComparison.Ordinal);
        Assert.DoesNotContain(AttackerIp, json, StringComparison.Ordinal);
        Assert.DoesNotContain("canary-victim", json, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AddAndRemove_DenyOnNodeA_BlocksAndLiftsOnNodeBAndSurvivesARestart()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var prefix = TestStores.UniquePrefix("feedback");
        var key = KeyRing.GenerateKey();
        await using var a = await StartAsync("a", key, server.Configuration, prefix);
        var b = await StartAsync("b", key, server.Configuration, prefix);
        try
        {
            Assert.Equal(200, (await b.PageAsync(AttackerIp)).Status);
            var pseudonymizer = a.Services.GetRequiredService<Pseudonymizer>();
            NumoTelemetry.Records.ClientAddress.TryParse(AttackerIp, out var address);
            var ip = pseudonymizer.PseudonymizeAddress(address, PseudonymKind.Ip, DateTimeOffset.UtcNow).ToString();
            var feedbackA = a.Services.GetRequiredService<IFraudFeedback>();
            var entry = await feedbackA.AddAsync(new FraudListEntry { List = FraudListKind.Deny, SubjectKind = SubjectKind.Ip, Subject = ip, Expires = DateTimeOffset.UtcNow.AddHours(1) });

            var feedbackB = b.Services.GetRequiredService<IFraudFeedback>();
            await UntilAsync(() => Task.FromResult(feedbackB.GetEntries().Count == 1), "node B was never told");
            Assert.Equal(429, (await b.PageAsync(AttackerIp)).Status);

            // Node B restarts: it loads the fleet's lists from Redis.
            await b.DisposeAsync();
            b = await StartAsync("b2", key, server.Configuration, prefix);
            var restored = Assert.Single(b.Services.GetRequiredService<IFraudFeedback>().GetEntries());
            Assert.Equal(entry.Id, restored.Id);
            Assert.Equal(entry.Expires!.Value.ToUnixTimeMilliseconds(), restored.Expires!.Value.ToUnixTimeMilliseconds());
            Assert.Equal(429, (await b.PageAsync(AttackerIp)).Status);

            Assert.True(await feedbackA.RemoveAsync(entry.Id));
            var feedbackB2 = b.Services.GetRequiredService<IFraudFeedback>();
            await UntilAsync(() => Task.FromResult(feedbackB2.GetEntries().Count == 0), "node B was never told of the removal");
            Assert.Equal(200, (await b.PageAsync(AttackerIp)).Status);
        }
        finally
        {
            await b.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task LoadAsync_EntriesReplayedOnTwoNodes_StoredOnce()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        var prefix = TestStores.UniquePrefix("feedback");
        var key = KeyRing.GenerateKey();
        await using var a = await StartAsync("a", key, server.Configuration, prefix);
        await using var b = await StartAsync("b", key, server.Configuration, prefix);
        var entry = new FraudListEntry { Id = "fl_replayed", SubjectKind = SubjectKind.Asn, Subject = "64500", Created = DateTimeOffset.UtcNow.AddDays(-1) };
        Assert.Equal(1, await a.Services.GetRequiredService<IFraudFeedback>().LoadAsync([entry]));
        Assert.Equal(0, await b.Services.GetRequiredService<IFraudFeedback>().LoadAsync([new FraudListEntry { Id = "fl_replayed", SubjectKind = SubjectKind.Asn, Subject = "64500" }]));
        await using var mux = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        Assert.Equal(1, await mux.GetDatabase().HashLengthAsync(prefix + ":lists"));
    }
}
