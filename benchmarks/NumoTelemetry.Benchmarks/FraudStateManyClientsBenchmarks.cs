using BenchmarkDotNet.Attributes;
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
    private RequestRecord[][] _batches = null!;
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
        _batches = FraudBenchmarkTraffic.Batches(
            options, batches: 256, Batch, Clients, browsers: 40, pages: 320, TimeSpan.FromMilliseconds(1),
            client => $"10.{client >> 16}.{(client >> 8) & 0xFF}.{client & 0xFF}",
            _ => null);
        _processor = FraudBenchmarkTraffic.Processor(options, new InMemoryFraudStateStore(options.Fraud.MaxSubjects) { GroupPrefetch = groupPrefetch }, _batches);
    }
}
