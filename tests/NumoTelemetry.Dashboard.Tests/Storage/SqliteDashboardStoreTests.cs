using Microsoft.Data.Sqlite;
using NumoTelemetry.Dashboard.Sketches;
using NumoTelemetry.Dashboard.Storage;
using NumoTelemetry.Dashboard.Tests.Infrastructure;

namespace NumoTelemetry.Dashboard.Tests.Storage;

/// <summary>What only the SQLite store does (file modes, WAL, erasing freed bytes); the rest is in <see cref="SqliteDashboardStoreConformanceTests"/>.</summary>
public sealed class SqliteDashboardStoreTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 10, 14, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

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
