using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NumoTelemetry.Dashboard;
using NumoTelemetry.Dashboard.PostgreSql;
using NumoTelemetry.Dashboard.PostgreSql.Internal;
using NumoTelemetry.Dashboard.Query;
using NumoTelemetry.Dashboard.Sketches;
using NumoTelemetry.Dashboard.Storage;

namespace NumoTelemetry.Benchmarks.Dashboard;

/// <summary>
/// The dashboard API's queries over 30 days of a 10-node fleet's buckets (day and hour cells for 30 days, minute cells for
/// the last two), on the embedded SQLite store and on PostgreSQL. Every node writes its own share of every cell (a tenth of
/// the counters, a sketch of its own visitors), so the stored cells are what ten writers' upserts and server-side merges
/// leave: about 180,000 rows, dense sketches in the busy ones. The data is generated once per store and kept
/// (<c>numo-bench-fleet-v1.db</c> in the temp folder; schema <c>numo_bench_fleet_v1</c>), and the generation's write
/// throughput is printed.
/// PostgreSQL: set <c>NUMO_BENCH_POSTGRES</c> to a connection string (a throwaway cluster: see docs/fleet.md).
/// Run: NUMO_BENCH_POSTGRES="Host=127.0.0.1;Port=5432;Username=numo;Database=postgres" dotnet run -c Release --project benchmarks/NumoTelemetry.Benchmarks -- --filter *FleetDashboardQuery* (in process, three iterations: its own job)
/// </summary>
[MemoryDiagnoser]
[Config(typeof(FleetConfig))]
public class FleetDashboardQueryBenchmarks
{
    private const int Nodes = 10;
    private const string Schema = "numo_bench_fleet_v1";
    private static readonly string[] s_routes = [.. Enumerable.Range(0, 25).Select(i => $"/section{i % 5}/page{i}/{{id}}")];
    private static readonly string[] s_countries = ["DE", "FR", "US", "GB", "NL", "IT", "ES", "PL", "SE", "CH", "AT", "BE"];
    private static readonly string[] s_browsers = ["Chrome", "Firefox", "Safari", "Edge", "Mobile Safari", "Samsung Internet"];
    private static readonly string[] s_devices = ["desktop", "mobile", "tablet"];

    private IDashboardStore _store = null!;
    private DashboardQueryService _query = null!;
    private DashboardRange _days = null!;
    private DashboardRange _hours = null!;

    /// <summary>The store: <c>sqlite</c> or <c>postgresql</c>.</summary>
    [Params("sqlite", "postgresql")]
    public string Store { get; set; } = "sqlite";

    [GlobalSetup]
    public void Setup()
    {
        // A fixed "now" (the data is kept between runs): noon of a fixed day.
        var now = new DateTimeOffset(2026, 1, 30, 12, 0, 0, TimeSpan.Zero);
        if (Store == "postgresql")
        {
            var connectionString = Environment.GetEnvironmentVariable("NUMO_BENCH_POSTGRES")
                ?? throw new InvalidOperationException("Set NUMO_BENCH_POSTGRES to a PostgreSQL connection string for the postgresql case.");
            var writers = new PostgreSqlDashboardStore[Nodes];
            for (var i = 0; i < Nodes; i++)
            {
                writers[i] = Open(connectionString);
            }

            writers[0].EnsureSchemaAsync(default).GetAwaiter().GetResult();
            var done = DaysWritten(connectionString);
            Generate(now, done, (node, cells) => writers[node].WriteBatchAsync(cells, NextSequence(node), default), parallel: true);

            for (var i = 1; i < Nodes; i++)
            {
                writers[i].Dispose();
            }

            _store = writers[0];
        }
        else
        {
            var path = Path.Combine(Path.GetTempPath(), "numo-bench-fleet-v1.db");
            var exists = File.Exists(path);
            var sqlite = new SqliteDashboardStore(path);
            if (!exists)
            {
                Generate(now, [], (_, cells) => sqlite.WriteAsync(cells, default).AsTask(), parallel: false);
            }

            _store = sqlite;
        }

        _query = new DashboardQueryService(_store, new NoAlerts(), Options.Create(new DashboardOptions()), new FixedTime(now), NullLogger<DashboardQueryService>.Instance);
        _days = DashboardRange.Resolve("30d", now)!;
        _hours = DashboardRange.Resolve("7d", now)!;
    }

    [GlobalCleanup]
    public void Cleanup() => ((IDisposable)_store).Dispose();

