using System.Security.Cryptography;
using NumoTelemetry.Dashboard.Sketches;

namespace NumoTelemetry.Dashboard.Tests.Conformance;

/// <summary>
/// What every <see cref="IDashboardStore"/> must do, run against each store (SQLite in NumoTelemetry.Dashboard.Tests,
/// PostgreSQL in NumoTelemetry.Dashboard.PostgreSql.Tests): upsert-add of counters and merge of sketches, half-open reads
/// ordered by bucket, retention purges by granularity, alerts newest first, day secrets where the first writer wins.
/// </summary>
public abstract class DashboardStoreConformanceTests
{
    protected static readonly DateTimeOffset T0 = new(2025, 3, 10, 14, 0, 0, TimeSpan.Zero);

    /// <summary>A new, empty store (its own file or schema). <paramref name="name"/> tells two stores of one test apart.</summary>
    protected abstract Task<IDashboardStore> CreateStoreAsync(string name);

    /// <summary>A second instance over the same data as <paramref name="name"/> (a restart, or another node).</summary>
    protected abstract Task<IDashboardStore> OpenAgainAsync(string name);

    /// <summary>Waits until what was written to <paramref name="store"/> is readable (a write-behind store drains its outbox).</summary>
    protected virtual Task SettleAsync(IDashboardStore store) => Task.CompletedTask;

