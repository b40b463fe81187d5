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
/// The fraud engine over one pipeline batch of 1,024 browsing requests (10,000 clients, 1 in 20 a login), per request: fraud off
/// (baseline) against on. Time moves on with each batch, as in production.
/// </summary>
[MemoryDiagnoser]
public class FraudEngineBenchmarks
{
    private const int Batch = 1024;
    private readonly RequestRecord[][] _batches = new RequestRecord[64][];
    private FraudProcessor _processor = null!;
    private int _next;

    [Params(false, true)]
    public bool FraudEnabled { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new NumoTelemetryOptions();
        options.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
        options.Fraud.Enabled = FraudEnabled;
        using var pseudonymizer = new Pseudonymizer(KeyRing.FromOptions(options.Pseudonymization), options.Pseudonymization);
        var random = new Random(1);
        var at = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        for (var b = 0; b < _batches.Length; b++)
        {
            var batch = _batches[b] = new RequestRecord[Batch];
            for (var i = 0; i < Batch; i++)
            {
                at = at.AddMilliseconds(5);
                var client = random.Next(10_000);
                var ip = $"81.{client >> 8}.{client & 0xFF}.7";
                var record = new RequestRecord
                {
                    Timestamp = at,
                    StatusCode = 200,
                    Ip = pseudonymizer.Pseudonymize(PseudonymKind.Ip, ip, at),
                    IpPrefix = pseudonymizer.Pseudonymize(PseudonymKind.IpPrefix, ip, at),
                    Session = pseudonymizer.Pseudonymize(PseudonymKind.Session, $"s{client}", at),
                    Visitor = pseudonymizer.Pseudonymize(PseudonymKind.Visitor, $"v{client}", at),
                    HasVisitorCookie = true,
                    UserAgentId = pseudonymizer.Pseudonymize(PseudonymKind.UserAgent, $"ua{client % 20}", at),
                    Path = pseudonymizer.Pseudonymize(PseudonymKind.Path, $"/p/{random.Next(500)}", at),
                    Geo = new Records.GeoFacts { Asn = 3215 + (client % 30), CountryIsoCode = "FR", Latitude = 48.8, Longitude = 2.3, AccuracyRadiusKm = 20 },
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
            new InMemoryFraudStateStore(options.Fraud.MaxSubjects),
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

    /// <summary>One batch; the figure per request is the mean divided by 1,024.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public ValueTask ProcessBatch() => _processor.ProcessAsync(_batches[_next++ & (_batches.Length - 1)], CancellationToken.None);
}
