using System.Globalization;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// A flood of new client addresses, each making one request, must not evict the state that carries evidence: an account's
/// failed logins in particular. The store holds 10,000 subjects and twice that many new addresses arrive between two of the
/// attacker's failed logins; brute force on the account must still be judged on the 10th failure, not later.
/// </summary>
public sealed class EvictionFloodTests
{
    private const int Capacity = 10_000;
    private const int FloodPerFailure = 2 * Capacity;
    private static readonly DateTimeOffset T0 = FraudHarness.Start;

    public static TheoryData<string> Floods => new() { "one-ipv6-64", "ipv6-64s", "ipv4" };

    /// <summary>The n-th flood address: all in one IPv6 /64, each in its own /64 of one /48, or IPv4 addresses over many /24s.</summary>
    private static string Address(string flood, int n) => flood switch
    {
        "one-ipv6-64" => string.Create(CultureInfo.InvariantCulture, $"2001:db8:1:2:{(n >> 16) & 0xFFFF:x}:{n & 0xFFFF:x}:{(n * 7) & 0xFFFF:x}:1"),
        "ipv6-64s" => string.Create(CultureInfo.InvariantCulture, $"2001:db8:1:{n & 0xFFFF:x}::1"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{11 + ((n >> 16) & 0x3F)}.{(n >> 8) & 0xFF}.{n & 0xFF}.{1 + ((n >> 22) & 0x7F)}"),
    };

    [Theory]
    [MemberData(nameof(Floods))]
    public void BruteForce_DuringAFloodOfOneRequestAddresses_IsJudgedAtTheThreshold(string flood)
    {
        using var h = new FraudHarness(o => o.Fraud.MaxSubjects = Capacity);
        using var evicted = new MetricCollector<long>(h.MeterFactory, "NumoTelemetry", "numo.fraud.subjects.evicted");
        var threshold = h.Options.Fraud.AccountBruteForce.MinFailures;
        var at = T0;
        var n = 0;
        var batch = new List<RequestRecord>(1024);
        for (var failure = 1; failure <= threshold; failure++)
        {
            // The attacker's failed login on the account, from one address of its own.
            batch.Add(h.Record(new SimRequest(at, "198.51.100.7", "/login") { Method = "POST", Status = 401, Signal = SignalKind.LoginFailed, User = "victim@example.com" }));
            h.Run([.. batch]);
            batch.Clear();
            var judged = h.Processor.Scores.ValueOf(h.Subject(SubjectKind.User, "victim@example.com"), ReasonCodes.AccountBruteForce, at);
            if (failure < threshold)
            {
                Assert.True(judged == 0, $"brute force judged after {failure} failures");
            }
            else
            {
                Assert.True(judged > 0, $"brute force not judged at {failure} failures (the account's counter was evicted)");
            }

            if (failure == threshold)
            {
                break;
            }

            // Then twice the store's capacity in new addresses, one request each, over the next two minutes.
            for (var i = 0; i < FloodPerFailure; i++, n++)
            {
                at += TimeSpan.FromMilliseconds(6);
                batch.Add(h.Record(new SimRequest(at, Address(flood, n), "/")));
                if (batch.Count == 1024)
                {
                    h.Run([.. batch]);
                    batch.Clear();
                }
            }
        }

        Assert.True(h.Store.SubjectCount <= Capacity, $"{h.Store.SubjectCount} subjects held");
        Assert.Equal(EvictionClass.Evidence, h.Store.ClassOf(h.Subject(SubjectKind.User, "victim@example.com")));
        Assert.Equal(EvictionClass.Evidence, h.Store.ClassOf(h.Subject(SubjectKind.Ip, "198.51.100.7")));

        // What was evicted, by class: only one-request subjects (none at all for one /64: it is one subject).
        Assert.Equal(0, Evicted(evicted, "evidence"));
        Assert.Equal(0, Evicted(evicted, "repeat"));
        Assert.Equal(h.Store.EvictedOverBound(EvictionClass.New), Evicted(evicted, "new"));
        if (flood == "one-ipv6-64")
        {
            Assert.Equal(0, Evicted(evicted, "new"));
        }
        else
        {
            Assert.True(Evicted(evicted, "new") >= (threshold - 1) * FloodPerFailure - Capacity, $"{Evicted(evicted, "new")} evicted from probation");
        }
    }

    public static TheoryData<string> EvidenceFloods => new() { "failed-logins", "own-account-logins", "sign-ups" };

    /// <summary>The n-th request of a flood that carries evidence, each from a fresh address in its own /24.</summary>
    private static SimRequest EvidenceFlood(string flood, int n, DateTimeOffset at) => flood switch
    {
        // a list of accounts tried once each (credential stuffing), or made-up names meant to blind the engine
        "failed-logins" => new SimRequest(at, Address("ipv4", n), "/login")
        {
            Method = "POST", Status = 401, Signal = SignalKind.LoginFailed, User = string.Create(CultureInfo.InvariantCulture, $"user{n}@example.org"),
        },

        // the attacker's own account, logging in from every address it has
        "own-account-logins" => new SimRequest(at, Address("ipv4", n), "/login") { Method = "POST", Status = 200, Signal = SignalKind.LoginSucceeded, User = "attacker@example.org" },

        // a sign-up for a new name from each address, with a fresh visitor cookie
        _ => new SimRequest(at, Address("ipv4", n), "/signup")
        {
            Method = "POST", Status = 200, Signal = SignalKind.SignUp, User = string.Create(CultureInfo.InvariantCulture, $"new{n}@example.org"),
            Visitor = string.Create(CultureInfo.InvariantCulture, $"v{n}"), VisitorIssued = true,
        },
    };

    [Theory]
    [MemberData(nameof(EvidenceFloods))]
    public void EvidenceFromFreshAddresses_EvictsOnlyItsOwnKind(string flood)
    {
        // Every request of such a flood brings subjects that are evidence from that one request (an account, an address, a
        // prefix, a device). They take each other's place, never that of the clients the site sees again, of an account
        // attacked twice, or of the profile of an account that logged in once (what account takeover is judged against).
        using var h = new FraudHarness(o => o.Fraud.MaxSubjects = Capacity);
        using var evicted = new MetricCollector<long>(h.MeterFactory, "NumoTelemetry", "numo.fraud.subjects.evicted");
        var at = T0;
        var batch = new List<RequestRecord>(1024);
        void Send(SimRequest request)
        {
            batch.Add(h.Record(request));
            if (batch.Count == 1024)
            {
                h.Run([.. batch]);
                batch.Clear();
            }
        }

        string Client(int i) => string.Create(CultureInfo.InvariantCulture, $"100.64.{i >> 8}.{i & 0xFF}");
        for (var visit = 0; visit < 2; visit++)
        {
            for (var i = 0; i < 2_000; i++)
            {
                Send(new SimRequest(at += TimeSpan.FromMilliseconds(10), Client(i), "/"));
            }
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            Send(new SimRequest(at += TimeSpan.FromSeconds(1), "198.51.100.7", "/login") { Method = "POST", Status = 401, Signal = SignalKind.LoginFailed, User = "victim@example.com" });
        }

        Send(new SimRequest(at += TimeSpan.FromSeconds(1), "203.0.113.9", "/login") { Method = "POST", Status = 200, Signal = SignalKind.LoginSucceeded, User = "regular@example.com" });
        for (var n = 0; n < 3 * Capacity; n++)
        {
            Send(EvidenceFlood(flood, n, at += TimeSpan.FromMilliseconds(6)));
        }

        h.Run([.. batch]);
        Assert.True(h.Store.SubjectCount <= Capacity, $"{h.Store.SubjectCount} subjects held");
        for (var i = 0; i < 2_000; i++)
        {
            Assert.Equal(EvictionClass.Repeat, h.Store.ClassOf(h.Subject(SubjectKind.Ip, Client(i))));
        }

        Assert.Equal(EvictionClass.Evidence, h.Store.ClassOf(h.Subject(SubjectKind.User, "victim@example.com")));
        Assert.Equal(EvictionClass.Evidence, h.Store.ClassOf(h.Subject(SubjectKind.User, "regular@example.com")));
        Assert.Equal(0, Evicted(evicted, "repeat"));
        Assert.Equal(0, Evicted(evicted, "evidence"));
        var onProbation = Evicted(evicted, "new-evidence");
        Assert.True(onProbation >= (3 * Capacity) - Capacity, $"{onProbation} evicted from evidence on probation");
    }

    [Fact]
    public void BruteForce_InBurstsOfOneMillisecond_BetweenFloodsOfMadeUpAccounts_IsJudgedAtTheThreshold()
    {
        // Parallel requests (HTTP/2) or a replayed log with whole seconds put several failures in one millisecond: one use of the
        // account by time, but a second attempt all the same. The account is evidence from its second failure, so the floods
        // of made-up accounts between the bursts cannot reset its count.
        const int capacity = 2_000;
        using var h = new FraudHarness(o => o.Fraud.MaxSubjects = capacity);
        var threshold = h.Options.Fraud.AccountBruteForce.MinFailures;
        var at = T0;
        var n = 0;
        var batch = new List<RequestRecord>(1024);
        for (var failures = 0; failures < threshold;)
        {
            at += TimeSpan.FromSeconds(1);
            for (var i = 0; i < 2 && failures < threshold; i++, failures++)
            {
                batch.Add(h.Record(new SimRequest(at, "198.51.100.7", "/login") { Method = "POST", Status = 401, Signal = SignalKind.LoginFailed, User = "victim@example.com" }));
            }

            h.Run([.. batch]);
            batch.Clear();
            var judged = h.Processor.Scores.ValueOf(h.Subject(SubjectKind.User, "victim@example.com"), ReasonCodes.AccountBruteForce, at);
            Assert.True(failures < threshold ? judged == 0 : judged > 0, $"brute force {(judged > 0 ? "judged" : "not judged")} after {failures} failures");
            for (var k = 0; k < capacity; k++, n++) // three subjects of evidence on probation each: well beyond its share
            {
                batch.Add(h.Record(EvidenceFlood("failed-logins", n, at += TimeSpan.FromMilliseconds(6))));
                if (batch.Count == 1024)
                {
                    h.Run([.. batch]);
                    batch.Clear();
                }
            }

            h.Run([.. batch]);
            batch.Clear();
        }
    }

    /// <summary>The subjects evicted from one class so far, as <c>numo.fraud.subjects.evicted</c> reports them.</summary>
    private static long Evicted(MetricCollector<long> evicted, string evictionClass)
    {
        evicted.RecordObservableInstruments();
        return evicted.GetMeasurementSnapshot().Last(m => (string?)m.Tags["numo.class"] == evictionClass).Value;
    }

    [Fact]
    public void Flood_FromOneIPv6Slash64_IsCountedAndJudgedAsOneClient()
    {
        // Addresses within a /64 cost an attacker nothing: the fraud "ip" of an IPv6 client is its /64, so the flood is one
        // client making thousands of requests a minute (a burst), not thousands of clients making one each.
        using var h = new FraudHarness(o => o.Fraud.MaxSubjects = Capacity);
        var at = T0;
        var records = new List<RequestRecord>();
        for (var i = 0; i < 1_000; i++)
        {
            at += TimeSpan.FromMilliseconds(6);
            records.Add(h.Record(new SimRequest(at, Address("one-ipv6-64", i), "/")));
        }

        h.Run([.. records]);
        Assert.Equal(h.Subject(SubjectKind.Ip, "2001:db8:1:2::1"), h.Subject(SubjectKind.Ip, "2001:db8:1:2:ffff:1:2:3"));
        Assert.NotEqual(h.Subject(SubjectKind.Ip, "2001:db8:1:2::1"), h.Subject(SubjectKind.Ip, "2001:db8:1:3::1"));
        Assert.True(h.Processor.Scores.ValueOf(h.Subject(SubjectKind.Ip, "2001:db8:1:2::1"), ReasonCodes.Burst, at) > 0);
        Assert.True(h.Store.SubjectCount < 10, $"{h.Store.SubjectCount} subjects for one /64");
    }
}
