using BenchmarkDotNet.Attributes;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// The fraud engine over one pipeline batch of 1,024 browsing requests (10,000 clients, 1 in 20 a login), per request: fraud off
/// (baseline) against on. Time moves on with each batch, as in production. <see cref="Clients"/> 1 is one client fetching a
/// page every 5 ms, as the one-client load test does: the burst, timing and crawling detectors fire on every request.
/// </summary>
[MemoryDiagnoser]
public class FraudEngineBenchmarks
{
    private const int Batch = 1024;
    private RequestRecord[][] _batches = null!;
    private FraudProcessor _processor = null!;
    private int _next;

    [Params(false, true)]
    public bool FraudEnabled { get; set; }

    [Params(10_000, 1)]
    public int Clients { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new NumoTelemetryOptions();
        options.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
        options.Fraud.Enabled = FraudEnabled;
        _batches = FraudBenchmarkTraffic.Batches(
            options, batches: 64, Batch, Clients, browsers: 20, pages: 500, TimeSpan.FromMilliseconds(5),
            client => $"81.{client >> 8}.{client & 0xFF}.7",
            client => new GeoFacts { Asn = 3215 + (client % 30), CountryIsoCode = "FR", Latitude = 48.8, Longitude = 2.3, AccuracyRadiusKm = 20 });
        _processor = FraudBenchmarkTraffic.Processor(options, new InMemoryFraudStateStore(options.Fraud.MaxSubjects), _batches);
    }

    /// <summary>One batch; the figure per request is the mean divided by 1,024.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public ValueTask ProcessBatch() => _processor.ProcessAsync(_batches[_next++ & (_batches.Length - 1)], CancellationToken.None);
}
