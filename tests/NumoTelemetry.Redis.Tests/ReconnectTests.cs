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
            await store.ApplyAsync(Increment(subject), CancellationToken.None);
            sent++;
            await Task.Delay(100);
        }

        // The journal of the outage is replayed a few calls per batch (each failed attempt to send during the outage is
        // one call), so it may take more batches to empty; then Redis holds every increment exactly once.
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (store.Journaled > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the journal was replayed ({store.Journaled} operations left)");
            await store.ApplyAsync(Increment(subject), CancellationToken.None);
            sent++;
            await Task.Delay(100);
        }

        await AssertRedisHoldsAsync(store, subject, sent);
    }

    /// <summary>
    /// A store behind <paramref name="proxy"/>: the handshake succeeds, SCRIPT LOAD never answers (times out), so the node
    /// runs on local state and journals its increments. Returns once the client has given up on SCRIPT LOAD.
    /// </summary>
    private static async Task<(RedisFraudStateStore Store, SubjectKey Subject, int Sent)> BootStalledAsync(StallingProxy proxy, string name)
    {
        var store = TestStores.Create(proxy.Configuration + ",connectRetry=1", TestStores.UniquePrefix(name), o =>
        {
            o.ConnectTimeout = TimeSpan.FromMilliseconds(500);
            o.OperationTimeout = TimeSpan.FromMilliseconds(300);
            o.BreakDuration = TimeSpan.FromMilliseconds(100);
        });
        var subject = TestStores.Subject(SubjectKind.Ip, 1);
        var sent = 0;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref proxy.Stalled) == 0 || !store.IsFallingBack)
        {
            Assert.True(DateTime.UtcNow < deadline, "the node tried SCRIPT LOAD and fell back");
            await store.ApplyAsync(Increment(subject), CancellationToken.None);
            sent++;
            await Task.Delay(50);
        }

        await Task.Delay(3000); // SCRIPT LOAD times out (the client checks timeouts about once a second)
        return (store, subject, sent);
    }

    /// <summary>Nothing dropped, and Redis's count of the subject every increment sent, once each.</summary>
    internal static async Task AssertRedisHoldsAsync(RedisFraudStateStore store, SubjectKey subject, int sent)
    {
        // A read answered by Redis: one that times out (300 ms here, soon after a reconnect) falls back to the local view,
        // which counts every increment too, so it proves nothing; it is journaled as a read and the next one goes to Redis.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        FraudStateBatch read;
        while (true)
        {
            read = Increment(subject, amount: 0);
            await store.ApplyAsync(read, CancellationToken.None);
            if (!store.IsFallingBack && store.Journaled == 0)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "Redis answered a read");
            await Task.Delay(100);
        }

        Assert.Equal(0, store.DroppedTotal);
        Assert.Equal(sent, read.Results[0].Count);
    }

    internal static FraudStateBatch Increment(SubjectKey subject, long amount = 1)
    {
        var batch = new FraudStateBatch(4);
        batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = subject, Feature = FraudFeature.Requests, At = DateTimeOffset.UtcNow, Window = TimeSpan.FromMinutes(1), Amount = amount });
        return batch;
    }
}
