using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Dashboard.Aggregation;
using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Storage;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Tests.Infrastructure;

/// <summary>A real SQLite store in a temp directory, the processor and the query service on a fake clock.</summary>
internal sealed class DashboardHarness : IDisposable
{
    private readonly TempDirectory _dir = new();

    public DashboardHarness(DateTimeOffset now, Action<DashboardOptions>? configure = null, IDashboardAlertFeed? alerts = null)
    {
        Time = new FakeTimeProvider(now);
        Options = new DashboardOptions();
        configure?.Invoke(Options);
        Store = new SqliteDashboardStore(_dir.File("dashboard.db"));
        Filter = new DashboardRouteFilter(Options.ExcludedRoutePrefixes);
        Processor = NewProcessor();
        Query = new DashboardQueryService(Store, alerts ?? new StoredAlertFeed(Store, NullLogger<StoredAlertFeed>.Instance), Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<DashboardQueryService>.Instance);
    }

    public FakeTimeProvider Time { get; }

    public DashboardOptions Options { get; }

    public SqliteDashboardStore Store { get; private set; }

    public DashboardRouteFilter Filter { get; }

    public DashboardProcessor Processor { get; private set; }

    public DashboardQueryService Query { get; private set; }

    public string DatabasePath => Store.Path;

    public async Task FoldAsync(params RequestRecord[] records)
    {
        await Processor.ProcessAsync(records, default);
        await Processor.WritePendingAsync(default);
    }

    /// <summary>Simulates a restart: a new store on the same file and a new processor.</summary>
    public void Restart()
    {
        Processor.Dispose();
        Store.Dispose();
        Store = new SqliteDashboardStore(DatabasePath);
        Processor = NewProcessor();
        Query = new DashboardQueryService(Store, new StoredAlertFeed(Store, NullLogger<StoredAlertFeed>.Instance), Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<DashboardQueryService>.Instance);
    }

    public Task<IReadOnlyList<DashboardCell>> ReadAsync(DashboardGranularity granularity, string dimension) =>
        Store.ReadAsync(new DashboardCellQuery(granularity, dimension, DateTimeOffset.UnixEpoch, Time.GetUtcNow().AddYears(1)), default).AsTask();

    private DashboardProcessor NewProcessor() =>
        new(Store, Microsoft.Extensions.Options.Options.Create(Options), Filter, Time, NullLogger<DashboardProcessor>.Instance);

    public void Dispose()
    {
        Processor.Dispose();
        Store.Dispose();
        _dir.Dispose();
    }
}
