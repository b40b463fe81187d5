using BenchmarkDotNet.Attributes;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// Distinct counts of heavy subjects, as an address prefix behind carrier NAT sees them: 512 prefixes, each counting
/// clients over the long window, and every operation a client the prefix has not seen. Time moves so that each prefix gets
/// 400 new clients a generation: each generation an exact set for its first 64 clients and a HyperLogLog after, most adds
/// changing a register and needing a new estimate, and the generations turning. The in-memory store's add and estimate.
/// </summary>
[MemoryDiagnoser]
public class HeavyDistinctCountBenchmarks
{
    private const int Subjects = 512;
    private const int Batch = 1024;
    private const int BatchesPerGeneration = 200; // 2 clients per prefix a batch: 400 a generation
    private static readonly TimeSpan Window = TimeSpan.FromDays(7);
    private readonly FraudStateBatch _batch = new(Batch);
    private InMemoryFraudStateStore _store = null!;
    private SubjectKey[] _subjects = null!;
    private DateTimeOffset _at;
    private ulong _element;

    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemoryFraudStateStore(100_000);
        _subjects = new SubjectKey[Subjects];
        Span<byte> hash = stackalloc byte[16];
        for (var i = 0; i < Subjects; i++)
        {
            BitConverter.TryWriteBytes(hash, (ulong)(i + 1) * 0x9E3779B97F4A7C15UL);
            _subjects[i] = SubjectKey.From(SubjectKind.IpPrefix, Pseudonym.FromHash(PseudonymKind.IpPrefix, PseudonymScope.Fraud, 1, hash));
        }

        // Two generations' worth of clients for every prefix before the measurement starts.
        _at = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        for (var round = 0; round < 2 * BatchesPerGeneration; round++)
        {
            Fill();
        }
    }

    /// <summary>One batch of new clients; the figure per operation is the mean divided by the batch's size.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void AddNewClients() => Fill();

    private void Fill()
    {
        _batch.Clear();
        for (var i = 0; i < Batch; i++)
        {
            _batch.Add(new StateOperation
            {
                Kind = StateOperationKind.AddDistinct,
                Subject = _subjects[i % Subjects],
                Feature = FraudFeature.ClientsLong,
                At = _at,
                Window = Window,
                Element = (++_element * 0x9E3779B97F4A7C15UL) | 1,
            });
        }

        _store.ApplyOperations(_batch);
        _store.EndBatch();
        _at += Window / StateOperation.DistinctGenerations / BatchesPerGeneration;
    }
}
