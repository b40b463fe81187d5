using BenchmarkDotNet.Attributes;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;
using NumoTelemetry.Redis;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// A long Redis outage: the fleet store's journal is full (the default 100,000 operations, 2,048 a script call) and every
/// pipeline batch (64 page views, 17 operations each) pushes out as many of the oldest operations as it adds.
/// </summary>
[MemoryDiagnoser]
public class OperationJournalBenchmarks
{
    private const int Batch = 64 * 17;
    private OperationJournal _journal = null!;
    private StateOperation[] _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _journal = new OperationJournal(capacity: 100_000, operationsPerCall: 2_048);
        Span<byte> hash = stackalloc byte[16];
        _batch = new StateOperation[Batch];
        for (var i = 0; i < Batch; i++)
        {
            BitConverter.TryWriteBytes(hash, (ulong)((i / 17) + 1) * 0x9E3779B97F4A7C15UL);
            _batch[i] = new StateOperation
            {
                Kind = StateOperationKind.Increment,
                Subject = SubjectKey.From(SubjectKind.Ip, Pseudonym.FromHash(PseudonymKind.Ip, PseudonymScope.Fraud, 1, hash)),
                Feature = FraudFeature.Requests,
                At = DateTimeOffset.UnixEpoch,
                Window = TimeSpan.FromMinutes(10),
                Amount = 1,
            };
        }

        while (_journal.Dropped == 0)
        {
            _journal.Add(_batch);
        }
    }

    /// <summary>One batch into the full journal; the figure per operation is the mean divided by the batch's size.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void AddToFullJournal() => _journal.Add(_batch);
}
