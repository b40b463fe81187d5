using System.Globalization;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// The in-memory store's bound on the bytes its subjects hold (<c>Fraud:MaxStateBytes</c>). A client that sends more than 64
/// distinct paths from each of many networks (IPv6 /64s are cheap) makes each of its subjects a few KiB of sketches instead of a
/// few hundred bytes: far fewer subjects than <c>Fraud:MaxSubjects</c> then hold far more memory than that bound was sized
/// for. The byte bound evicts them as the subject bound does (by class, evidence last), so the state stays within it and an
/// account's evidence outlives the flood.
/// </summary>
public sealed class StateByteBoundTests
{
    private const long MaxBytes = 2L << 20;
    private const int PathsPerNetwork = 70; // past DistinctSketch.SmallLimit in one generation: a HyperLogLog and a union
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void HeavyFlood_FromManyNetworks_StaysWithinTheByteBoundAndKeepsEvidence()
    {
        var store = new InMemoryFraudStateStore(maxSubjects: 1_000_000, maxBytes: MaxBytes);
        var account = Subject(SubjectKind.User, 1);
        var batch = new FraudStateBatch(256);

        // An account with two failed logins a minute apart (evidence) before the flood.
        Apply(store, batch, Operation(StateOperationKind.Increment, account, FraudFeature.LoginFailures, T0, TimeSpan.FromMinutes(15), amount: 1));
        Apply(store, batch, Operation(StateOperationKind.Increment, account, FraudFeature.LoginFailures, T0.AddMinutes(1), TimeSpan.FromMinutes(15), amount: 1));
        Assert.Equal(EvictionClass.Evidence, store.ClassOf(account));

        // Then 4,000 networks, each sending 70 distinct paths within a minute: unbounded, each would hold two heavy counts.
        var largest = 0L;
        var at = T0.AddMinutes(2);
        for (var network = 0; network < 4_000; network++)
        {
            var ip = Subject(SubjectKind.Ip, 1_000 + network);
            for (var path = 0; path < PathsPerNetwork; path++)
            {
                var element = Element(network, path);
                var time = at.AddMilliseconds(path);
                batch.Add(Operation(StateOperationKind.AddDistinct, ip, FraudFeature.Paths, time, TimeSpan.FromMinutes(10), element: element));
                batch.Add(Operation(StateOperationKind.AddDistinct, ip, FraudFeature.PathsLong, time, TimeSpan.FromHours(3), element: element));
            }

            store.ApplyOperations(batch);
            largest = Math.Max(largest, batch.Result(batch.Count - 1).Count);
            batch.Clear();
            store.EndBatch();
            Assert.True(store.HeldBytes <= MaxBytes, $"{store.HeldBytes:N0} bytes held after network {network}, over the bound of {MaxBytes:N0}");
        }

        Assert.InRange(largest, PathsPerNetwork - 5, PathsPerNetwork + 5); // each count was a HyperLogLog of about 70
        Assert.Equal(store.RecountHeldBytes(), store.HeldBytes);
        Assert.True(store.SubjectCount is > 100 and < 4_000, $"{store.SubjectCount} subjects held: the byte bound, not the subject bound, evicted");
        Assert.True(store.EvictedHeavy > 0, "the flood's own subjects were evicted, heavy first");
        Assert.Equal(0, store.EvictedOverBound(EvictionClass.Evidence));

        // The account's failed logins outlived the flood.
        Assert.Equal(EvictionClass.Evidence, store.ClassOf(account));
        Assert.Equal(3, Apply(store, batch, Operation(StateOperationKind.Increment, account, FraudFeature.LoginFailures, at.AddMinutes(3), TimeSpan.FromMinutes(15), amount: 1)).Count);
    }

