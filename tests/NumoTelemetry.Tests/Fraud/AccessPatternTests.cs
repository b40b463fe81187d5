using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>The access-pattern counts the detectors read, through the tracker and the in-memory store.</summary>
public sealed class AccessPatternTests
{
    private static AccessPattern Run(FraudHarness harness, InMemoryFraudStateStore store, SimRequest request)
    {
        var tracker = new AccessPatternTracker(harness.Options.Fraud);
        var batch = new FraudStateBatch();
        var record = harness.Record(request);
        var plan = tracker.Plan(in record, batch);
        store.ApplyAsync(batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return AccessPatternTracker.Read(in record, in plan, batch);
    }

    [Fact]
    public void Plan_SessionsPerIp_CountsDistinctSessionsAndTheirRequests()
    {
        using var harness = new FraudHarness();
        var store = new InMemoryFraudStateStore(10_000);
        AccessPattern last = default;
        for (var i = 0; i < 40; i++)
        {
            last = Run(harness, store, new SimRequest(FraudHarness.Start + TimeSpan.FromSeconds(i), "92.184.1.1", "/p") { Session = $"s{i % 10}" });
        }

        Assert.Equal(10, last.IpSessions);
        Assert.Equal(40, last.IpSessionRequests);
        Assert.Equal(1, last.IpUserAgents);
    }

    [Fact]
    public void Plan_SuccessfulLogins_CountsAccountsPerIpAndIpsPerAccount()
    {
        using var harness = new FraudHarness();
        var store = new InMemoryFraudStateStore(10_000);
        AccessPattern last = default;
        for (var i = 0; i < 12; i++)
        {
            last = Run(harness, store, new SimRequest(FraudHarness.Start + TimeSpan.FromSeconds(i), "198.51.100.7", "/login") { Signal = SignalKind.LoginSucceeded, User = $"employee{i}" });
        }

        Assert.Equal(12, last.IpLoginUsers);

        // A failed login adds no account; a page view still reads the count.
        last = Run(harness, store, new SimRequest(FraudHarness.Start + TimeSpan.FromSeconds(20), "198.51.100.7", "/login") { Signal = SignalKind.LoginFailed, User = "intruder" });
        Assert.Equal(12, last.IpLoginUsers);
        last = Run(harness, store, new SimRequest(FraudHarness.Start + TimeSpan.FromSeconds(21), "198.51.100.7", "/"));
        Assert.Equal(12, last.IpLoginUsers);

        for (var i = 0; i < 3; i++)
        {
            last = Run(harness, store, new SimRequest(FraudHarness.Start + TimeSpan.FromMinutes(i + 1), $"81.2.3.{i}", "/login") { Signal = SignalKind.LoginSucceeded, User = "traveller" });
        }

        Assert.Equal(3, last.UserLoginIps);
    }

    [Fact]
    public void EstimatedClients_UsesOnlyEvidenceThatCannotBeRotatedCheaply()
    {
        var pattern = new AccessPattern { IpRequests = 1000, IpReturningClients = 2, IpLoginUsers = 5, IpSessions = 100, IpSessionRequests = 900, IpUserAgents = 40 };
        Assert.Equal(100, pattern.EstimatedClients(3));

        // Sessions rotated every request or two: not evidence.
        pattern.IpSessionRequests = 200;
        Assert.Equal(40, pattern.EstimatedClients(3));

        // User-Agents rotated too: only the verified cookies and logged-in accounts remain.
        pattern.IpUserAgents = 600;
        Assert.Equal(5, pattern.EstimatedClients(3));

        Assert.Equal(1, default(AccessPattern).EstimatedClients(3));
    }
}
