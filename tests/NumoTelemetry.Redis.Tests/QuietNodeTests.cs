using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// A node that gets no request after a Redis outage still sends Redis what it kept: the engine's idle flush hands the store
/// an empty batch about once a second, and the store replays its journal then. Has its own redis-server (killed and
/// restarted on the same port, empty: no persistence).
/// </summary>
public sealed class QuietNodeTests : IDisposable
{
    private readonly RedisServer _server = new();

    public void Dispose() => _server.Dispose();

    [SkippableFact]
    public async Task ApplyAsync_EmptyBatchesOnlyAfterAnOutage_RejoinAndReplayTheJournal()
    {
        Skip.IfNot(_server.Available, RedisServer.MissingMessage);
        var store = TestStores.Create(_server.Configuration, TestStores.UniquePrefix("quiet"), o =>
        {
            o.ConnectTimeout = TimeSpan.FromMilliseconds(500);
            o.OperationTimeout = TimeSpan.FromMilliseconds(500);
            o.BreakDuration = TimeSpan.FromMilliseconds(100);
        });
        var subject = TestStores.Subject(SubjectKind.Ip, 1);

        // Redis up and answering (on a loaded machine the first calls may miss a timeout and open the circuit; what they
        // journaled is replayed by the next ones).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the node used Redis");
            await store.ApplyAsync(TestStores.Increment(subject, amount: 0), CancellationToken.None);
            await Task.Delay(50);
        }
        while (store.IsFallingBack || store.Journaled > 0);

        // Redis dies. Every increment from here on is journaled: the first one finds Redis gone, the rest the open circuit.
        _server.Kill();
        var kept = 0;
        for (var i = 0; i < 20; i++)
        {
            await store.ApplyAsync(TestStores.Increment(subject), CancellationToken.None);
            kept++;
            await Task.Delay(20);
        }

        Assert.True(store.IsFallingBack);
        Assert.Equal(kept, store.Journaled);

        // Redis returns, empty; the node gets no request any more, only empty batches.
        _server.Start();
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (store.IsFallingBack || store.Journaled > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"empty batches replayed the journal ({store.Journaled} operations left)");
            await store.ApplyAsync(new FraudStateBatch(4), CancellationToken.None);
            await Task.Delay(100);
        }

        await TestStores.AssertRedisHoldsAsync(store, subject, kept);
    }
}
