using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.Detectors;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>The detectors built from the options, and the store capabilities the engine reads instead of the store's type.</summary>
public sealed class DetectorSetTests
{
    [Fact]
    public void Create_DefaultOptions_RunsEveryEnabledDetectorAccountTakeoverLast()
    {
        var options = new FraudOptions();

        var set = DetectorSet.Create(options);

        Assert.Equal(DetectorSet.CreateEnabled(options).Select(d => d.GetType()), set.Detectors.Select(d => d.GetType()));
        Assert.IsType<AccountTakeoverDetector>(set.Detectors[^1]);
        Assert.All(set.Modes, mode => Assert.Equal(DetectorMode.Enforce, mode));
    }

    [Fact]
    public void Create_ModeOffAndDisabledSection_LeftOutModesKeptByIndex()
    {
        var options = new FraudOptions();
        options.Detectors["Scanner"] = new DetectorOptions { Mode = DetectorMode.Off };
        options.Detectors["Burst"] = new DetectorOptions { Mode = DetectorMode.Observe };
        options.Crawling.Enabled = false;

        var set = DetectorSet.Create(options);

        Assert.DoesNotContain(set.Detectors, d => d is ScannerDetector or CrawlingDetector);
        Assert.Contains(DetectorSet.CreateEnabled(options), d => d is ScannerDetector);
        Assert.DoesNotContain(DetectorSet.CreateEnabled(options), d => d is CrawlingDetector);
        var burst = Array.FindIndex(set.Detectors, d => d is BurstDetector);
        Assert.Equal(DetectorMode.Observe, set.Modes[burst]);
        Assert.Equal(set.Detectors.Length, set.Modes.Length);
    }

    [Fact]
    public void AddUnenforcedRules_ObservedDetector_AddsOnlyItsRules()
    {
        var options = new FraudOptions();
        options.Detectors["RiskFactors"] = new DetectorOptions { Mode = DetectorMode.Alert };
        var rules = new HashSet<string>(StringComparer.Ordinal);

        DetectorSet.Create(options).AddUnenforcedRules(rules);

        Assert.Equal(DetectorCatalog.RulesOf("RiskFactors").Order(StringComparer.Ordinal), rules.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FraudProcessor_InMemoryStore_ReportsSubjectsAndBytesHeld()
    {
        using var h = new FraudHarness();
        using var subjects = new MetricCollector<long>(h.MeterFactory, "NumoTelemetry", "numo.fraud.subjects");
        using var memory = new MetricCollector<long>(h.MeterFactory, "NumoTelemetry", "numo.fraud.subjects.memory");

        h.Run(h.Record(new SimRequest(FraudHarness.Start, "198.51.100.7", "/")));
        subjects.RecordObservableInstruments();
        memory.RecordObservableInstruments();

        Assert.True(h.Store.SubjectCount > 0);
        Assert.Equal(h.Store.SubjectCount, subjects.LastMeasurement!.Value);
        Assert.True(h.Store.HeldBytes > 64 * h.Store.SubjectCount, $"{h.Store.HeldBytes} bytes for {h.Store.SubjectCount} subjects");
        Assert.Equal(h.Store.HeldBytes, memory.LastMeasurement!.Value);
    }

    [Fact]
    public void FraudProcessor_StoreWithoutCapabilities_AppliesWholeBatchesAndReportsNoSubjects()
    {
        var wrapper = default(PassThroughStore);
        using var h = new FraudHarness(store: s => wrapper = new PassThroughStore(s));
        using var subjects = new MetricCollector<long>(h.MeterFactory, "NumoTelemetry", "numo.fraud.subjects");

        h.Run(h.Record(new SimRequest(FraudHarness.Start, "198.51.100.7", "/")));
        subjects.RecordObservableInstruments();

        Assert.Equal(1, wrapper!.Batches);
        Assert.True(h.Store.SubjectCount > 0);
        Assert.Equal(0, subjects.LastMeasurement!.Value);
    }

    [Fact]
    public void FraudProcessor_SharedStoreWithLocalView_MarksEvidenceThereAndReportsIt()
    {
        using var h = new FraudHarness(store: s => new SharedStore(s));
        using var subjects = new MetricCollector<long>(h.MeterFactory, "NumoTelemetry", "numo.fraud.subjects");
        using var memory = new MetricCollector<long>(h.MeterFactory, "NumoTelemetry", "numo.fraud.subjects.memory");

        // A burst from one new address, in one batch: the verdict's subject is evidence in the view at once (without the
        // mark it is only a repeat client until its score reaches the store with the next batch).
        var burst = Enumerable.Range(0, 400).Select(i => h.Record(new SimRequest(FraudHarness.Start.AddMilliseconds(50 * i), "198.51.100.7", "/"))).ToArray();
        h.Run(burst);
        subjects.RecordObservableInstruments();
        memory.RecordObservableInstruments();

        Assert.Equal(EvictionClass.Evidence, h.Store.ClassOf(h.Subject(SubjectKind.Ip, "198.51.100.7")));
        Assert.True(h.Store.SubjectCount > 0);
        Assert.Equal(h.Store.SubjectCount, subjects.LastMeasurement!.Value);
        Assert.Equal(h.Store.HeldBytes, memory.LastMeasurement!.Value);
    }

    /// <summary>A shared store as NumoTelemetry.Redis is one, with the in-memory store as its local view (no server).</summary>
    private sealed class SharedStore(IFraudStateStore view) : ISharedFraudStateStore
    {
        public bool IsShared => true;

        public IFraudStateStore LocalView => view;

        public ValueTask ApplyAsync(FraudStateBatch batch, CancellationToken cancellationToken) => view.ApplyAsync(batch, cancellationToken);

        public ValueTask ForgetKeyAsync(ushort keyId, CancellationToken cancellationToken) => view.ForgetKeyAsync(keyId, cancellationToken);
    }

    /// <summary>A store that offers only <see cref="IFraudStateStore"/>, over the in-memory one.</summary>
    private sealed class PassThroughStore(IFraudStateStore inner) : IFraudStateStore
    {
        public int Batches { get; private set; }

        public bool IsShared => false;

        public ValueTask ApplyAsync(FraudStateBatch batch, CancellationToken cancellationToken)
        {
            Batches++;
            return inner.ApplyAsync(batch, cancellationToken);
        }

        public ValueTask ForgetKeyAsync(ushort keyId, CancellationToken cancellationToken) => inner.ForgetKeyAsync(keyId, cancellationToken);
    }
}