    [Benchmark(Baseline = true, Description = "raw read: cube cells, 30 days")]
    public async Task<int> RawCubeRead30Days() =>
        (await _store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Day, "cube", _days.From, _days.To), default)).Count;

    [Benchmark(Description = "overview, 30 days (day buckets)")]
    public async Task<object> Overview30Days() => await _query.OverviewAsync(_days, default, default);

    [Benchmark(Description = "top routes, 30 days")]
    public async Task<object> TopRoutes30Days() => await _query.TopAsync("route", _days, default, 10, default);

    [Benchmark(Description = "overview filtered by route and browser, 30 days")]
    public async Task<object> OverviewFiltered30Days() => await _query.OverviewAsync(_days, new DashboardFilter(s_routes[3], null, "Firefox", null), default);

    [Benchmark(Description = "overview, 7 days (hour buckets)")]
    public async Task<object> Overview7Days() => await _query.OverviewAsync(_hours, default, default);

    [Benchmark(Description = "top referrers, 7 days (hour buckets)")]
    public async Task<object> TopReferrers7Days() => await _query.TopAsync("referrer", _hours, default, 10, default);

    [Benchmark(Description = "live view (minute buckets)")]
    public async Task<object> Live() => await _query.LiveAsync(default);

    private static readonly long[] s_sequences = new long[Nodes];

    private static long NextSequence(int node) => ++s_sequences[node];

    private static PostgreSqlDashboardStore Open(string connectionString) => new(
        Options.Create(new PostgreSqlDashboardOptions { ConnectionString = connectionString, Schema = Schema, CommandTimeout = TimeSpan.FromMinutes(5) }),
        NullLogger<PostgreSqlDashboardStore>.Instance);

    /// <summary>The days already generated (a run stopped half-way resumes with the next day).</summary>
    private static HashSet<DateTime> DaysWritten(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"SELECT t FROM \"{Schema}\".cells WHERE g = 2 AND dim = 'total'", connection);
        var days = new HashSet<DateTime>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            days.Add(reader.GetFieldValue<DateTime>(0));
        }

        return days;
    }

    /// <summary>Writes 30 days of the fleet's cells: each day, every node its share of every cell, nodes in parallel or not.</summary>
    private static void Generate(DateTimeOffset now, HashSet<DateTime> done, Func<int, IReadOnlyList<DashboardCell>, Task> write, bool parallel)
    {
        var watch = Stopwatch.StartNew();
        long upserts = 0;
        for (var day = 0; day < 30; day++)
        {
            if (done.Contains(now.UtcDateTime.Date.AddDays(-day)))
            {
                continue;
            }

            var shares = new List<DashboardCell>[Nodes];
            for (var node = 0; node < Nodes; node++)
            {
                // The same keys on every node (one random sequence per day), each node its own visitors.
                var keys = new Random(day);
                var values = new Random((day * 100) + node);
                var cells = shares[node] = [];
                var dayStart = now.UtcDateTime.Date.AddDays(-day);
                Fill(cells, keys, values, DashboardGranularity.Day, new DateTimeOffset(dayStart, TimeSpan.Zero), visitors: 4_000, cube: 400);
                for (var hour = 0; hour < 24; hour++)
                {
                    Fill(cells, keys, values, DashboardGranularity.Hour, new DateTimeOffset(dayStart.AddHours(hour), TimeSpan.Zero), visitors: 300, cube: 120);
                    if (day < 2)
                    {
                        for (var minute = 0; minute < 60; minute++)
                        {
                            Fill(cells, keys, values, DashboardGranularity.Minute, new DateTimeOffset(dayStart.AddHours(hour).AddMinutes(minute), TimeSpan.Zero), visitors: 12, cube: 8);
                        }
                    }
                }

                upserts += cells.Count;
            }

            if (parallel)
            {
                Task.WaitAll([.. Enumerable.Range(0, Nodes).Select(node => Task.Run(() => write(node, Deduplicated(shares[node]))))]);
            }
            else
            {
                for (var node = 0; node < Nodes; node++)
                {
                    write(node, Deduplicated(shares[node])).GetAwaiter().GetResult();
                }
            }
        }

        if (upserts == 0)
        {
            return;
        }

        Console.WriteLine($"// fleet data: {upserts:N0} upserts by {Nodes} writers in {watch.Elapsed.TotalSeconds:N1} s ({upserts / watch.Elapsed.TotalSeconds:N0} cells/s)");
    }

    /// <summary>One cell per key (a random cube key can repeat within a bucket), as the processor's batches are.</summary>
    private static List<DashboardCell> Deduplicated(List<DashboardCell> cells)
    {
        var seen = new Dictionary<(DashboardGranularity, string, long, string), DashboardCell>();
        foreach (var cell in cells)
        {
            var id = (cell.Granularity, cell.Dimension, cell.BucketStart.UtcTicks, cell.Key);
            if (seen.TryGetValue(id, out var existing))
            {
                existing.Requests += cell.Requests;
                existing.PageViews += cell.PageViews;
                existing.Visitors = HyperLogLog.MergeSerialized(existing.Visitors, cell.Visitors);
                existing.Contributors = existing.Visitors;
            }
            else
            {
                seen[id] = cell;
            }
        }

        return [.. seen.Values];
    }

    private static void Fill(List<DashboardCell> cells, Random keys, Random values, DashboardGranularity granularity, DateTimeOffset t, int visitors, int cube)
    {
        cells.Add(Cell(values, granularity, t, "total", string.Empty, visitors * 3, visitors));
        for (var i = 0; i < cube; i++)
        {
            var key = string.Join('\u001f', s_routes[keys.Next(s_routes.Length)], s_countries[keys.Next(s_countries.Length)], s_browsers[keys.Next(s_browsers.Length)], s_devices[keys.Next(s_devices.Length)]);
            cells.Add(Cell(values, granularity, t, "cube", key, 1 + values.Next((visitors / cube * 6) + 1), 1 + values.Next((visitors / cube * 2) + 1)));
        }

        for (var i = 0; i < 15; i++)
        {
            cells.Add(Cell(values, granularity, t, "referrer", "site" + i + ".example", 1 + values.Next((visitors / 4) + 1), 1 + values.Next((visitors / 10) + 1)));
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

    /// <summary>In process (generating the data once takes minutes), three iterations.</summary>
    private sealed class FleetConfig : ManualConfig
    {
        public FleetConfig() => AddJob(Job.ShortRun.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(60), logOutput: true)));
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
