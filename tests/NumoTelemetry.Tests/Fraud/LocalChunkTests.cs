using System.Globalization;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// The engine hands the in-memory store its batch <see cref="FraudProcessor.LocalChunk"/> records at a time; any other store gets the
/// whole batch in one call. Both must judge the same traffic the same way: same alerts, same risk on every request.
/// </summary>
public sealed class LocalChunkTests
{
    [Theory]
    [InlineData(512)]
    [InlineData(FraudProcessor.LocalChunk + 1)]
    [InlineData(7)]
    public void ProcessAsync_InMemoryStoreInChunks_JudgesAsTheWholeBatchPath(int batchSize)
    {
        var key = NumoTelemetry.Pseudonymization.KeyRing.GenerateKey();
        using var chunked = new FraudHarness(key: key);
        using var whole = new FraudHarness(key: key, store: static memory => new WholeBatchStore(memory));
        var requests = new TrafficSimulator(7).Generate();
        var risks = 0;
        for (var start = 0; start < requests.Count; start += batchSize)
        {
            var slice = requests.GetRange(start, Math.Min(batchSize, requests.Count - start));
            var a = slice.Select(chunked.Record).ToArray();
            var b = slice.Select(whole.Record).ToArray();
            chunked.Run(a);
            whole.Run(b);
            for (var i = 0; i < a.Length; i++)
            {
                var expected = whole.RiskProvider.GetRisk(in b[i]);
                var actual = chunked.RiskProvider.GetRisk(in a[i]);
                Assert.Equal(expected.Score, actual.Score);
                Assert.Equal(expected.TopReason, actual.TopReason);
                risks += expected.HasRisk ? 1 : 0;
            }
        }

        chunked.FlushAlerts();
        whole.FlushAlerts();
        Assert.NotEmpty(whole.Alerts.All);
        Assert.Equal(whole.Alerts.All.Select(Describe), chunked.Alerts.All.Select(Describe));
        Assert.Equal(whole.Store.SubjectCount, chunked.Store.SubjectCount);
        Assert.True(risks > 0);
    }

    private static string Describe(NumoTelemetry.Alerts.FraudAlert alert) => string.Create(
        CultureInfo.InvariantCulture,
        $"{alert.Rule} {alert.SubjectKind} {alert.Subject} {alert.Score} {alert.Count} {alert.FirstSeen:O} {alert.LastSeen:O} {string.Join(",", alert.Evidence.Select(e => $"{e.Key}={e.Value}"))}");

    /// <summary>An in-memory store behind the store interface: the engine gives it whole batches.</summary>
    private sealed class WholeBatchStore(InMemoryFraudStateStore inner) : IFraudStateStore
    {
        public bool IsShared => false;

        public ValueTask ApplyAsync(FraudStateBatch batch, CancellationToken cancellationToken) => inner.ApplyAsync(batch, cancellationToken);

        public ValueTask ForgetKeyAsync(ushort keyId, CancellationToken cancellationToken) => inner.ForgetKeyAsync(keyId, cancellationToken);
    }
}
