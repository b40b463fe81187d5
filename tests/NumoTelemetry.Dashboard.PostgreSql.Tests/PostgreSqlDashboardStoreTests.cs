using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NumoTelemetry.Dashboard.PostgreSql.Internal;
using NumoTelemetry.Dashboard.Sketches;
using NumoTelemetry.Dashboard.Tests.Conformance;

namespace NumoTelemetry.Dashboard.PostgreSql.Tests;

/// <summary>What only the shared PostgreSQL store must do: concurrent writers, exactly-once batches, migrations, erasure.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlDashboardStoreTests(PostgreSqlServer server)
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 10, 14, 0, 0, TimeSpan.Zero);

    [SkippableFact]
    public async Task WriteAsync_TwoWritersSameCellsAtOnce_LoseNothing()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema("race");
        await using var a = TestStores.Open(server.ConnectionString(), schema);
        await using var b = TestStores.Open(server.ConnectionString(), schema);
        await a.EnsureSchemaAsync(default);
        const int Batches = 60;
        const int Keys = 40;
        var expected = new HyperLogLog[Keys];
        for (var k = 0; k < Keys; k++)
        {
            expected[k] = new HyperLogLog();
        }

        // Each writer sends its batches straight to the server (no outbox coalescing), interleaved, same cells in each.
        var batchesA = new List<DashboardCell[]>();
        var batchesB = new List<DashboardCell[]>();
        for (var i = 0; i < Batches; i++)
        {
            batchesA.Add(Batch(i, 0, expected));
            batchesB.Add(Batch(i, 1, expected));
        }

        await Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 0; i < Batches; i++)
                {
                    await a.WriteBatchAsync(batchesA[i], i + 1, default);
                }
            }),
            Task.Run(async () =>
            {
                for (var i = Batches - 1; i >= 0; i--)
                {
                    await b.WriteBatchAsync(batchesB[i], Batches - i, default);
                }
            }));

        var cells = await a.ReadAsync(new DashboardCellQuery(DashboardGranularity.Hour, "referrer", s_t0, s_t0.AddHours(1)), default);
        Assert.Equal(Keys, cells.Count);
        foreach (var cell in cells)
        {
            var k = int.Parse(cell.Key.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(2 * Batches * (k + 1), cell.PageViews);
            Assert.Equal(2 * Batches, cell.Visits);
            Assert.Equal(expected[k].ToBytes(), cell.Visitors);
        }

        static DashboardCell[] Batch(int i, int writer, HyperLogLog[] expected)
        {
            var cells = new DashboardCell[Keys];
            for (var k = 0; k < Keys; k++)
            {
                var hll = new HyperLogLog();
                for (var v = 0; v < 1 + (k * 3); v++)
                {
                    hll.Add((ulong)((writer * 1_000_000) + (i * 1_000) + (k * 7) + v));
                }

                expected[k].Merge(hll);
                cells[k] = new DashboardCell
                {
                    Granularity = DashboardGranularity.Hour,
                    BucketStart = s_t0,
                    Dimension = "referrer",
                    Key = "k" + k.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Requests = k + 1,
                    PageViews = k + 1,
                    Visits = 1,
                    Visitors = hll.ToBytes(),
                    Contributors = hll.ToBytes(),
                };
            }

            return cells;
        }
    }

    [SkippableFact]
    public async Task WriteAsync_TwoStoresThroughTheirOutboxesAtOnce_SumsExactly()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema("outbox-race");
        await using var a = TestStores.Open(server.ConnectionString(), schema);
        await using var b = TestStores.Open(server.ConnectionString(), schema);
        await Task.WhenAll(Writes(a), Writes(b));
        await TestStores.SettleAsync(a);
        await TestStores.SettleAsync(b);

        var cells = await a.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", s_t0, s_t0.AddHours(1)), default);

        Assert.Equal(5, cells.Count);
        Assert.All(cells, c => Assert.Equal(2 * 200 / 5, c.PageViews));

        static Task Writes(IDashboardStore store) => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await store.WriteAsync([DashboardStoreConformanceTests.Cell(s_t0.AddMinutes(i % 5), "x", 1, i, 3)], default);
                if (i % 20 == 0)
                {
                    await Task.Yield();
                }
            }
        });
    }

    [SkippableFact]
    public async Task WriteBatchAsync_SameBatchRetriedAfterItsCommit_CountedOnce()
    {
        // A commit can reach the server while its acknowledgement is lost; the writer retries the same batch.
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        await using var store = TestStores.Open(server.ConnectionString(), TestStores.UniqueSchema("once"));
        DashboardCell[] batch = [DashboardStoreConformanceTests.Cell(s_t0, "x", 5, 0, 3)];

        await store.WriteBatchAsync(batch, 1, default);
        await store.WriteBatchAsync(batch, 1, default);
        var afterRetry = Assert.Single(await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", s_t0, s_t0.AddMinutes(1)), default));
        await store.WriteBatchAsync(batch, 2, default);
        var afterNext = Assert.Single(await store.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", s_t0, s_t0.AddMinutes(1)), default));

        Assert.Equal(5, afterRetry.PageViews);
        Assert.Equal(10, afterNext.PageViews);
    }

    [SkippableFact]
    public async Task WriteAsync_RestartedNode_NeitherLosesNorCountsTwice()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema("restart");
        var first = TestStores.Open(server.ConnectionString(), schema);
        await first.WriteAsync([DashboardStoreConformanceTests.Cell(s_t0, "x", 3, 0, 3)], default);
        await first.DisposeAsync(); // shutdown drains the outbox

        await using var second = TestStores.Open(server.ConnectionString(), schema);
        Assert.NotEqual(first.Writer, second.Writer);
        await second.WriteAsync([DashboardStoreConformanceTests.Cell(s_t0, "x", 4, 0, 3)], default);
        await TestStores.SettleAsync(second);

        var cell = Assert.Single(await second.ReadAsync(new DashboardCellQuery(DashboardGranularity.Minute, "referrer", s_t0, s_t0.AddMinutes(1)), default));
        Assert.Equal(7, cell.PageViews);
        Assert.Equal(3, HyperLogLog.FromBytes(cell.Visitors).Count());
    }

    [SkippableFact]
    public async Task EnsureSchemaAsync_FiveNodesStartingAtOnce_MigrateOnce()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema("migrate");
        var stores = Enumerable.Range(0, 5).Select(_ => TestStores.Open(server.ConnectionString(), schema)).ToArray();
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.EnsureSchemaAsync(default))));

            await using var connection = new NpgsqlConnection(server.ConnectionString());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT version FROM \"{schema}\".schema_version", connection);
            var versions = new List<int>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    versions.Add(reader.GetInt32(0));
                }
            }

            Assert.Equal(Enumerable.Range(1, PostgreSqlSchema.Version), versions.Order()); // each migration applied once
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }

        // Again at the next start: nothing to do, nothing fails.
        await using var again = TestStores.Open(server.ConnectionString(), schema);
        await again.EnsureSchemaAsync(default);
    }

    [SkippableFact]
    public async Task EnsureSchemaAsync_NewerSchemaInTheDatabase_FailsNamingTheVersions()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema("newer");
        await using (var store = TestStores.Open(server.ConnectionString(), schema))
        {
            await store.EnsureSchemaAsync(default);
        }

        await using (var connection = new NpgsqlConnection(server.ConnectionString()))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"INSERT INTO \"{schema}\".schema_version (version) VALUES ({PostgreSqlSchema.Version + 1})", connection);
            await command.ExecuteNonQueryAsync();
        }

        await using var old = TestStores.Open(server.ConnectionString(), schema);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => old.EnsureSchemaAsync(default));
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task HllMerge_RandomSketchesOnTheServer_ByteIdenticalToTheDotNetMerge()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema("hll");
        await using var store = TestStores.Open(server.ConnectionString(), schema);
        await store.EnsureSchemaAsync(default);
        await using var connection = new NpgsqlConnection(server.ConnectionString());
        await connection.OpenAsync();
        var random = new Random(18);
        for (var i = 0; i < 60; i++)
        {
            var a = Sketch(random, random.Next(0, 3) switch { 0 => random.Next(1, 40), 1 => random.Next(300, 700), _ => random.Next(1_000, 20_000) });
            var b = Sketch(random, random.Next(0, 3) switch { 0 => random.Next(1, 40), 1 => random.Next(300, 700), _ => random.Next(1_000, 20_000) });
            await using var command = new NpgsqlCommand($"SELECT \"{schema}\".hll_merge($1, $2)", connection);
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = a });
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = b });

            var merged = (byte[])(await command.ExecuteScalarAsync())!;

            Assert.Equal(HyperLogLog.MergeSerialized(a, b), merged);
        }

        static byte[] Sketch(Random random, int count)
        {
            var hll = new HyperLogLog();
            for (var i = 0; i < count; i++)
            {
                hll.Add((ulong)random.NextInt64());
            }

            return hll.ToBytes();
        }
    }

    [SkippableTheory]
    [InlineData("00")]
    [InlineData("030c")]
    [InlineData("020b0000")]
    [InlineData("020c0000")]
    [InlineData("010c0200010005")]
    [InlineData("010c0100ff1005")]
    public async Task HllMerge_MalformedSketch_RefusedAsInvalidData(string hex)
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema("hll_bad");
        await using var store = TestStores.Open(server.ConnectionString(), schema);
        await store.EnsureSchemaAsync(default);
        await using var connection = new NpgsqlConnection(server.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT \"{schema}\".hll_merge($1, $2)", connection);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = Convert.FromHexString(hex) });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = Convert.FromHexString("010c0100010005") });

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());

        Assert.Equal("22P03", error.SqlState);
        Assert.Throws<FormatException>(() => HyperLogLog.MergeSerialized(Convert.FromHexString(hex), Convert.FromHexString("010c0100010005")));
    }

    [SkippableFact]
    public async Task DeleteDaySecretsAsync_ClosedDay_LeavesNoCopyInTheTableFiles()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var connectionString = await server.CreateDatabaseAsync("erase");
        await using var store = TestStores.Open(connectionString, "numo_dashboard");
        var day = DateOnly.FromDateTime(s_t0.UtcDateTime);
        var secret = RandomNumberGenerator.GetBytes(32);
        var next = RandomNumberGenerator.GetBytes(32);
        await store.GetOrAddDaySecretAsync(day, secret, default);
        await store.GetOrAddDaySecretAsync(day.AddDays(1), next, default);
        var database = await CheckpointAsync(connectionString);
        Assert.True(DatabaseFilesContain(database, secret), "the scan should find the secret while its day is open");

        Assert.Equal(1, await store.DeleteDaySecretsAsync(day.AddDays(1), default));
        await CheckpointAsync(connectionString);

        Assert.False(DatabaseFilesContain(database, secret), "a deleted day secret is still readable in the database's files");
        Assert.True(DatabaseFilesContain(database, next));
    }

    [SkippableFact]
    public async Task Writes_UniquePerCellAndRead_UseTheIndexesNotAScan()
    {
        Skip.IfNot(server.Available, PostgreSqlServer.MissingMessage);
        var schema = TestStores.UniqueSchema("plan");
        await using var store = TestStores.Open(server.ConnectionString(), schema);
        await store.EnsureSchemaAsync(default);
        await using var connection = new NpgsqlConnection(server.ConnectionString());
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        var read = await PlanAsync(connection, $"SELECT * FROM \"{schema}\".cells WHERE g = 1 AND dim = 'cube' AND t >= now() - interval '1 day' AND t < now() ORDER BY t, key");
        var purge = await PlanAsync(connection, $"DELETE FROM \"{schema}\".cells WHERE g = 0 AND t < now() - interval '2 days'");
        var alerts = await PlanAsync(connection, $"SELECT * FROM \"{schema}\".alerts WHERE t >= now() - interval '1 day' ORDER BY t DESC, id DESC LIMIT 50");

        Assert.Contains("cells_pkey", read, StringComparison.Ordinal);
        Assert.Contains("cells_g_t", purge, StringComparison.Ordinal);
        Assert.Contains("alerts_t", alerts, StringComparison.Ordinal);

        static async Task<string> PlanAsync(NpgsqlConnection connection, string sql)
        {
            await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
            var lines = new List<string>();
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }

            return string.Join('\n', lines);
        }
    }

    private static async Task<string> CheckpointAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var checkpoint = new NpgsqlCommand("CHECKPOINT", connection))
        {
            await checkpoint.ExecuteNonQueryAsync();
        }

        await using var oid = new NpgsqlCommand("SELECT oid FROM pg_database WHERE datname = current_database()", connection);
        return Convert.ToString(await oid.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private bool DatabaseFilesContain(string databaseOid, byte[] needle)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(server.DataDirectory, "base", databaseOid)))
        {
            var bytes = File.ReadAllBytes(file);
            if (bytes.AsSpan().IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