    [Fact]
    public void FloodOfOneRequestAddresses_OverTheByteBound_EvictsThemBeyondAShareOfTheSubjectsHeld()
    {
        // Over the byte bound the store holds fewer subjects than MaxSubjects: one-request subjects are evicted while they are
        // more than a tenth of the subjects held, not of MaxSubjects (a tenth of which they never reach here: the subjects
        // seen again would be evicted instead).
        var store = new InMemoryFraudStateStore(maxSubjects: 1_000_000, maxBytes: MaxBytes);
        var batch = new FraudStateBatch(1 << 12);
        for (var i = 0; i < 2_000; i++)
        {
            // clients seen in two requests
            var client = Subject(SubjectKind.Ip, i);
            batch.Add(Operation(StateOperationKind.Increment, client, FraudFeature.Requests, T0, TimeSpan.FromHours(1), amount: 1));
            batch.Add(Operation(StateOperationKind.Increment, client, FraudFeature.Requests, T0.AddSeconds(1), TimeSpan.FromHours(1), amount: 1));
        }

        store.ApplyOperations(batch);
        batch.Clear();
        store.EndBatch();
        for (var i = 0; i < 40_000; i++)
        {
            batch.Add(Operation(StateOperationKind.Increment, Subject(SubjectKind.Ip, 100_000 + i), FraudFeature.Requests, T0.AddSeconds(2), TimeSpan.FromHours(1), amount: 1));
            if (batch.Count == 1_000)
            {
                store.ApplyOperations(batch);
                batch.Clear();
                store.EndBatch();
                Assert.True(store.HeldBytes <= MaxBytes);
            }
        }

        Assert.True(store.EvictedOverBound(EvictionClass.New) > 0, "one-request subjects beyond their share were evicted");
        Assert.Equal(0, store.EvictedOverBound(EvictionClass.Repeat));
        Assert.Equal(2_000, store.CountOf(EvictionClass.Repeat));
    }

    [Fact]
    public void SubjectsOfChangingShapes_ArenaPagesStayNearWhatTheSubjectsHold()
    {
        // Waves of new addresses, each wave's with two more distinct paths than the last (a feature block two words longer),
        // each wave evicting the one before over the subject bound: the freed blocks are of a size no later block asks for.
        // Without compaction the arena would keep every wave's pages (about five times what is held at the end).
        const int wave = 100_000;
        var store = new InMemoryFraudStateStore(maxSubjects: wave);
        var batch = new FraudStateBatch(1 << 14);
        var at = T0;
        for (var paths = 2; paths <= 16; paths += 2)
        {
            for (var i = 0; i < wave; i++)
            {
                var ip = Subject(SubjectKind.Ip, (paths * wave) + i);
                for (var p = 0; p < paths; p++)
                {
                    batch.Add(Operation(StateOperationKind.AddDistinct, ip, FraudFeature.Paths, at, TimeSpan.FromMinutes(10), element: Element(i, p)));
                }

                if (batch.Count > 10_000)
                {
                    store.ApplyOperations(batch);
                    batch.Clear();
                    store.EndBatch();
                    Assert.True(store.ArenaPageWords <= (4 * store.ArenaLiveWords) + (16L * FeatureArena.PageWords), $"{store.ArenaPageWords:N0} words in the arena's pages for {store.ArenaLiveWords:N0} in use");
                }
            }

            at = at.AddSeconds(1);
        }

        store.ApplyOperations(batch);
        batch.Clear();
        store.EndBatch();
        Assert.True(store.Compactions >= 1, $"{store.Compactions} compactions as the waves came and went");
        Assert.Equal(store.RecountHeldBytes(), store.HeldBytes);

        // The last wave's counts are intact after its blocks moved.
        store.CompactArena();
        Assert.Equal(store.ArenaLiveWords * sizeof(ulong), store.HeldBytes - (store.SubjectCount * 64L)); // no objects here
        for (var i = 0; i < wave; i += 997)
        {
            Assert.Equal(16, Apply(store, batch, Operation(StateOperationKind.AddDistinct, Subject(SubjectKind.Ip, (16 * wave) + i), FraudFeature.Paths, at, TimeSpan.FromMinutes(10))).Count);
        }
    }

