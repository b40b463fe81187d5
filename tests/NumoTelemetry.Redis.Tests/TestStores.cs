using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;
using StackExchange.Redis;

namespace NumoTelemetry.Redis.Tests;

/// <summary>Builds stores and subjects for tests.</summary>
internal static class TestStores
{
    public static RedisFraudStateStore Create(
        string configuration,
        string prefix,
        Action<RedisOptions>? configure = null,
        TimeProvider? time = null,
        ILogger<RedisFraudStateStore>? logger = null,
        IMeterFactory? meters = null)
    {
        // A generous operation timeout unless a test sets its own: under CI, every test project runs at once on two cores,
        // and a conformance test must not read a slow answer as Redis being down. Fault tests configure short timeouts.
        var o = new RedisOptions { Configuration = configuration, KeyPrefix = prefix, OperationTimeout = TimeSpan.FromSeconds(10) };
        configure?.Invoke(o);
        var options = Options.Create(o);
        meters ??= new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new RedisFraudStateStore(
            new RedisConnection(options),
            options,
            Options.Create(new NumoTelemetryOptions()),
            new RedisMetrics(meters),
            logger ?? NullLogger<RedisFraudStateStore>.Instance,
            time ?? TimeProvider.System);
    }

    public static string UniquePrefix(string test) => "numo:test:" + test + ":" + Guid.NewGuid().ToString("N")[..8];

    public static SubjectKey Subject(SubjectKind kind, int n, ushort keyId = 1)
    {
        Span<byte> hash = stackalloc byte[Pseudonym.HashSize];
        var random = new Random((n * 31) + (int)kind);
        random.NextBytes(hash);
        return SubjectKey.From(kind, Pseudonym.FromHash(SubjectKey.PseudonymKindOf(kind), PseudonymScope.Fraud, keyId, hash));
    }

    /// <summary>Every key under <paramref name="prefix"/>, with its TTL in ms (-1: none, -2: gone).</summary>
    public static async Task<List<(string Key, long TtlMs)>> ScanAsync(string configuration, string prefix)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(configuration);
        var server = mux.GetServers()[0];
        var db = mux.GetDatabase();
        var keys = new List<(string, long)>();
        await foreach (var key in server.KeysAsync(pattern: prefix + ":*", pageSize: 1000))
        {
            keys.Add((key.ToString(), (long)await db.ExecuteAsync("PTTL", key)));
        }

        return keys;
    }

    /// <summary>Every key of the whole server without a TTL.</summary>
    public static async Task<List<string>> KeysWithoutTtlAsync(string configuration)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(configuration);
        var server = mux.GetServers()[0];
        var db = mux.GetDatabase();
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "*", pageSize: 1000))
        {
            if ((long)await db.ExecuteAsync("TTL", key) == -1)
            {
                keys.Add(key.ToString());
            }
        }

        return keys;
    }

    public static async Task WaitConnectedAsync(RedisFraudStateStore store)
    {
        await store.ApplyAsync(new FraudStateBatch(16), CancellationToken.None);
        var batch = new FraudStateBatch(16);
        batch.Add(new StateOperation { Kind = StateOperationKind.AddScore, Subject = Subject(SubjectKind.Ip, 999_999), Feature = FraudFeature.Score, At = DateTimeOffset.UtcNow, Window = TimeSpan.FromMinutes(1) });
        await store.ApplyAsync(batch, CancellationToken.None);
    }

    /// <summary>Nothing dropped, and Redis's count of the subject every increment sent, once each.</summary>
    public static async Task AssertRedisHoldsAsync(RedisFraudStateStore store, SubjectKey subject, int sent)
    {
        // A read answered by Redis: one that times out (the tests' short operation timeout, soon after a reconnect) falls back to the local view,
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

    /// <summary>A batch of one increment of <paramref name="subject"/>'s requests (one-minute window, now); amount 0 reads.</summary>
    public static FraudStateBatch Increment(SubjectKey subject, long amount = 1)
    {
        var batch = new FraudStateBatch(4);
        batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = subject, Feature = FraudFeature.Requests, At = DateTimeOffset.UtcNow, Window = TimeSpan.FromMinutes(1), Amount = amount });
        return batch;
    }
}