    /// <summary>Closes a store (disposes it, writing what it buffered).</summary>
    protected static async Task CloseAsync(IDashboardStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    [SkippableFact]
    public async Task WriteAsync_SameKeyTwice_AddsCountersAndMergesSketches()
    {
        var store = await CreateStoreAsync("a");
        try
        {
            await store.WriteAsync([Cell(T0, "DE", 3, 0, 10)], default);
            await SettleAsync(store);
            await store.WriteAsync([Cell(T0, "DE", 2, 5, 10)], default);
            await SettleAsync(store);

            var cells = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", T0, T0.AddMinutes(1)), default);

            var cell = Assert.Single(cells);
            Assert.Equal(5, cell.PageViews);
            Assert.Equal(5, cell.Requests);
            Assert.Equal(15, HyperLogLog.FromBytes(cell.Visitors).Count());
            Assert.Equal(T0, cell.BucketStart);
            Assert.Equal(DashboardGranularity.Minute, cell.Granularity);
            Assert.Equal("referrer", cell.Dimension);
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [SkippableFact]
    public async Task WriteAsync_EveryCounter_AddedOnConflict()
    {
        var store = await CreateStoreAsync("counters");
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                await store.WriteAsync(
                    [
                        new DashboardCell
                        {
                            Granularity = DashboardGranularity.Hour,
                            BucketStart = T0,
                            Dimension = "total",
                            Key = string.Empty,
                            Requests = 10 * i,
                            PageViews = 5 * i,
                            Visits = 2 * i,
                            EngagedVisits = i,
                            VisitMilliseconds = 1_000L * i,
                        },
                    ],
                    default);
                await SettleAsync(store);
            }

            var cell = Assert.Single(await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Hour, "total", T0, T0.AddHours(1)), default));

            Assert.Equal(60, cell.Requests);
            Assert.Equal(30, cell.PageViews);
            Assert.Equal(12, cell.Visits);
            Assert.Equal(6, cell.EngagedVisits);
            Assert.Equal(6_000, cell.VisitMilliseconds);
            Assert.Equal(string.Empty, cell.Key);
            Assert.Null(cell.Visitors);
            Assert.Null(cell.Contributors);
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [SkippableFact]
    public async Task WriteAsync_SketchesOfEverySize_MergeAsTheDotNetSketchDoes()
    {
        // Sparse + sparse staying sparse, sparse + sparse turning dense, sparse + dense, dense + dense, null + sketch.
        var cases = new (int FirstA, int CountA, int FirstB, int CountB)[] { (0, 20, 10, 20), (0, 300, 1_000, 300), (0, 40, 5_000, 3_000), (0, 2_000, 1_000, 4_000), (0, 0, 0, 50) };
        var store = await CreateStoreAsync("sketches");
        try
        {
            for (var i = 0; i < cases.Length; i++)
            {
                var (firstA, countA, firstB, countB) = cases[i];
                var key = "case" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var a = Cell(T0, key, 1, firstA, countA);
                var b = Cell(T0, key, 1, firstB, countB);
                await store.WriteAsync([a], default);
                await SettleAsync(store);
                await store.WriteAsync([b], default);
                await SettleAsync(store);
                var expected = HyperLogLog.MergeSerialized(a.Visitors, b.Visitors);

                var cell = Assert.Single(await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", T0, T0.AddMinutes(1)), default), c => c.Key == key);

                Assert.Equal(expected, cell.Visitors);
                Assert.Equal(expected, cell.Contributors);
            }
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [SkippableFact]
    public async Task ReadAsync_HalfOpenRange_OrderedByBucketAndOneDimensionAndGranularity()
    {
        var store = await CreateStoreAsync("range");
        try
        {
            await store.WriteAsync(
                [
                    Cell(T0.AddMinutes(2), "b", 1, 0, 1),
                    Cell(T0, "a", 1, 0, 1),
                    Cell(T0.AddMinutes(1), "a", 1, 0, 1),
                    Cell(T0.AddMinutes(3), "a", 1, 0, 1), // at To: excluded
                    Cell(T0.AddMinutes(-1), "a", 1, 0, 1), // before From: excluded
                    Cell(T0, "a", 1, 0, 1, DashboardGranularity.Hour), // other granularity
                    Cell(T0, "a", 1, 0, 1, dimension: "os"), // other dimension
                ],
                default);
            await SettleAsync(store);

            var cells = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", T0, T0.AddMinutes(3)), default);

            Assert.Equal([T0, T0.AddMinutes(1), T0.AddMinutes(2)], cells.Select(c => c.BucketStart));
            Assert.All(cells, c => Assert.Equal(TimeSpan.Zero, c.BucketStart.Offset));
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [SkippableFact]
    public async Task WriteAsync_KeysWithAnyCharacters_RoundTrip()
    {
        var keys = new[] { "/products/{id}\u001fDE\u001fFirefox\u001fdesktop", "ünïcødé ✓", "quote ' and \" and \\", new string('x', 100) };
        var store = await CreateStoreAsync("keys");
        try
        {
            await store.WriteAsync([.. keys.Select(k => Cell(T0, k, 1, 0, 1))], default);
            await SettleAsync(store);

            var cells = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", T0, T0.AddMinutes(1)), default);

            Assert.Equal(keys.Order(StringComparer.Ordinal), cells.Select(c => c.Key).Order(StringComparer.Ordinal));
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [SkippableFact]
    public async Task WriteAsync_WidestCubeAndPathKeys_RoundTripAndAddUp()
    {
        // The widest keys the dashboard writes: 13 values of 200 bytes each (3-byte characters), and 8 path items of 300 bytes.
        var value = new string('€', 66) + "ab";
        var cube = string.Join('\u001f', Enumerable.Repeat(value, 13));
        var path = string.Join('\u001f', Enumerable.Repeat("page:/" + new string('€', 98), 8));
        Assert.Equal(2612, System.Text.Encoding.UTF8.GetByteCount(cube));
        var store = await CreateStoreAsync("widekeys");
        try
        {
            await store.WriteAsync([Cell(T0, cube, 2, 0, 2, dimension: "cube_goal"), Cell(T0, path, 1, 0, 1, dimension: "path_day")], default);
            await store.WriteAsync([Cell(T0, cube, 3, 5, 2, dimension: "cube_goal")], default);
            await SettleAsync(store);

            var cubes = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "cube_goal", T0, T0.AddMinutes(1)), default);
            var paths = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "path_day", T0, T0.AddMinutes(1)), default);

            var cell = Assert.Single(cubes);
            Assert.Equal(cube, cell.Key);
            Assert.Equal(5, cell.PageViews);
            Assert.Equal(path, Assert.Single(paths).Key);
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [SkippableFact]
    public async Task ReadAsync_AfterReopen_ReturnsWhatWasWritten()
    {
        var store = await CreateStoreAsync("restart");
        await store.WriteAsync([Cell(T0, "x", 7, 0, 3), Cell(T0.AddMinutes(1), "x", 1, 3, 2)], default);
        await CloseAsync(store);

        var reopened = await OpenAgainAsync("restart");
        try
        {
            await reopened.WriteAsync([Cell(T0, "x", 1, 100, 3)], default);
            await SettleAsync(reopened);
            var cells = await reopened.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", T0, T0.AddHours(1)), default);

            Assert.Equal(2, cells.Count);
            Assert.Equal(8, cells[0].PageViews);
            Assert.Equal(6, HyperLogLog.FromBytes(cells[0].Visitors).Count());
            Assert.Equal(1, cells[1].PageViews);
        }
        finally
        {
            await CloseAsync(reopened);
        }
    }

    [SkippableFact]
    public async Task PurgeAsync_RemovesOnlyOlderCellsOfThatGranularity()
    {
        var store = await CreateStoreAsync("purge");
        try
        {
            await store.WriteAsync(
                [
                    Cell(T0.AddDays(-3), "old", 1, 0, 1),
                    Cell(T0, "new", 1, 0, 1),
                    Cell(T0.AddDays(-3), "old-hour", 1, 0, 1, DashboardGranularity.Hour),
                ],
                default);
            await SettleAsync(store);

            var removed = await store.PurgeAsync(DashboardGranularity.Minute, T0.AddDays(-2), default);

            Assert.Equal(1, removed);
            var minutes = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", DateTimeOffset.UnixEpoch, T0.AddDays(1)), default);
            Assert.Equal("new", Assert.Single(minutes).Key);
            var hours = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Hour, "referrer", DateTimeOffset.UnixEpoch, T0.AddDays(1)), default);
            Assert.Single(hours);
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [SkippableFact]
    public async Task ReadAsync_WhileWriting_DoesNotBlock()
    {
        var store = await CreateStoreAsync("concurrent");
        try
        {
            await store.WriteAsync([Cell(T0, "x", 1, 0, 1)], default);
            await SettleAsync(store);
            var writer = Task.Run(async () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    await store.WriteAsync([Cell(T0.AddMinutes(i % 5), "x", 1, i, 2)], default);
                }
            });

            for (var i = 0; i < 50; i++)
            {
                var cells = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", T0, T0.AddHours(1)), default);
                Assert.NotEmpty(cells);
            }

            await writer;
            await SettleAsync(store);
            var all = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", T0, T0.AddHours(1)), default);
            Assert.Equal(51, all.Sum(c => c.PageViews));
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [SkippableFact]
    public async Task AppendAlertsAsync_ThenRead_NewestFirstSinceAndAtMostMax()
    {
        var store = await CreateStoreAsync("alerts");
        try
        {
            await store.AppendAlertsAsync([Alert(T0, "credential_stuffing", "k1.aaa"), Alert(T0.AddMinutes(2), "burst", null)], default);
            await store.AppendAlertsAsync([Alert(T0.AddMinutes(1), "scanner", "k1.bbb"), Alert(T0.AddMinutes(-10), "old", null)], default);
            await SettleAsync(store);

            var alerts = await store.ReadAlertsAsync(T0, 10, default);
            Assert.Equal(["burst", "scanner", "credential_stuffing"], alerts.Select(a => a.Rule));
            var first = alerts[2];
            Assert.Equal(T0, first.Timestamp);
            Assert.Equal("alert", first.Severity);
            Assert.Equal(0.75, first.Score);
            Assert.Equal("ip", first.SubjectKind);
            Assert.Equal("k1.aaa", first.Subject);
            Assert.Null(alerts[0].Subject);
            Assert.Null(alerts[0].SubjectKind);

            Assert.Equal(["burst", "scanner"], (await store.ReadAlertsAsync(T0, 2, default)).Select(a => a.Rule));
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [SkippableFact]
    public async Task PurgeAlertsAsync_RemovesOnlyOlderAlerts()
    {
        var store = await CreateStoreAsync("alert-purge");
        try
        {
            await store.AppendAlertsAsync([Alert(T0.AddDays(-500), "old", null), Alert(T0, "new", null)], default);
            await SettleAsync(store);

            Assert.Equal(1, await store.PurgeAlertsAsync(T0.AddDays(-400), default));

            Assert.Equal("new", Assert.Single(await store.ReadAlertsAsync(DateTimeOffset.UnixEpoch, 10, default)).Rule);
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [SkippableFact]
    public async Task GetOrAddDaySecretAsync_TwiceAndAfterReopen_ReturnsTheFirstSecret()
    {
        var day = DateOnly.FromDateTime(T0.UtcDateTime);
        var first = RandomNumberGenerator.GetBytes(32);
        var store = await CreateStoreAsync("secret");
        Assert.Equal(first, await store.GetOrAddDaySecretAsync(day, first, default));
        Assert.Equal(first, await store.GetOrAddDaySecretAsync(day, new byte[32], default));
        await CloseAsync(store);

        var reopened = await OpenAgainAsync("secret");
        try
        {
            Assert.Equal(first, await reopened.GetOrAddDaySecretAsync(day, RandomNumberGenerator.GetBytes(32), default));
            var other = RandomNumberGenerator.GetBytes(32);
            Assert.Equal(other, await reopened.GetOrAddDaySecretAsync(day.AddDays(1), other, default));
        }
        finally
        {
            await CloseAsync(reopened);
        }
    }

    [SkippableFact]
    public async Task DeleteDaySecretsAsync_ClosedDays_RemovedAndLaterDaysKept()
    {
        var day = DateOnly.FromDateTime(T0.UtcDateTime);
        var store = await CreateStoreAsync("secret-delete");
        try
        {
            var old = RandomNumberGenerator.GetBytes(32);
            var today = RandomNumberGenerator.GetBytes(32);
            await store.GetOrAddDaySecretAsync(day.AddDays(-2), RandomNumberGenerator.GetBytes(32), default);
            await store.GetOrAddDaySecretAsync(day.AddDays(-1), old, default);
            await store.GetOrAddDaySecretAsync(day, today, default);

            Assert.Equal(2, await store.DeleteDaySecretsAsync(day, default));
            Assert.Equal(0, await store.DeleteDaySecretsAsync(day, default));

            // The closed day is gone: asking again stores the new candidate; the open day kept its secret.
            var fresh = RandomNumberGenerator.GetBytes(32);
            Assert.Equal(fresh, await store.GetOrAddDaySecretAsync(day.AddDays(-1), fresh, default));
            Assert.Equal(today, await store.GetOrAddDaySecretAsync(day, RandomNumberGenerator.GetBytes(32), default));
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    [SkippableFact]
    public async Task GetOrAddDaySecretAsync_TwoInstancesAtOnce_BothGetOneSecret()
    {
        var day = DateOnly.FromDateTime(T0.UtcDateTime);
        var a = await CreateStoreAsync("race");
        var b = await OpenAgainAsync("race");
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var d = day.AddDays(i);
                var fromA = a.GetOrAddDaySecretAsync(d, RandomNumberGenerator.GetBytes(32), default).AsTask();
                var fromB = b.GetOrAddDaySecretAsync(d, RandomNumberGenerator.GetBytes(32), default).AsTask();
                Assert.Equal(await fromA, await fromB);
            }
        }
        finally
        {
            await CloseAsync(a);
            await CloseAsync(b);
        }
    }

    protected static DashboardAlert Alert(DateTimeOffset t, string rule, string? subject) => new()
    {
        Timestamp = t,
        Rule = rule,
        Severity = "alert",
        Score = 0.75,
        SubjectKind = subject is null ? null : "ip",
        Subject = subject,
    };

    internal static DashboardCell Cell(DateTimeOffset t, string key, long views, int firstVisitor, int visitors, DashboardGranularity granularity = DashboardGranularity.Minute, string dimension = "referrer")
    {
        var hll = new HyperLogLog();
        for (var i = 0; i < visitors; i++)
        {
            hll.Add((ulong)(firstVisitor + i));
        }

        return new DashboardCell
        {
            Granularity = granularity,
            BucketStart = t,
            Dimension = dimension,
            Key = key,
            Requests = views,
            PageViews = views,
            Visitors = hll.IsEmpty ? null : hll.ToBytes(),
            Contributors = hll.IsEmpty ? null : hll.ToBytes(),
        };
    }
}
