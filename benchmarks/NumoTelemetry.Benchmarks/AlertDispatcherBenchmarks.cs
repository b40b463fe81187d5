using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// A flood of detector hits from new subjects (an attacker rotating addresses) while the alert groups are full: 10,000 open
/// groups (the default bound), all sent and not yet idle for the repeat interval, so every new hit is dropped and counted.
/// </summary>
[MemoryDiagnoser]
public class AlertDispatcherBenchmarks
{
    private const int Groups = 10_000;
    private const int Hits = 1_024;
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
    private ServiceProvider _services = null!;
    private AlertDispatcher _dispatcher = null!;
    private DetectorHit[] _hits = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = new AlertOptions { MaxNotificationsPerMinute = 100_000, LoggerEnabled = false };
        var fraud = new FraudOptions();
        _dispatcher = new AlertDispatcher(
            options, fraud, [], new ScoreBoard(TimeSpan.FromHours(1), 1000), new FraudMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger.Instance);
        for (var i = 0; i < Groups; i++)
        {
            _dispatcher.Raise(Hit(i, T0), 60, RiskBand.Alert);
        }

        _dispatcher.FlushAll(T0 + TimeSpan.FromSeconds(1));
        _hits = [.. Enumerable.Range(Groups, Hits).Select(i => Hit(i, T0 + TimeSpan.FromMinutes(1)))];
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    /// <summary>1,024 hits, each from a subject without a group; the figure per hit is the mean divided by 1,024.</summary>
    [Benchmark(OperationsPerInvoke = Hits)]
    public void RaiseWhileFull()
    {
        foreach (ref readonly var hit in _hits.AsSpan())
        {
            _dispatcher.Raise(hit, 60, RiskBand.Alert);
        }
    }

    private static DetectorHit Hit(int subject, DateTimeOffset at)
    {
        Span<byte> hash = stackalloc byte[16];
        BitConverter.TryWriteBytes(hash, (ulong)(subject + 1) * 0x9E3779B97F4A7C15UL);
        var key = SubjectKey.From(SubjectKind.Ip, Pseudonym.FromHash(PseudonymKind.Ip, PseudonymScope.Fraud, 1, hash));
        return new DetectorHit { Subject = key, Reason = ReasonCodes.Scanner, Points = 60, Verdict = true, At = at };
    }
}