    [Fact]
    public void ScannerFlood_ThroughTheEngine_EvictsTheScannersNotTheVisitorsOrTheAccount()
    {
        // A scanner probing 70 missing paths from each of 2,000 IPv6 /64s: each address's counts become sketches of a KiB or
        // more, and the scanner detector marks each address (evidence). Over the byte bound the heavy addresses go, least
        // recently used first: not the site's visitors (seen twice: `repeat`), not the account under attack.
        using var h = new FraudHarness(o => o.Fraud.MaxStateBytes = 4L << 20);
        using var evicted = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(h.MeterFactory, "NumoTelemetry", "numo.fraud.subjects.evicted");
        var at = FraudHarness.Start;
        for (var i = 0; i < 3; i++)
        {
            h.Run(h.Record(new SimRequest(at.AddSeconds(i), "198.51.100.7", "/login") { Method = "POST", Status = 401, Signal = SignalKind.LoginFailed, User = "victim@example.com" }));
        }

        var visitors = new List<RequestRecord>();
        for (var v = 0; v < 500; v++)
        {
            var ip = string.Create(CultureInfo.InvariantCulture, $"203.0.{v >> 8}.{v & 0xFF}");
            visitors.Add(h.Record(new SimRequest(at.AddSeconds(10), ip, "/") { Session = $"s{v}", Visitor = $"v{v}" }));
            visitors.Add(h.Record(new SimRequest(at.AddSeconds(20), ip, "/pricing") { Session = $"s{v}", Visitor = $"v{v}" }));
        }

        h.Run([.. visitors]);
        var flood = new List<RequestRecord>(1024);
        for (var network = 0; network < 2_000; network++)
        {
            var ip = string.Create(CultureInfo.InvariantCulture, $"2001:db8:7:{network:x}::1");
            for (var path = 0; path < PathsPerNetwork; path++)
            {
                flood.Add(h.Record(new SimRequest(at.AddSeconds(30).AddMilliseconds((network * 100) + path), ip, $"/wp-admin/{path}.php") { Status = 404 }));
            }

            if (flood.Count >= 1_000)
            {
                h.Run([.. flood]);
                flood.Clear();
                Assert.True(h.Store.HeldBytes <= 4L << 20, $"{h.Store.HeldBytes:N0} bytes held");
            }
        }

        h.Run([.. flood]);
        Assert.True(h.Store.EvictedHeavy > 100, $"{h.Store.EvictedHeavy} scanner addresses (evidence) evicted as heavy");
        evicted.RecordObservableInstruments();
        var measured = evicted.GetMeasurementSnapshot();
        Assert.Equal(h.Store.EvictedHeavy, measured.Last(m => (string?)m.Tags["numo.class"] == "heavy").Value);
        Assert.Equal(0, measured.Last(m => (string?)m.Tags["numo.class"] == "evidence").Value); // the metric that says the bound is too small
        Assert.Equal(h.Store.RecountQueuedHeavyBytes(), h.Store.QueuedHeavyBytes);
        Assert.Equal(EvictionClass.Evidence, h.Store.ClassOf(h.Subject(SubjectKind.User, "victim@example.com")));
        // Every visitor's address and session is still held (a few heavy subjects the visitors share and left idle since the
        // flood began, such as their /24 prefixes, may have gone: least recently used among the heavy).
        var addressesHeld = Enumerable.Range(0, 500).Count(v => h.Store.ClassOf(h.Subject(SubjectKind.Ip, string.Create(CultureInfo.InvariantCulture, $"203.0.{v >> 8}.{v & 0xFF}"))) is not null);
        var sessionsHeld = Enumerable.Range(0, 500).Count(v => h.Store.ClassOf(h.Subject(SubjectKind.Session, $"s{v}")) is not null);
        Assert.Equal(500, addressesHeld);
        Assert.Equal(500, sessionsHeld);
        Assert.True(h.Store.EvictedOverBound(EvictionClass.Repeat) <= 10, $"{h.Store.EvictedOverBound(EvictionClass.Repeat)} subjects seen again evicted");
    }

    [Fact]
    public void HeavyAccounts_OverTheByteBound_DoNotPushOutAHeavyAddressWithEvidenceBeforeOneRequestAddresses()
    {
        // Accounts' heavy counts never make addresses go first: only the heavy counts of the subjects that go first when heavy
        // (addresses, prefixes, sessions, visitors) do. A flood of made-up accounts, each failing from 70 addresses, fills the
        // bound with accounts' sketches: the class order applies, so one-request addresses go before a heavy address with
        // evidence.
        var store = new InMemoryFraudStateStore(maxSubjects: 1_000_000, maxBytes: MaxBytes);
        var batch = new FraudStateBatch(4096);
        var evidence = Subject(SubjectKind.Ip, 1);
        MakeHeavy(store, batch, evidence, network: 1);
        store.MarkEvidence(evidence); // a detector's verdict
        Assert.True(store.QueuedHeavyBytes > 0, "the address is heavy: it would go first over the byte bound");
        for (var i = 0; i < 300; i++)
        {
            batch.Add(Operation(StateOperationKind.Increment, Subject(SubjectKind.Ip, 10_000 + i), FraudFeature.Requests, T0.AddSeconds(5), TimeSpan.FromHours(1), amount: 1));
        }

        Flush(store, batch);
        var at = T0.AddMinutes(1);
        for (var u = 0; u < 1_000; u++)
        {
            var account = Subject(SubjectKind.User, 100_000 + u);
            for (var k = 0; k < PathsPerNetwork; k++)
            {
                batch.Add(Operation(StateOperationKind.AddDistinct, account, FraudFeature.FailedIps, at.AddMilliseconds((u * 10) + (k % 2)), TimeSpan.FromHours(1), element: Element(100_000 + u, k)));
            }

            Flush(store, batch);
            Assert.True(store.ClassOf(evidence) is not null || store.CountOf(EvictionClass.New) == 0, $"the address with evidence went after {u + 1} accounts, with {store.CountOf(EvictionClass.New)} one-request addresses held");
        }

        Assert.True(store.EvictedOverBound(EvictionClass.New) > 0, "the byte bound evicted");
        Assert.Equal(0, store.EvictedHeavy);
        Assert.Equal(store.RecountHeldBytes(), store.HeldBytes);
        Assert.Equal(store.RecountQueuedHeavyBytes(), store.QueuedHeavyBytes);
    }

