using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// A node that boots while Redis cannot answer joins the fleet when Redis becomes reachable, without a restart, and sends
/// Redis what it kept meanwhile. (A node that goes quiet after an outage: <see cref="QuietNodeTests"/>.)
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ReconnectTests(RedisServer server)
{
    [SkippableFact]
    public async Task ApplyAsync_ScriptLoadTimedOutAtBoot_NodeRejoinsWhenRedisAnswers()
    {
        Skip.IfNot(server.Available, RedisServer.MissingMessage);
        await using var proxy = new StallingProxy(server.Port);
        var (store, subject, sent) = await BootStalledAsync(proxy, "rejoin");

        // Redis answers again: the next batches reconnect and the shared state is used.
        proxy.Heal();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (store.IsFallingBack)
        {
            Assert.True(DateTime.UtcNow < deadline, "the node rejoined the fleet without a restart");
            await store.ApplyAsync(TestStores.Increment(subject), CancellationToken.None);
            sent++;
            await Task.Delay(100);
        }

        // The journal of the outage is replayed a few calls per batch (each failed attempt to send during the outage is
        // one call), so it may take more batches to empty; then Redis holds every increment exactly once.
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (store.Journaled > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the journal was replayed ({store.Journaled} operations left)");
            await store.ApplyAsync(TestStores.Increment(subject), CancellationToken.None);
            sent++;
            await Task.Delay(100);
        }

        await TestStores.AssertRedisHoldsAsync(store, subject, sent);
    }

    /// <summary>
    /// A store behind <paramref name="proxy"/>: the handshake succeeds, SCRIPT LOAD never answers (times out), so the node
    /// runs on local state and journals its increments. Returns once the client has given up on SCRIPT LOAD.
    /// </summary>
    private static async Task<(RedisFraudStateStore Store, SubjectKey Subject, int Sent)> BootStalledAsync(StallingProxy proxy, string name)
    {
        var store = TestStores.Create(proxy.Configuration + ",connectRetry=1", TestStores.UniquePrefix(name), o =>
        {
            // Long enough for the handshake on a loaded machine: a client not yet connected skips SCRIPT LOAD, so nothing
            // would stall. The wait ends sooner, when both SCRIPT LOADs have timed out.
            o.ConnectTimeout = TimeSpan.FromSeconds(5);
            o.OperationTimeout = TimeSpan.FromMilliseconds(300);
            o.BreakDuration = TimeSpan.FromMilliseconds(100);
        });
        var subject = TestStores.Subject(SubjectKind.Ip, 1);
        var sent = 0;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref proxy.Stalled) == 0 || !store.IsFallingBack)
        {
            Assert.True(DateTime.UtcNow < deadline, "the node tried SCRIPT LOAD and fell back");
            await store.ApplyAsync(TestStores.Increment(subject), CancellationToken.None);
            sent++;
            await Task.Delay(50);
        }

        await Task.Delay(3000); // SCRIPT LOAD times out (the client checks timeouts about once a second)
        return (store, subject, sent);
    }
}
