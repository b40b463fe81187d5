using System.Buffers;
using System.Globalization;
using System.Text.Json;
using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;
using Xunit.Abstractions;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// Measures the in-memory state's bytes per subject (managed heap after a full collection) for typical subjects, and the figure for
/// one million. Printed to the test output; quoted in docs/fraud.md.
/// </summary>
[Collection(AllocationCollection.Name)] // measures the process heap: runs alone, after the parallel tests
public sealed class FraudMemoryTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Store_TypicalSubjects_BytesPerSubjectAreBounded()
    {
        const int n = 50_000;
        using var harness = new FraudHarness();
        var tracker = new AccessPatternTracker(harness.Options.Fraud);

        // What a typical subject holds: the features of the last browsing visitor's subjects.
        var last = Record(harness, n - 1, T0 + TimeSpan.FromMilliseconds(n - 1), "/", login: true);
        string Typical(InMemoryFraudStateStore store) => string.Join(
            Environment.NewLine,
            new[] { (SubjectKind.Ip, last.Ip), (SubjectKind.IpPrefix, last.IpPrefix), (SubjectKind.Session, last.Session), (SubjectKind.Visitor, last.Visitor), (SubjectKind.User, last.User) }
                .Select(s => $"{SubjectKey.KindName(s.Item1)}: {Features(store, SubjectKey.From(s.Item1, s.Item2))}"));

        // A browsing visitor: one IP, one session, one visitor cookie, 5 page views and a successful login.
        var perBrowser = Measure(
            n,
            (store, batch, i) =>
            {
                var at = T0 + TimeSpan.FromMilliseconds(i);
                for (var page = 0; page < 5; page++)
                {
                    var record = Record(harness, i, at, $"/p/{page}", page == 0);
                    tracker.Plan(in record, batch);
                }
            },
            Typical);

        // Request-only subjects (an IP seen once, no cookies, and its prefix's long-window counts): the floor.
        var perIp = Measure(
            n,
            (store, batch, i) =>
            {
                var at = T0 + TimeSpan.FromMilliseconds(i);
                var record = Record(harness, i, at, "/", login: false, cookies: false);
                tracker.Plan(in record, batch);
            },
            static _ => string.Empty);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"browsing visitor (IP + prefix + session + visitor + account + AS, 5 pages and a login): {perBrowser.Bytes:N0} bytes for {perBrowser.Subjects:N0} subjects = {perBrowser.PerSubject:N0} bytes/subject; per visitor {perBrowser.Bytes / (double)n:N0} bytes"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one-request IP (IP and its prefix, no cookies): {perIp.PerSubject:N0} bytes/subject"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1,000,000 active subjects: {perBrowser.PerSubject * 1_000_000 / (1 << 20):N0} MiB (browsing mix), {perIp.PerSubject * 1_000_000 / (1 << 20):N0} MiB (one-request IPs)"));
        output.WriteLine(perBrowser.Typical);

        Assert.InRange(perBrowser.PerSubject, 50, 300);
        Assert.InRange(perIp.PerSubject, 50, 300);
    }

    [Fact]
    public void Store_HeavyFloodFromManyNetworks_HeapStaysNearTheByteBound()
    {
        // A client sending 70 distinct paths (past the exact count of 64 in one generation) from each of 6,000 IPv6 /64s: each
        // address's path counts become HyperLogLogs of a KiB or more. Unbounded, that is several times the memory the same
        // number of typical subjects would hold; Fraud:MaxStateBytes holds the heap near its bound.
        const int networks = 6_000;
        const int paths = 70;
        const long maxBytes = 8L << 20;
        using var harness = new FraudHarness();
        var tracker = new AccessPatternTracker(harness.Options.Fraud);
        void Flood(InMemoryFraudStateStore store, FraudStateBatch batch, int i)
        {
            var ip = string.Create(CultureInfo.InvariantCulture, $"2001:db8:{(i >> 16) & 0xFFFF:x}:{i & 0xFFFF:x}::1");
            for (var p = 0; p < paths; p++)
            {
                var record = harness.Record(new SimRequest(T0 + TimeSpan.FromMilliseconds((i * 100L) + p), ip, $"/wp-admin/{p}.php"));
                tracker.Plan(in record, batch);
            }
        }

        var unbounded = Measure(networks, Flood, static _ => string.Empty, maxBytes: 1L << 40);
        var bounded = Measure(networks, Flood, static _ => string.Empty, maxBytes);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"heavy flood, {networks:N0} networks x {paths} paths: unbounded {unbounded.Bytes / (1 << 20):N1} MiB for {unbounded.Subjects:N0} subjects ({unbounded.PerSubject:N0} bytes/subject); bounded at {maxBytes / (1 << 20)} MiB: {bounded.Bytes / (double)(1 << 20):N1} MiB for {bounded.Subjects:N0} subjects"));
        Assert.True(unbounded.Bytes > 3 * maxBytes, $"the flood alone holds {unbounded.Bytes:N0} bytes (the test's premise)");
        Assert.True(bounded.Bytes <= maxBytes * 5 / 4, $"{bounded.Bytes:N0} bytes retained with a bound of {maxBytes:N0}");
    }

    private static string Features(InMemoryFraudStateStore store, SubjectKey subject)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            store.Describe(subject, writer);
            writer.WriteEndObject();
        }

        using var json = JsonDocument.Parse(buffer.WrittenMemory);
        return json.RootElement.TryGetProperty("features", out var features)
            ? string.Join(", ", features.EnumerateArray().Select(f => $"{f.GetProperty("name").GetString()} ({f.GetProperty("kind").GetString()})"))
            : "(not held)";
    }

    // The store's retained bytes: the heap with the store less the heap once it is dropped, each after full compacting collections.
    // Only the store differs between the two readings (a reading before the store is filled would also count the space its array
    // growth freed, which the collector reports as fragmentation, and whatever else moved meanwhile).
    private static (long Bytes, int Subjects, double PerSubject, string Typical) Measure(int n, Action<InMemoryFraudStateStore, FraudStateBatch, int> plan, Func<InMemoryFraudStateStore, string> describe, long maxBytes = NumoTelemetry.Fraud.FraudOptions.DefaultMaxStateBytes)
    {
        var batch = new FraudStateBatch(1 << 16);
        var (subjects, typical, with) = Fill(n, batch, plan, describe, maxBytes);
        var without = HeapAfterFullCollection();
        GC.KeepAlive(batch);
        var bytes = with - without;
        return (bytes, subjects, bytes / (double)subjects, typical);
    }

    // Fills a store in its own frame, reads the heap while it is alive and returns only numbers and text: once this returns, nothing
    // refers to the store.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (int Subjects, string Typical, long Heap) Fill(int n, FraudStateBatch batch, Action<InMemoryFraudStateStore, FraudStateBatch, int> plan, Func<InMemoryFraudStateStore, string> describe, long maxBytes)
    {
        var store = new InMemoryFraudStateStore(10_000_000, maxBytes);
        for (var i = 0; i < n; i++)
        {
            plan(store, batch, i);
            if (batch.Count > 50_000)
            {
                store.ApplyAsync(batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                batch.Clear();
            }
        }

        store.ApplyAsync(batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        batch.Clear();
        var typical = describe(store);
        var heap = HeapAfterFullCollection();
        GC.KeepAlive(store);
        return (store.SubjectCount, typical, heap);
    }

    private static long HeapAfterFullCollection()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    private static RequestRecord Record(FraudHarness harness, int i, DateTimeOffset at, string path, bool login, bool cookies = true)
    {
        var ip = $"{10 + ((i >> 16) & 0x7F)}.{(i >> 8) & 0xFF}.{i & 0xFF}.{1 + ((i >> 23) & 0x3F)}";
        var request = new SimRequest(at, ip, path)
        {
            Session = cookies ? $"s{i}" : null,
            Visitor = cookies ? $"v{i}" : null,
            Signal = login ? NumoTelemetry.Records.SignalKind.LoginSucceeded : NumoTelemetry.Records.SignalKind.None,
            User = login ? $"u{i}" : null,
            Geo = new Records.GeoFacts { Asn = 3215 + (i % 50), CountryIsoCode = "FR", Latitude = 48.8, Longitude = 2.3, AccuracyRadiusKm = 20 },
        };
        return harness.Record(request);
    }
}
