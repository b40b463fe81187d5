using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard.PostgreSql.Internal;
using NumoTelemetry.Dashboard.Tests.Conformance;
using NumoTelemetry.Metrics;

namespace NumoTelemetry.Dashboard.PostgreSql.Tests;

/// <summary>
/// The database goes away and comes back (a server of its own, stopped and started on the same port): cells wait in the
/// bounded outbox and are written exactly once when it returns; losses beyond the bound and at shutdown are counted; the
/// outage is logged once and the recovery once; writes never throw.
/// </summary>
public sealed class OutageTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 10, 14, 0, 0, TimeSpan.Zero);
    private readonly PostgreSqlServer _server = new();
    private readonly ServiceProvider _services;
    private readonly NumoTelemetryMetrics _metrics;
    private readonly MetricCollector<long> _errors;
    private readonly MetricCollector<long> _dropped;
    private readonly FakeLogCollector _logs;
    private readonly ILogger<PostgreSqlDashboardStore> _logger;

    public OutageTests()
    {
        _services = new ServiceCollection().AddMetrics().AddFakeLogging().BuildServiceProvider();
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        _metrics = new NumoTelemetryMetrics(meterFactory, Options.Create(new NumoTelemetryOptions()));
        _errors = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.errors");
        _dropped = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.pipeline.records.dropped");
        _logs = _services.GetFakeLogCollector();
        _logger = _services.GetRequiredService<ILogger<PostgreSqlDashboardStore>>();
    }

    public void Dispose()
    {
        _errors.Dispose();
        _dropped.Dispose();
        _services.Dispose();
        _server.Dispose();
    }

    [SkippableFact]
    public async Task WriteAsync_DatabaseDownThenBack_KeptRetriedWrittenOnceLoggedOnceEachWay()
    {
        Skip.IfNot(_server.Available, PostgreSqlServer.MissingMessage);
        await using var store = Open(c => c.MaxRetryDelay = TimeSpan.FromMilliseconds(500));
        await store.WriteAsync([Total(s_t0, 1)], default);
        await TestStores.SettleAsync(store);

        _server.Stop();
        for (var i = 0; i < 20; i++)
        {
            await store.WriteAsync([Total(s_t0.AddMinutes(i % 3), 2), DashboardStoreConformanceTests.Cell(s_t0, "ref", 1, i, 2)], default);
            await store.AppendAlertsAsync([new DashboardAlert { Timestamp = s_t0, Rule = "burst", Severity = "alert", Score = 0.5 }], default);
        }

        await WaitAsync(() => _errors.GetMeasurementSnapshot().Count >= 3, "the writer retried while the database was down");
        Assert.True(store.BufferedCells > 0);
        _server.Start();
        await TestStores.SettleAsync(store);

        var totals = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "total", s_t0, s_t0.AddHours(1)), default);
        Assert.Equal(1 + (20 * 2), totals.Sum(c => c.Requests));
        var referrers = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", s_t0, s_t0.AddHours(1)), default);
        Assert.Equal(20, Assert.Single(referrers).PageViews);
        Assert.Equal(20, (await store.ReadAlertsAsync(s_t0, 100, default)).Count);
        Assert.All(_errors.GetMeasurementSnapshot(), m => Assert.Equal("dashboard_store", m.Tags["numo.stage"]));
        Assert.Empty(_dropped.GetMeasurementSnapshot());
        Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "DashboardPostgreSqlFailing");
        Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "DashboardPostgreSqlRecovered");
        Assert.Equal(0, store.Failures);
    }

    [SkippableFact]
    public async Task WriteAsync_DatabaseDownBeyondTheBuffer_DropsAndCountsTheRecords()
    {
        Skip.IfNot(_server.Available, PostgreSqlServer.MissingMessage);
        await using var store = Open(c => c.MaxBufferedCells = 1_000);
        await store.EnsureSchemaAsync(default);
        _server.Stop();

        // 600 distinct cells each; the second write would pass the bound of 1,000 and is dropped whole.
        await store.WriteAsync(ManyCells(s_t0, 600, requests: 3), default);
        await store.WriteAsync(ManyCells(s_t0.AddMinutes(1), 600, requests: 5), default);

        Assert.Equal(600, store.BufferedCells);
        Assert.Equal(5, _dropped.GetMeasurementSnapshot().Count);
        Assert.All(_dropped.GetMeasurementSnapshot(), m => Assert.Equal("dashboard_store", m.Tags["numo.reason"]));
        Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "DashboardPostgreSqlCellsDropped");

        _server.Start();
        await TestStores.SettleAsync(store);
        var totals = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "total", s_t0, s_t0.AddHours(1)), default);
        Assert.Equal(3, Assert.Single(totals).Requests);
    }

    [SkippableFact]
    public async Task DisposeAsync_DatabaseDownAtShutdown_CountsWhatIsLeftAndReturns()
    {
        Skip.IfNot(_server.Available, PostgreSqlServer.MissingMessage);
        var store = Open(c => c.ShutdownTimeout = TimeSpan.FromMilliseconds(500));
        await store.EnsureSchemaAsync(default);
        _server.Stop();
        await store.WriteAsync([Total(s_t0, 7)], default);

        await store.DisposeAsync();

        Assert.Equal(7, _dropped.GetMeasurementSnapshot().Count);
        Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "DashboardPostgreSqlShutdownDropped");
    }

    [SkippableFact]
    public async Task GetOrAddDaySecretAsync_DatabaseDown_FailsWithinTheCommandTimeout()
    {
        Skip.IfNot(_server.Available, PostgreSqlServer.MissingMessage);
        await using var store = Open(c => c.CommandTimeout = TimeSpan.FromSeconds(2));
        _server.Stop();

        // The processor then hashes the day under a secret of its own; the call must fail, not hang the pipeline.
        await Assert.ThrowsAnyAsync<Exception>(() => store.GetOrAddDaySecretAsync(DateOnly.FromDateTime(s_t0.UtcDateTime), new byte[32], default).AsTask());
    }

    [SkippableFact]
    public async Task Logs_DatabaseFailing_NeverTheConnectionStringOrPassword()
    {
        Skip.IfNot(_server.Available, PostgreSqlServer.MissingMessage);
        await using var store = Open(c => c.MaxRetryDelay = TimeSpan.FromMilliseconds(300));
        _server.Stop();
        await store.WriteAsync([Total(s_t0, 1)], default);
        await WaitAsync(() => _logs.GetSnapshot().Any(r => r.Id.Name == "DashboardPostgreSqlFailing"), "the outage was logged");

        var password = new Npgsql.NpgsqlConnectionStringBuilder(_server.ConnectionString()).Password!;
        Assert.All(_logs.GetSnapshot(), r => Assert.DoesNotContain(password, r.Message, StringComparison.Ordinal));
        _server.Start();
    }

    private PostgreSqlDashboardStore Open(Action<PostgreSqlDashboardOptions> configure) =>
        TestStores.Open(_server.ConnectionString(), "numo_dashboard", configure, _logger, _metrics);

    private static DashboardCell Total(DateTimeOffset t, long requests) => new()
    {
        Granularity = DashboardGranularity.Minute,
        BucketStart = t,
        Dimension = "total",
        Key = string.Empty,
        Requests = requests,
    };

    private static DashboardCell[] ManyCells(DateTimeOffset t, int count, long requests)
    {
        var cells = new DashboardCell[count];
        cells[0] = Total(t, requests);
        for (var i = 1; i < count; i++)
        {
            cells[i] = DashboardStoreConformanceTests.Cell(t, "k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, i, 1);
        }

        return cells;
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting: " + what);
            await Task.Delay(20);
        }
    }
}
