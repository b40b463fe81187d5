using Microsoft.Data.Sqlite;
using NumoTelemetry.Dashboard.Sketches;
using NumoTelemetry.Dashboard.Storage;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Storage;

public sealed class SqliteDashboardStoreTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 10, 14, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task WriteAsync_SameKeyTwice_AddsCountersAndMergesSketches()
    {
        using var store = new SqliteDashboardStore(_dir.File("a.db"));
        await store.WriteAsync([Cell(s_t0, "DE", 3, 0, 10)], default);
        await store.WriteAsync([Cell(s_t0, "DE", 2, 5, 10)], default);

        var cells = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", s_t0, s_t0.AddMinutes(1)), default);

        var cell = Assert.Single(cells);
        Assert.Equal(5, cell.PageViews);
        Assert.Equal(15, HyperLogLog.FromBytes(cell.Visitors).Count());
        Assert.Equal(s_t0, cell.BucketStart);
    }

    [Fact]
    public async Task Open_NewFileUnderUsualUmask_IsReadableByItsOwnerOnly()
    {
        // The file holds the open day's sketch secret (membership tests by pseudonym) and unsuppressed one-person cells,
        // like a key file it must not be readable by other users of the machine (umask 022 gives 0644).
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes
        }

        var path = _dir.File("modes.db");
        using (var store = new SqliteDashboardStore(path))
        {
            await store.WriteAsync([Cell(s_t0, "DE", 1, 0, 1)], default);
            foreach (var file in Directory.GetFiles(System.IO.Path.GetDirectoryName(path)!, "modes.db*"))
            {
                var mode = File.GetUnixFileMode(file);
                Assert.True((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0, $"{System.IO.Path.GetFileName(file)} is {mode}");
            }
        }
    }

    [Fact]
    public async Task ReadAsync_AfterReopen_ReturnsWhatWasWritten()
    {
        var path = _dir.File("restart.db");
        using (var store = new SqliteDashboardStore(path))
        {
            await store.WriteAsync([Cell(s_t0, "x", 7, 0, 3), Cell(s_t0.AddMinutes(1), "x", 1, 3, 2)], default);
        }

        using var reopened = new SqliteDashboardStore(path);
        await reopened.WriteAsync([Cell(s_t0, "x", 1, 100, 3)], default);
        var cells = await reopened.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", s_t0, s_t0.AddHours(1)), default);

        Assert.Equal(2, cells.Count);
        Assert.Equal(8, cells[0].PageViews);
        Assert.Equal(6, HyperLogLog.FromBytes(cells[0].Visitors).Count());
        Assert.Equal(1, cells[1].PageViews);
    }

    [Fact]
    public async Task PurgeAsync_RemovesOnlyOlderCellsOfThatGranularity()
    {
        using var store = new SqliteDashboardStore(_dir.File("purge.db"));
        await store.WriteAsync(
            [
                Cell(s_t0.AddDays(-3), "old", 1, 0, 1),
                Cell(s_t0, "new", 1, 0, 1),
                Cell(s_t0.AddDays(-3), "old-hour", 1, 0, 1, DashboardGranularity.Hour),
            ],
            default);

        var removed = await store.PurgeAsync(DashboardGranularity.Minute, s_t0.AddDays(-2), default);

        Assert.Equal(1, removed);
        var minutes = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", DateTimeOffset.UnixEpoch, s_t0.AddDays(1)), default);
        Assert.Equal("new", Assert.Single(minutes).Key);
        var hours = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Hour, "referrer", DateTimeOffset.UnixEpoch, s_t0.AddDays(1)), default);
        Assert.Single(hours);
    }

    [Fact]
    public async Task Constructor_NewFile_UsesWriteAheadLog()
    {
        var path = _dir.File("wal.db");
        using var store = new SqliteDashboardStore(path);
        await store.WriteAsync([Cell(s_t0, "x", 1, 0, 1)], default);

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)command.ExecuteScalar());
    }

    [Fact]
    public async Task ReadAsync_WhileWriting_DoesNotBlock()
    {
        using var store = new SqliteDashboardStore(_dir.File("concurrent.db"));
        await store.WriteAsync([Cell(s_t0, "x", 1, 0, 1)], default);
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await store.WriteAsync([Cell(s_t0.AddMinutes(i % 5), "x", 1, i, 2)], default);
            }
        });

        for (var i = 0; i < 50; i++)
        {
            var cells = await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", s_t0, s_t0.AddHours(1)), default);
            Assert.NotEmpty(cells);
        }

        await writer;
    }

    [Fact]
    public async Task GetOrAddDaySecretAsync_TwiceAndAfterReopen_ReturnsTheFirstSecret()
    {
        var path = _dir.File("secret.db");
        var day = DateOnly.FromDateTime(s_t0.UtcDateTime);
        var first = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        using (var store = new SqliteDashboardStore(path))
        {
            Assert.Equal(first, await store.GetOrAddDaySecretAsync(day, first, default));
            Assert.Equal(first, await store.GetOrAddDaySecretAsync(day, new byte[32], default));
        }

        using var reopened = new SqliteDashboardStore(path);
        Assert.Equal(first, await reopened.GetOrAddDaySecretAsync(day, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), default));
    }

    [Fact]
    public async Task DeleteDaySecretsAsync_ClosedDay_LeavesNoCopyInTheDatabaseFiles()
    {
        var path = _dir.File("erase.db");
        using var store = new SqliteDashboardStore(path);
        var day = DateOnly.FromDateTime(s_t0.UtcDateTime);
        var secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var next = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await store.GetOrAddDaySecretAsync(day, secret, default);
        await store.GetOrAddDaySecretAsync(day.AddDays(1), next, default);
        await store.WriteAsync([Cell(s_t0, "x", 1, 0, 3)], default);
        Assert.True(FilesContain(path, secret), "the scan should find the secret while its day is open");

        var removed = await store.DeleteDaySecretsAsync(day.AddDays(1), default);

        Assert.Equal(1, removed);
        Assert.False(FilesContain(path, secret), "a deleted day secret is still readable in the database files");
        Assert.True(FilesContain(path, next));
    }

    private static bool FilesContain(string path, byte[] needle)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-journal" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            if (copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    internal static DashboardCell Cell(DateTimeOffset t, string key, long views, int firstVisitor, int visitors, DashboardGranularity granularity = DashboardGranularity.Minute)
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
            Dimension = "referrer",
            Key = key,
            Requests = views,
            PageViews = views,
            Visitors = hll.ToBytes(),
            Contributors = hll.ToBytes(),
        };
    }
}
