using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard;
using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Sketches;
using NumoTelemetry.Dashboard.Storage;

namespace NumoTelemetry.Benchmarks.Dashboard;

/// <summary>
/// The dashboard API's queries over 30 days of stored buckets (day and hour cells for 30 days, minute cells for the last
/// two): what one page load costs. Baseline: reading the same cube cells from SQLite without merging or privacy.
/// Run: dotnet run -c Release --project benchmarks/NumoTelemetry.Benchmarks -- --filter *DashboardQuery* --job short
/// </summary>
[MemoryDiagnoser]
public class DashboardQueryBenchmarks
{
    private static readonly string[] s_routes = [.. Enumerable.Range(0, 25).Select(i => $"/section{i % 5}/page{i}/{{id}}")];
    private static readonly string[] s_countries = ["DE", "FR", "US", "GB", "NL", "IT", "ES", "PL", "SE", "CH", "AT", "BE"];
    private static readonly string[] s_browsers = ["Chrome", "Firefox", "Safari", "Edge", "Mobile Safari", "Samsung Internet"];
    private static readonly string[] s_devices = ["desktop", "mobile", "tablet"];

    private string _dir = null!;
    private SqliteDashboardStore _store = null!;
    private DashboardQueryService _query = null!;
    private DashboardRange _days = null!;
    private DashboardRange _hours = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "numo-bench-" + Guid.NewGuid().ToString("N")[..8]);
        _store = new SqliteDashboardStore(Path.Combine(_dir, "dashboard.db"));
        var now = new DateTimeOffset(DateTime.UtcNow.Date.AddHours(12), TimeSpan.Zero);
        var random = new Random(7);
        var cells = new List<DashboardCell>();
        for (var day = 0; day < 30; day++)
        {
            var dayStart = now.Date.AddDays(-day);
            Fill(cells, random, DashboardGranularity.Day, new DateTimeOffset(dayStart, TimeSpan.Zero), visitors: 4_000, cube: 400);
            for (var hour = 0; hour < 24; hour++)
            {
                Fill(cells, random, DashboardGranularity.Hour, new DateTimeOffset(dayStart.AddHours(hour), TimeSpan.Zero), visitors: 300, cube: 120);
                if (day < 2)
                {
                    for (var minute = 0; minute < 60; minute += 1)
                    {
                        Fill(cells, random, DashboardGranularity.Minute, new DateTimeOffset(dayStart.AddHours(hour).AddMinutes(minute), TimeSpan.Zero), visitors: 12, cube: 8);
                    }
                }
            }

            _store.WriteAsync(cells, default).AsTask().GetAwaiter().GetResult();
            cells.Clear();
        }

        var time = new FixedTime(now);
        _query = new DashboardQueryService(_store, new NoAlerts(), Options.Create(new DashboardOptions()), time, NullLogger<DashboardQueryService>.Instance);
        _days = DashboardRange.Resolve("30d", now)!;
        _hours = DashboardRange.Resolve("7d", now)!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw read: cube cells, 30 days")]
    public async Task<int> RawCubeRead30Days() =>
        (await _store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Day, "cube", _days.From, _days.To), default)).Count;

    [Benchmark(Description = "overview, 30 days (day buckets)")]
    public async Task<object> Overview30Days() => await _query.OverviewAsync(_days, default, default);

    [Benchmark(Description = "top routes, 30 days")]
    public async Task<object> TopRoutes30Days() => await _query.TopAsync("route", _days, default, 10, default);

    [Benchmark(Description = "top countries filtered by browser, 30 days")]
    public async Task<object> TopCountriesFiltered30Days() => await _query.TopAsync("country", _days, new DashboardFilter(null, null, "Firefox", null), 10, default);

    [Benchmark(Description = "overview filtered by route and browser, 30 days")]
    public async Task<object> OverviewFiltered30Days() => await _query.OverviewAsync(_days, new DashboardFilter(s_routes[3], null, "Firefox", null), default);

    [Benchmark(Description = "overview filtered by route, 7 days (hour buckets)")]
    public async Task<object> OverviewFiltered7Days() => await _query.OverviewAsync(_hours, new DashboardFilter(s_routes[3], null, null, null), default);

    [Benchmark(Description = "overview, 7 days (hour buckets)")]
    public async Task<object> Overview7Days() => await _query.OverviewAsync(_hours, default, default);

    [Benchmark(Description = "top referrers, 7 days (hour buckets)")]
    public async Task<object> TopReferrers7Days() => await _query.TopAsync("referrer", _hours, default, 10, default);

    [Benchmark(Description = "live view (minute buckets)")]
    public async Task<object> Live() => await _query.LiveAsync(default);

    private static void Fill(List<DashboardCell> cells, Random random, DashboardGranularity granularity, DateTimeOffset t, int visitors, int cube)
    {
        cells.Add(Cell(random, granularity, t, "total", string.Empty, visitors * 3, visitors));
        for (var i = 0; i < cube; i++)
        {
            var key = string.Join('\u001f', s_routes[random.Next(s_routes.Length)], s_countries[random.Next(s_countries.Length)], s_browsers[random.Next(s_browsers.Length)], s_devices[random.Next(s_devices.Length)]);
            cells.Add(Cell(random, granularity, t, "cube", key, 1 + random.Next(visitors / cube * 6 + 1), 1 + random.Next(visitors / cube * 2 + 1)));
        }

        for (var i = 0; i < 15; i++)
        {
            cells.Add(Cell(random, granularity, t, "referrer", "site" + i + ".example", 1 + random.Next(visitors / 4 + 1), 1 + random.Next(visitors / 10 + 1)));
        }
    }

    private static DashboardCell Cell(Random random, DashboardGranularity granularity, DateTimeOffset t, string dimension, string key, int views, int visitors)
    {
        var hll = new HyperLogLog();
        for (var i = 0; i < visitors; i++)
        {
            hll.Add((ulong)random.NextInt64());
        }

        var bytes = hll.ToBytes();
        return new DashboardCell
        {
            Granularity = granularity,
            BucketStart = t,
            Dimension = dimension,
            Key = key,
            Requests = views,
            PageViews = views,
            Visits = visitors,
            EngagedVisits = visitors / 2,
            VisitMilliseconds = visitors * 60_000L,
            Visitors = bytes,
            Contributors = bytes,
        };
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class NoAlerts : IDashboardAlertFeed
    {
        public ValueTask<IReadOnlyList<DashboardAlert>> GetAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<DashboardAlert>>([]);
    }
}
