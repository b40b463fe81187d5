using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NumoTelemetry;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;
using NumoTelemetry.Redis;
using NumoTelemetry.Redis.Tests;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// Fraud state batch throughput: one pipeline batch (1,024 requests over 200 IPs, 9 operations each, the engine's usual mix; a quarter are failed logins with random account names, so the
/// attackers' fail.users sketches grow into registers)
/// applied to the in-memory store (baseline) and to a local redis-server (one round trip, EVALSHA). Figures are per operation:
/// updates/s = 1 / mean. Needs redis-server on PATH (apt-get install -y redis-server); the Redis case fails with that message otherwise.
/// </summary>
[MemoryDiagnoser]
public class RedisStateStoreBenchmarks
{
    private const int Records = 1024;
    private const int OpsPerRecord = 9;
    private const int Operations = Records * OpsPerRecord;

    /// <summary>A site of 50 pages (path hashes).</summary>
    private static readonly ulong[] Paths = CreatePaths();

    private readonly FraudStateBatch _batch = new(Operations);
    private RedisServer? _server;
    private InMemoryFraudStateStore _memory = null!;
    private RedisFraudStateStore? _redis;

    [GlobalSetup]
    public void Setup()
    {
        _memory = new InMemoryFraudStateStore(1_000_000);
        var ips = new SubjectKey[200];
        Span<byte> hash = stackalloc byte[Pseudonym.HashSize];
        var random = new Random(1);
        for (var i = 0; i < ips.Length; i++)
        {
            random.NextBytes(hash);
            ips[i] = SubjectKey.From(SubjectKind.Ip, Pseudonym.FromHash(PseudonymKind.Ip, PseudonymScope.Fraud, 1, hash));
        }

        var at = DateTimeOffset.UtcNow;
        var tenMinutes = TimeSpan.FromMinutes(10);
        var hour = TimeSpan.FromHours(1);
        for (var r = 0; r < Records; r++)
        {
            var ip = ips[r % ips.Length];
            var t = at.AddMilliseconds(r);
            var failed = r % 4 == 0;
            _batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = ip, Feature = FraudFeature.RequestsShort, At = t, Window = TimeSpan.FromMinutes(1), Amount = 1 });
            _batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = ip, Feature = FraudFeature.Requests, At = t, Window = tenMinutes, Amount = 1 });
            _batch.Add(new StateOperation { Kind = StateOperationKind.AddDistinct, Subject = ip, Feature = FraudFeature.Paths, At = t, Window = tenMinutes, Element = Paths[random.Next(Paths.Length)] });
            _batch.Add(new StateOperation { Kind = StateOperationKind.AddDistinct, Subject = ip, Feature = FraudFeature.ReturningClients, At = t, Window = tenMinutes });
            _batch.Add(new StateOperation { Kind = StateOperationKind.ObserveTiming, Subject = ip, Feature = FraudFeature.Timing, At = t, Window = tenMinutes });
            _batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = ip, Feature = FraudFeature.LoginFailures, At = t, Window = hour, Amount = failed ? 1 : 0 });
            _batch.Add(new StateOperation { Kind = StateOperationKind.Increment, Subject = ip, Feature = FraudFeature.LoginSuccesses, At = t, Window = hour, Amount = failed ? 0 : 1 });
            _batch.Add(new StateOperation { Kind = StateOperationKind.AddDistinct, Subject = ip, Feature = FraudFeature.FailedUsers, At = t, Window = hour, Element = failed ? (ulong)random.NextInt64(1, long.MaxValue) : 0 });
            _batch.Add(new StateOperation { Kind = StateOperationKind.AddScore, Subject = ip, Feature = FraudFeature.Score, At = t, Window = hour });
        }

        _server = new RedisServer();
        if (!_server.Available)
        {
            Console.WriteLine(RedisServer.MissingMessage);
            return;
        }

        var options = Options.Create(new RedisOptions { Configuration = _server.Configuration, KeyPrefix = "numo:bench", OperationTimeout = TimeSpan.FromSeconds(10) });
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        _redis = new RedisFraudStateStore(new RedisConnection(options), options, Options.Create(new NumoTelemetryOptions()), new RedisMetrics(meters), NullLogger<RedisFraudStateStore>.Instance, TimeProvider.System);
        _redis.ApplyAsync(_batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (_redis.IsFallingBack)
        {
            throw new InvalidOperationException("The benchmark's redis-server did not answer.");
        }
    }

    private static ulong[] CreatePaths()
    {
        var random = new Random(2);
        var paths = new ulong[50];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i] = (ulong)random.NextInt64(1, long.MaxValue);
        }

        return paths;
    }

    [GlobalCleanup]
    public void Cleanup() => _server?.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public ValueTask InMemory() => _memory.ApplyAsync(_batch, CancellationToken.None);

    /// <summary>The Redis store (it applies each batch to its local shadow first, then to Redis in one round trip).</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public ValueTask Redis() => (_redis ?? throw new InvalidOperationException(RedisServer.MissingMessage)).ApplyAsync(_batch, CancellationToken.None);
}
