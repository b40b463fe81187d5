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

        // A browsing visitor: one IP, one session, one visitor cookie, 5 page views and a successful login.
        var perBrowser = Measure(n, (store, batch, i) =>
        {
            var at = T0 + TimeSpan.FromMilliseconds(i);
            for (var page = 0; page < 5; page++)
            {
                var record = Record(harness, i, at, $"/p/{page}", page == 0);
                tracker.Plan(in record, batch);
            }
        });

        // Request-only subjects (an IP seen once, no cookies, and its prefix's long-window counts): the floor.
        var perIp = Measure(n, (store, batch, i) =>
        {
            var at = T0 + TimeSpan.FromMilliseconds(i);
            var record = Record(harness, i, at, "/", login: false, cookies: false);
            tracker.Plan(in record, batch);
        });

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"browsing visitor (IP + prefix + session + visitor + account + AS, 5 pages and a login): {perBrowser.Bytes:N0} bytes for {perBrowser.Subjects:N0} subjects = {perBrowser.PerSubject:N0} bytes/subject; per visitor {perBrowser.Bytes / (double)n:N0} bytes"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one-request IP (IP and its prefix, no cookies): {perIp.PerSubject:N0} bytes/subject"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1,000,000 active subjects: {perBrowser.PerSubject * 1_000_000 / (1 << 20):N0} MiB (browsing mix), {perIp.PerSubject * 1_000_000 / (1 << 20):N0} MiB (one-request IPs)"));

        // What a typical subject holds: the features of the last browsing visitor's subjects.
        var last = Record(harness, n - 1, T0 + TimeSpan.FromMilliseconds(n - 1), "/", login: true);
        foreach (var (kind, pseudonym) in new[] { (SubjectKind.Ip, last.Ip), (SubjectKind.IpPrefix, last.IpPrefix), (SubjectKind.Session, last.Session), (SubjectKind.Visitor, last.Visitor), (SubjectKind.User, last.User) })
        {
            output.WriteLine($"{SubjectKey.KindName(kind)}: {Features(perBrowser.Store, SubjectKey.From(kind, pseudonym))}");
        }

        Assert.InRange(perBrowser.PerSubject, 50, 300);
        Assert.InRange(perIp.PerSubject, 50, 300);
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

    private static (long Bytes, int Subjects, double PerSubject, InMemoryFraudStateStore Store) Measure(int n, Action<InMemoryFraudStateStore, FraudStateBatch, int> plan)
    {
        var batch = new FraudStateBatch(1 << 16);
        Warm(n, new InMemoryFraudStateStore(10_000_000), batch, plan);
        var store = new InMemoryFraudStateStore(10_000_000);
        var before = GC.GetTotalMemory(forceFullCollection: true);
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
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var subjects = store.SubjectCount;
        GC.KeepAlive(store);
        return (after - before, subjects, (after - before) / (double)subjects, store);
    }

    // Warms a store of its own with as many other subjects as are measured: the harness's bounded caches (the pseudonymizer's) are
    // full before the measurement starts, so what is measured is the store alone, from empty.
    private static void Warm(int n, InMemoryFraudStateStore store, FraudStateBatch batch, Action<InMemoryFraudStateStore, FraudStateBatch, int> plan)
    {
        for (var i = 0; i < n; i++)
        {
            plan(store, batch, 10_000_000 + i);
            if (batch.Count > 50_000)
            {
                store.ApplyAsync(batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                batch.Clear();
            }
        }

        store.ApplyAsync(batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        batch.Clear();
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
