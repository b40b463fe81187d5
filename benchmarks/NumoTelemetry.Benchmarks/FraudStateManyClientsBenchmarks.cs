using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// The fraud engine with many clients: 200,000 of them (each its own address, session and visitor, one of 40 browsers; 1 in
/// 20 requests a login), so nearly every subject's state comes from memory rather than the processor's caches. Per request,
/// the in-memory store applying operations one by one (baseline) against in groups of subjects prefetched together.
/// The store holds every client before the measurement starts; time moves on with each batch, as in production.
/// </summary>
[MemoryDiagnoser]
public class FraudStateManyClientsBenchmarks
{
    private const int Clients = 200_000;
    private const int Batch = 1024;
    private readonly RequestRecord[][] _batches = new RequestRecord[256][];
    private FraudProcessor _processor = null!;
    private int _next;

    [GlobalSetup(Target = nameof(OneByOne))]
    public void SetupOneByOne() => Setup(groupPrefetch: false);

    [GlobalSetup(Target = nameof(Prefetched))]
    public void SetupPrefetched() => Setup(groupPrefetch: true);

    /// <summary>One batch, operations applied one by one; the figure per request is the mean divided by 1,024.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public ValueTask OneByOne() => ProcessNext();

    /// <summary>One batch, subjects prefetched in groups.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public ValueTask Prefetched() => ProcessNext();

    private ValueTask ProcessNext() => _processor.ProcessAsync(_batches[_next++ & (_batches.Length - 1)], CancellationToken.None);

    private void Setup(bool groupPrefetch)
    {
        var options = new NumoTelemetryOptions();
        options.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
        using var pseudonymizer = new Pseudonymizer(KeyRing.FromOptions(options.Pseudonymization), options.Pseudonymization);
        var random = new Random(1);
        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        for (var b = 0; b < _batches.Length; b++)
        {
            var batch = _batches[b] = new RequestRecord[Batch];
            for (var i = 0; i < Batch; i++)
            {
                at = at.AddMilliseconds(1);
                var client = random.Next(Clients);
                var ip = $"10.{client >> 16}.{(client >> 8) & 0xFF}.{client & 0xFF}";
                var record = new RequestRecord
                {
                    Timestamp = at,
                    StatusCode = 200,
                    Ip = pseudonymizer.Pseudonymize(PseudonymKind.Ip, ip, at),
                    IpPrefix = pseudonymizer.Pseudonymize(PseudonymKind.IpPrefix, ip, at),
                    Session = pseudonymizer.Pseudonymize(PseudonymKind.Session, $"s{client}", at),
                    Visitor = pseudonymizer.Pseudonymize(PseudonymKind.Visitor, $"v{client}", at),
                    HasVisitorCookie = true,
                    UserAgentId = pseudonymizer.Pseudonymize(PseudonymKind.UserAgent, $"ua{client % 40}", at),
                    Path = pseudonymizer.Pseudonymize(PseudonymKind.Path, $"/p/{random.Next(320)}", at),
                };
                if (random.Next(20) == 0)
                {
                    record.AddSignal(new AppSignal(random.Next(10) == 0 ? SignalKind.LoginFailed : SignalKind.LoginSucceeded, pseudonymizer.Pseudonymize(PseudonymKind.User, $"u{client}", at), default, null));
                }

                batch[i] = record;
            }
        }

        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _processor = new FraudProcessor(
            Options.Create(options),
            new InMemoryFraudStateStore(options.Fraud.MaxSubjects) { GroupPrefetch = groupPrefetch },
            new RiskCache(options.Fraud.RiskCacheSize, options.Fraud.ScoreHalfLife),
            Array.Empty<IAlertSink>(),
            new FraudMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            NullLoggerFactory.Instance,
            TimeProvider.System);
        foreach (var batch in _batches)
        {
            _processor.ProcessAsync(batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }
}
