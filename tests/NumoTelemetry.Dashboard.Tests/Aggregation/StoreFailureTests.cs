using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Storage;
using NumoTelemetry.Dashboard.Tests.Infrastructure;
using NumoTelemetry.Pipeline;
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
        Assert.Equal(2, storeErrors);
        var dashboardLogs = logs.GetSnapshot().Where(r => r.Category == typeof(DashboardProcessor).FullName).ToList();
        Assert.Single(dashboardLogs, r => r.Id.Name == "DashboardStoreFailing" && r.Level == LogLevel.Error);
        Assert.Single(dashboardLogs, r => r.Id.Name == "DashboardStoreRecovered");
        Assert.DoesNotContain(dashboardLogs, r => r.Id.Name == "DashboardStoreWriteFailed");

        // The cells of the failed writes were kept and written on recovery.
        var day = Assert.Single(await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Day, DashboardDimensions.Total, s_t0.AddDays(-1), s_t0.AddDays(1)), default));
        Assert.Equal(4, day.PageViews);
    }
}
