using System.Security.Cryptography;
using System.Text;
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
        // A fixed secret for each day (the product draws one at random): visitor counts of small sets are then the same on
        // every run, not one short in the few runs in a thousand where two visitors share a HyperLogLog register.
        foreach (var day in records.Select(r => DateOnly.FromDateTime(r.Timestamp.UtcDateTime)).Distinct())
        {
            await Store.GetOrAddDaySecretAsync(day, SHA256.HashData(Encoding.UTF8.GetBytes($"test day secret {day.DayNumber}")), default);
        }

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

    /// <summary>The stored cells of a dimension; a cube axis is read as the cube's cells summed by that axis (sketches not kept).</summary>
    public async Task<IReadOnlyList<DashboardCell>> ReadAsync(DashboardGranularity granularity, string dimension)
    {
        var axis = Array.IndexOf(DashboardDimensions.CubeAxes, dimension);
        var stored = axis < 0 ? dimension : DashboardDimensions.Cube;
        var cells = await Store.ReadAsync(new DashboardCellQuery(granularity, stored, DateTimeOffset.UnixEpoch, Time.GetUtcNow().AddYears(1)), default);
        if (axis < 0)
        {
            return cells;
        }

        return [.. cells
            .GroupBy(c => (c.BucketStart, Value: c.Key.Split(DashboardDimensions.CubeSeparator)[axis]))
            .Select(g => new DashboardCell
            {
                Granularity = granularity,
                BucketStart = g.Key.BucketStart,
                Dimension = dimension,
                Key = g.Key.Value,
                Requests = g.Sum(c => c.Requests),
                PageViews = g.Sum(c => c.PageViews),
                Visits = g.Sum(c => c.Visits),
            })];
    }

    private DashboardProcessor NewProcessor() =>
        new(Store, Microsoft.Extensions.Options.Options.Create(Options), Filter, Time, NullLogger<DashboardProcessor>.Instance);

    public void Dispose()
    {
        Processor.Dispose();
        Store.Dispose();
        _dir.Dispose();
    }
}
