using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Sketches;
using NumoTelemetry.Dashboard.Storage;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Aggregation;

/// <summary>A real SQLite file locked by another connection: the dashboard's writes fail, are counted and retried.</summary>
public sealed class StoreFailureTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 10, 14, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task WritePendingAsync_StoreLockedThenReleased_CountsFailuresLogsOnceEachWayAndKeepsTheCells()
    {
        var path = _dir.File("locked.db");
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(s_t0));
        services.AddSingleton<IDashboardStore>(_ => new SqliteDashboardStore(path, busyTimeoutSeconds: 1));
        services.AddNumoTelemetry(o => o.Pseudonymization.Keys["1"] = NumoTelemetry.Pseudonymization.KeyRing.GenerateKey()).AddDashboard();
        await using var provider = services.BuildServiceProvider();
        var processor = provider.GetServices<IRequestRecordProcessor>().OfType<DashboardProcessor>().Single();
        var store = (SqliteDashboardStore)provider.GetRequiredService<IDashboardStore>();
        var meterFactory = provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var errors = new MetricCollector<long>(meterFactory, "NumoTelemetry", "numo.errors");
        var logs = provider.GetFakeLogCollector();

        // A first write while the store works: the day's secret is stored, earlier days' secrets deleted.
        await processor.ProcessAsync(new[] { View(s_t0, "a") }, default);
        await processor.WritePendingAsync(default);

        using (var locker = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            locker.Open();
            using (var begin = locker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }

            await processor.ProcessAsync(new[] { View(s_t0, "a"), View(s_t0, "b") }, default);
            await processor.WritePendingAsync(default);
            await processor.ProcessAsync(new[] { View(s_t0.AddMinutes(1), "c") }, default);
            await processor.WritePendingAsync(default);
        }

        await processor.ProcessAsync(new[] { View(s_t0.AddMinutes(2), "d") }, default);
        await processor.WritePendingAsync(default);
        await processor.WritePendingAsync(default);

        var storeErrors = errors.GetMeasurementSnapshot().Where(m => Equals(m.Tags["numo.stage"], "dashboard_store")).Sum(m => m.Value);
        Assert.Equal(2, storeErrors); // one per failed write
        Assert.Equal(0, processor.StoreFailures);
        var dashboardLogs = logs.GetSnapshot().Where(r => r.Category == typeof(DashboardProcessor).FullName).ToList();
        Assert.Single(dashboardLogs, r => r.Id.Name == "DashboardStoreFailing" && r.Level == LogLevel.Error);
        Assert.Single(dashboardLogs, r => r.Id.Name == "DashboardStoreRecovered");
        Assert.DoesNotContain(dashboardLogs, r => r.Id.Name == "DashboardStoreWriteFailed");

        // The cells of the failed writes were kept and written on recovery.
        var day = Assert.Single(await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Day, DashboardDimensions.Total, s_t0.AddDays(-1), s_t0.AddDays(1)), default));
        Assert.Equal(5, day.PageViews);
        Assert.Equal(4, HyperLogLog.FromBytes(day.Visitors).Count());
    }

    [Fact]
    public async Task WritePendingAsync_StoreFailsBeyondTheRetryBuffer_DropsAndCountsTheRecords()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        await using var provider = services.BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var metrics = new NumoTelemetry.Metrics.NumoTelemetryMetrics(meterFactory, Microsoft.Extensions.Options.Options.Create(new NumoTelemetryOptions()));
        using var dropped = new MetricCollector<long>(meterFactory, "NumoTelemetry", "numo.pipeline.records.dropped");
        using var errors = new MetricCollector<long>(meterFactory, "NumoTelemetry", "numo.errors");
        var logs = new FakeLogCollector();
        var options = new DashboardOptions();
        using var processor = new DashboardProcessor(
            new ThrowingStore(),
            Microsoft.Extensions.Options.Options.Create(options),
            new DashboardRouteFilter(options.ExcludedRoutePrefixes),
            new FakeTimeProvider(s_t0),
            new FakeLogger<DashboardProcessor>(logs),
            metrics: metrics);

        // About 11 cells per record in distinct minutes: beyond DashboardProcessor.MaxRetainedCells.
        var records = new RequestRecord[5000];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = View(s_t0.AddMinutes(i), "v" + (i % 40));
        }

        await processor.ProcessAsync(records, default);
        Assert.True(processor.PendingCount > DashboardProcessor.MaxRetainedCells);
        await processor.WritePendingAsync(default);

        Assert.Equal(0, processor.PendingCount);
        Assert.Equal(5000, dropped.GetMeasurementSnapshot().Where(m => Equals(m.Tags["numo.reason"], "dashboard_store")).Sum(m => m.Value));
        Assert.True(errors.GetMeasurementSnapshot().Where(m => Equals(m.Tags["numo.stage"], "dashboard_store")).Sum(m => m.Value) >= 1);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "DashboardStoreCellsDropped");
        Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "DashboardStoreFailing");
    }

    [Fact]
    public async Task WritePendingAsync_AlertWriteFailsThenWorks_CountsTheFailureAndWritesTheAlertLater()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        await using var provider = services.BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var metrics = new NumoTelemetry.Metrics.NumoTelemetryMetrics(meterFactory, Microsoft.Extensions.Options.Options.Create(new NumoTelemetryOptions()));
        using var errors = new MetricCollector<long>(meterFactory, "NumoTelemetry", "numo.errors");
        var logs = new FakeLogCollector();
        using var sqlite = new SqliteDashboardStore(_dir.File("alerts.db"));
        var store = new AlertFailingStore(sqlite) { Failing = true };
        var feed = new StoredAlertFeed(store, new FakeLogger<StoredAlertFeed>(logs));
        var options = new DashboardOptions();
        using var processor = new DashboardProcessor(
            store,
            Microsoft.Extensions.Options.Options.Create(options),
            new DashboardRouteFilter(options.ExcludedRoutePrefixes),
            new FakeTimeProvider(s_t0),
            new FakeLogger<DashboardProcessor>(logs),
            alerts: feed,
            metrics: metrics);
        await processor.WritePendingAsync(default); // the start-up work on a working store

        feed.Publish(new NumoTelemetry.Alerts.FraudAlert("id-1", "burst", NumoTelemetry.Records.RiskBand.Alert, 80, "ip", "k1.AAAAAAAAAAAAAAAAAAAAAA", s_t0, s_t0, 1, [], []));
        await processor.WritePendingAsync(default);

        Assert.Equal(1, errors.GetMeasurementSnapshot().Where(m => Equals(m.Tags["numo.stage"], "dashboard_store")).Sum(m => m.Value));
        Assert.Equal(1, feed.PendingCount);

        store.Failing = false;
        await processor.WritePendingAsync(default);

        Assert.Equal(0, feed.PendingCount);
        Assert.Single(await sqlite.ReadAlertsAsync(DateTimeOffset.UnixEpoch, 10, default));
        Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "DashboardStoreFailing");
        Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "DashboardStoreRecovered");
    }

    private sealed class AlertFailingStore(SqliteDashboardStore inner) : IDashboardStore
    {
        public bool Failing { get; set; }

        public ValueTask WriteAsync(IReadOnlyList<DashboardCell> cells, CancellationToken cancellationToken) => inner.WriteAsync(cells, cancellationToken);

        public ValueTask<IReadOnlyList<DashboardCell>> ReadAsync(DashboardCellQuery query, CancellationToken cancellationToken) => inner.ReadAsync(query, cancellationToken);

        public ValueTask<int> PurgeAsync(DashboardGranularity granularity, DateTimeOffset cutoff, CancellationToken cancellationToken) => inner.PurgeAsync(granularity, cutoff, cancellationToken);

        public ValueTask AppendAlertsAsync(IReadOnlyList<DashboardAlert> alerts, CancellationToken cancellationToken) =>
            Failing ? throw new IOException("disk full") : inner.AppendAlertsAsync(alerts, cancellationToken);

        public ValueTask<IReadOnlyList<DashboardAlert>> ReadAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken) => inner.ReadAlertsAsync(since, max, cancellationToken);

        public ValueTask<int> PurgeAlertsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => inner.PurgeAlertsAsync(cutoff, cancellationToken);
    }

    private sealed class ThrowingStore : IDashboardStore
    {
        public ValueTask WriteAsync(IReadOnlyList<DashboardCell> cells, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask<IReadOnlyList<DashboardCell>> ReadAsync(DashboardCellQuery query, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask<int> PurgeAsync(DashboardGranularity granularity, DateTimeOffset cutoff, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask AppendAlertsAsync(IReadOnlyList<DashboardAlert> alerts, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask<IReadOnlyList<DashboardAlert>> ReadAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask<int> PurgeAlertsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask<byte[]> GetOrAddDaySecretAsync(DateOnly day, byte[] candidate, CancellationToken cancellationToken) => throw new IOException("disk full");

        public ValueTask<int> DeleteDaySecretsAsync(DateOnly before, CancellationToken cancellationToken) => throw new IOException("disk full");
    }
}