    [Fact]
    public void SpilledDistinctCount_IsCountedAsItGrows_AndGoesFirstOnlyOnceAHyperLogLog()
    {
        // Past 16 elements a distinct count leaves the block for an object; it holds a few hundred bytes until a generation
        // passes 64 elements and becomes a HyperLogLog. Counted as it holds, not at its largest (≈ 3.2 KiB), and its subject
        // goes first over the byte bound only once heavy: a busy shared prefix with 20 paths is not a scanner.
        var store = new InMemoryFraudStateStore(maxSubjects: 1_000_000, maxBytes: MaxBytes);
        var batch = new FraudStateBatch(256);
        var prefix = Subject(SubjectKind.IpPrefix, 1);
        var before = 0L;
        for (var p = 0; p < PathsPerNetwork; p++)
        {
            Apply(store, batch, Operation(StateOperationKind.AddDistinct, prefix, FraudFeature.Paths, T0.AddMilliseconds(p), TimeSpan.FromMinutes(10), element: Element(1, p)));
            Assert.Equal(store.RecountHeldBytes(), store.HeldBytes);
            Assert.Equal(store.RecountQueuedHeavyBytes(), store.QueuedHeavyBytes);
            if (p == 19)
            {
                before = store.HeldBytes;
                Assert.InRange(before, 300, 1_200); // a slot, and an object with a 32-element array
                Assert.Equal(0, store.QueuedHeavyBytes);
            }
        }

        Assert.True(store.QueuedHeavyBytes > 2 * DistinctSketch.Registers, $"{store.QueuedHeavyBytes} bytes of heavy counts queued: the registers and the union");
        Assert.True(store.HeldBytes > before + DistinctSketch.Registers, $"{store.HeldBytes:N0} bytes, {before:N0} at 20 elements");

        // The next generation: the HyperLogLog turns into the previous one, then both go as the window passes.
        Apply(store, batch, Operation(StateOperationKind.AddDistinct, prefix, FraudFeature.Paths, T0.AddMinutes(5), TimeSpan.FromMinutes(10), element: Element(2, 1)));
        Assert.Equal(store.RecountHeldBytes(), store.HeldBytes);
        Apply(store, batch, Operation(StateOperationKind.AddDistinct, prefix, FraudFeature.Paths, T0.AddMinutes(11), TimeSpan.FromMinutes(10))); // a read that turns it
        Assert.Equal(store.RecountHeldBytes(), store.HeldBytes);
        Apply(store, batch, Operation(StateOperationKind.AddDistinct, prefix, FraudFeature.Paths, T0.AddMinutes(20), TimeSpan.FromMinutes(10), element: Element(3, 1)));
        Assert.Equal(store.RecountHeldBytes(), store.HeldBytes);
        Assert.Equal(store.RecountQueuedHeavyBytes(), store.QueuedHeavyBytes);
        Assert.True(store.HeldBytes < before + DistinctSketch.Registers, $"{store.HeldBytes:N0} bytes once both generations are exact again");
    }

