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
}
