using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NumoTelemetry.Alerts;
using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Tests.Storage;

public class StoredAlertFeedTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static FraudAlert Alert(string rule, RiskBand band, DateTimeOffset at, string subject = "k1.AAAAAAAAAAAAAAAAAAAAAA") =>
        new("id-" + Guid.NewGuid().ToString("N"), rule, band, 60, "ip", subject, at.AddMinutes(-5), at, 12, [], []);

    [Fact]
    public async Task Publish_AlertsCountedByRuleAndSeverity_SurviveRestart()
    {
        using var harness = new DashboardHarness(s_now);
        var feed = new StoredAlertFeed(harness.Store, NullLogger<StoredAlertFeed>.Instance);
        feed.Publish(Alert("credential-stuffing", RiskBand.Alert, s_now.AddMinutes(-30)));
        feed.Publish(Alert("credential-stuffing", RiskBand.Alert, s_now.AddMinutes(-20)));
        feed.Publish(Alert("scanner", RiskBand.Page, s_now.AddMinutes(-10)));
        feed.Publish(Alert("scanner", RiskBand.Page, s_now.AddDays(-3)));
        await feed.WritePendingAsync(default);

        harness.Restart();
        var overview = await harness.Query.FraudAsync(DashboardRange.Resolve("24h", s_now)!, default);
        Assert.Contains(overview.AlertsByRule, a => a.Rule == "credential-stuffing" && a.Count == 2);
        Assert.Contains(overview.AlertsByRule, a => a.Rule == "scanner" && a.Count == 1);
        Assert.Equal(3, overview.Latest.Count);
        Assert.Equal("scanner", overview.Latest[0].Rule);
    }

    [Fact]
    public async Task PurgeAlerts_RemovesOldOnly()
    {
        using var harness = new DashboardHarness(s_now);
        var feed = new StoredAlertFeed(harness.Store, NullLogger<StoredAlertFeed>.Instance);
        feed.Publish(Alert("burst", RiskBand.Alert, s_now.AddDays(-100)));
        feed.Publish(Alert("burst", RiskBand.Alert, s_now.AddDays(-1)));
        await feed.WritePendingAsync(default);
        Assert.Equal(1, await harness.Store.PurgeAlertsAsync(s_now.AddDays(-90), default));
        Assert.Single(await feed.GetAlertsAsync(DateTimeOffset.UnixEpoch, 100, default));
    }

    [Fact]
    public async Task WritePending_StoreFailure_KeepsTheAlertsQueuedAndThrowsForTheProcessorToCount()
    {
        var store = new ThrowingStore();
        var feed = new StoredAlertFeed(store, NullLogger<StoredAlertFeed>.Instance);
        feed.Publish(Alert("burst", RiskBand.Alert, s_now));
        await Assert.ThrowsAsync<IOException>(() => feed.WritePendingAsync(default).AsTask());
        Assert.True(store.Called);
        Assert.Equal(1, feed.PendingCount);
    }

    [Fact]
    public async Task Publish_ManyAlerts_OnlyQueuedThenWrittenByTheProcessorInOneBatch()
    {
        var store = new CountingStore();
        var feed = new StoredAlertFeed(store, NullLogger<StoredAlertFeed>.Instance);
        using var processor = new NumoTelemetry.Dashboard.Aggregation.DashboardProcessor(
            store,
            Microsoft.Extensions.Options.Options.Create(new DashboardOptions()),
            new NumoTelemetry.Dashboard.Aggregation.DashboardRouteFilter([]),
            new Microsoft.Extensions.Time.Testing.FakeTimeProvider(s_now),
            NullLogger<NumoTelemetry.Dashboard.Aggregation.DashboardProcessor>.Instance,
            alerts: feed);
        for (var i = 0; i < 50; i++)
        {
            feed.Publish(Alert("burst", RiskBand.Alert, s_now.AddSeconds(i)));
        }

        Assert.Empty(store.Batches); // nothing written on the fraud pipeline's thread
        Assert.Equal(50, (await feed.GetAlertsAsync(DateTimeOffset.UnixEpoch, 100, default)).Count); // but already visible

        await processor.WritePendingAsync(default);
        var batch = Assert.Single(store.Batches);
        Assert.Equal(50, batch.Count);
        Assert.Equal(0, feed.PendingCount);
        await processor.WritePendingAsync(default);
        Assert.Single(store.Batches);
    }

    [Fact]
    public void Publish_QueueFull_DropsAndCounts()
    {
        var store = new CountingStore();
        var feed = new StoredAlertFeed(store, NullLogger<StoredAlertFeed>.Instance);
        for (var i = 0; i < StoredAlertFeed.MaxPending + 5; i++)
        {
            feed.Publish(Alert("burst", RiskBand.Alert, s_now));
        }

        Assert.Equal(StoredAlertFeed.MaxPending, feed.PendingCount);
        Assert.Equal(5, feed.Dropped);
    }

    [Fact]
    public void Dispose_WritesWhatIsStillQueued()
    {
        var store = new CountingStore();
        var feed = new StoredAlertFeed(store, NullLogger<StoredAlertFeed>.Instance);
        feed.Publish(Alert("burst", RiskBand.Alert, s_now));
        feed.Publish(Alert("scanner", RiskBand.Page, s_now));
        feed.Dispose();
        Assert.Equal(2, Assert.Single(store.Batches).Count);
    }

    private sealed class CountingStore : IDashboardStore
    {
        public List<IReadOnlyList<DashboardAlert>> Batches { get; } = [];

        public ValueTask WriteAsync(IReadOnlyList<DashboardCell> cells, CancellationToken cancellationToken) => default;

        public ValueTask<IReadOnlyList<DashboardCell>> ReadAsync(DashboardCellQuery query, CancellationToken cancellationToken) => new([]);

        public ValueTask<int> PurgeAsync(DashboardGranularity granularity, DateTimeOffset cutoff, CancellationToken cancellationToken) => new(0);

        public ValueTask AppendAlertsAsync(IReadOnlyList<DashboardAlert> alerts, CancellationToken cancellationToken)
        {
            Batches.Add([.. alerts]);
            return default;
        }

        public ValueTask<IReadOnlyList<DashboardAlert>> ReadAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken) => new([]);

        public ValueTask<int> PurgeAlertsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => new(0);
    }

    private sealed class ThrowingStore : IDashboardStore
    {
        public bool Called { get; private set; }

        public ValueTask WriteAsync(IReadOnlyList<DashboardCell> cells, CancellationToken cancellationToken) => default;

        public ValueTask<IReadOnlyList<DashboardCell>> ReadAsync(DashboardCellQuery query, CancellationToken cancellationToken) => new([]);

        public ValueTask<int> PurgeAsync(DashboardGranularity granularity, DateTimeOffset cutoff, CancellationToken cancellationToken) => new(0);

        public ValueTask AppendAlertsAsync(IReadOnlyList<DashboardAlert> alerts, CancellationToken cancellationToken)
        {
            Called = true;
            throw new IOException("disk full");
        }

        public ValueTask<IReadOnlyList<DashboardAlert>> ReadAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken) => new([]);

        public ValueTask<int> PurgeAlertsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => new(0);
    }
}

public class StoredAlertFeedRegistrationTests
{
    [Fact]
    public void AddDashboard_RegistersOneFeedAsAlertSinkAndFeed()
    {
        var dir = Path.Combine(Path.GetTempPath(), "numo-feed-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNumoTelemetry(o => o.Pseudonymization.Keys["1"] = NumoTelemetry.Pseudonymization.KeyRing.GenerateKey())
            .AddDashboard(o => o.DatabasePath = Path.Combine(dir, "d.db"));
        using (var provider = services.BuildServiceProvider())
        {
            var sinks = provider.GetServices<IAlertSink>().ToList();
            var feed = provider.GetRequiredService<IDashboardAlertFeed>();
            Assert.Contains(sinks, s => ReferenceEquals(s, feed));
        }

        Directory.Delete(dir, recursive: true);
    }
}