    [Fact]
    public void SubjectBackLightAfterItsHeavyStateLeft_IsNotEvictedAsHeavy()
    {
        // An address made heavy, then erased (a subject's erasure) and back with two plain requests: its old queue entry must
        // not make it go first when heavy subjects are evicted (it comes back to the same slot, so key and slot match).
        var store = new InMemoryFraudStateStore(maxSubjects: 1_000_000, maxBytes: MaxBytes);
        var batch = new FraudStateBatch(256);
        var address = Subject(SubjectKind.Ip, 1);
        MakeHeavy(store, batch, address, network: 1);
        Assert.Equal(1, store.Forget([address]));
        Apply(store, batch, Operation(StateOperationKind.Increment, address, FraudFeature.Requests, T0.AddSeconds(1), TimeSpan.FromHours(1), amount: 1));
        Apply(store, batch, Operation(StateOperationKind.Increment, address, FraudFeature.Requests, T0.AddSeconds(2), TimeSpan.FromHours(1), amount: 1));

        // Heavy networks well past the bound. Without the check, the old entry gets its second chance (the address was used
        // since it was queued), then takes the address as heavy when the queue comes round to it again.
        for (var network = 0; network < 2_000; network++)
        {
            var ip = Subject(SubjectKind.Ip, 1_000 + network);
            var at = T0.AddSeconds(10).AddMilliseconds(100 * network);
            for (var p = 0; p < PathsPerNetwork; p++)
            {
                batch.Add(Operation(StateOperationKind.AddDistinct, ip, FraudFeature.Paths, at.AddMilliseconds(p), TimeSpan.FromMinutes(10), element: Element(network + 2, p)));
            }

            Flush(store, batch);
        }

        Assert.True(store.EvictedHeavy > 1_000, $"{store.EvictedHeavy} heavy subjects evicted");
        Assert.NotNull(store.ClassOf(address));
    }

    [Fact]
    public void CreateInMemory_WithSubjectsOnly_GetsAByteBoundThatHoldsThem()
    {
        Assert.Equal(FraudOptions.DefaultMaxStateBytes, ((InMemoryFraudStateStore)FraudStateStores.CreateInMemory(1_000)).MaxBytes);
        Assert.Equal(5_000_000 * 1024L, ((InMemoryFraudStateStore)FraudStateStores.CreateInMemory(5_000_000)).MaxBytes);
    }

    /// <summary>Makes <paramref name="subject"/> heavy: <see cref="PathsPerNetwork"/> distinct paths at <see cref="T0"/>, in two requests.</summary>
    private static void MakeHeavy(InMemoryFraudStateStore store, FraudStateBatch batch, SubjectKey subject, int network)
    {
        for (var p = 0; p < PathsPerNetwork; p++)
        {
            batch.Add(Operation(StateOperationKind.AddDistinct, subject, FraudFeature.Paths, T0.AddSeconds(p % 2), TimeSpan.FromMinutes(10), element: Element(network, p)));
        }

        Flush(store, batch);
    }

    private static void Flush(InMemoryFraudStateStore store, FraudStateBatch batch)
    {
        store.ApplyOperations(batch);
        batch.Clear();
        store.EndBatch();
    }

    /// <summary>The <paramref name="path"/>-th distinct path of a network: never 0, different for every network and path.</summary>
    private static ulong Element(int network, int path) => ((((ulong)(uint)network << 20) | (uint)(path + 1)) * 0x9E3779B97F4A7C15UL) | 1;

    private static StateResult Apply(InMemoryFraudStateStore store, FraudStateBatch batch, StateOperation op)
    {
        batch.Clear();
        batch.Add(op);
        store.ApplyOperations(batch);
        var result = batch.Result(0);
        batch.Clear();
        store.EndBatch();
        return result;
    }

    private static StateOperation Operation(StateOperationKind kind, SubjectKey subject, FraudFeature feature, DateTimeOffset at, TimeSpan window, long amount = 0, ulong element = 0) =>
        new() { Kind = kind, Subject = subject, Feature = feature, At = at, Window = window, Amount = amount, Element = element };

    private static SubjectKey Subject(SubjectKind kind, int n)
    {
        Span<byte> hash = stackalloc byte[16];
        BitConverter.TryWriteBytes(hash, (ulong)(n + 1) * 0x9E3779B97F4A7C15UL);
        BitConverter.TryWriteBytes(hash[8..], (ulong)n);
        return SubjectKey.From(kind, Pseudonym.FromHash(SubjectKey.PseudonymKindOf(kind), PseudonymScope.Fraud, 1, hash));
    }
}
