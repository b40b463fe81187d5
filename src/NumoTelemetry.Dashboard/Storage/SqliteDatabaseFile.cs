using Microsoft.Data.Sqlite;

namespace NumoTelemetry.Dashboard.Storage;

/// <summary>
/// The dashboard's SQLite file as its stores open it: a full path whose folder exists, the file created readable by its
/// owner only (SQLite gives its -wal and -shm files the database file's mode), one unpooled read-write connection string for
/// the single writer and a pooled read-only one for readers. The writer runs in WAL mode with <c>secure_delete</c>, so
/// deleted rows are overwritten in the file.
/// </summary>
internal sealed class SqliteDatabaseFile
{
    private const string WriterPragmas = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        PRAGMA secure_delete = ON;
        """;

    /// <summary>Prepares the file at <paramref name="path"/> (its folder and the file itself, owner-only).</summary>
    /// <param name="path">The database file.</param>
    /// <param name="busyTimeoutSeconds">How long a statement waits for a lock held by another connection before it fails.</param>
    public SqliteDatabaseFile(string path, int busyTimeoutSeconds)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        Internal.OwnerOnlyFile.EnsureExists(Path);
        WriteConnectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = busyTimeoutSeconds }.ToString();
        ReadConnectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = true, DefaultTimeout = busyTimeoutSeconds }.ToString();
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The writer's connection string (read-write, create, not pooled).</summary>
    public string WriteConnectionString { get; }

    /// <summary>The readers' connection string (read-only, pooled).</summary>
    public string ReadConnectionString { get; }

    /// <summary>
    /// Opens the writer: <paramref name="prepare"/> (functions to register), the pragmas, then <paramref name="schemaSql"/>
    /// (idempotent <c>CREATE ... IF NOT EXISTS</c>). The connection is disposed when any step fails.
    /// </summary>
    public SqliteConnection OpenWriter(string schemaSql, Action<SqliteConnection>? prepare = null)
    {
        var connection = new SqliteConnection(WriteConnectionString);
        try
        {
            connection.Open();
            prepare?.Invoke(connection);
            using var command = connection.CreateCommand();
            command.CommandText = WriterPragmas + schemaSql;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A pooled read-only connection, open.</summary>
    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(ReadConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Moves the write-ahead log into the file and empties it: after a delete under <c>secure_delete</c> no copy of the
    /// deleted rows stays in the log.
    /// </summary>
    public static void Checkpoint(SqliteConnection writer)
    {
        using var checkpoint = writer.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        checkpoint.ExecuteNonQuery();
    }

    /// <summary>Closes the pooled read-only connections of this file.</summary>
    public void ClearReadPool()
    {
        using var pooled = new SqliteConnection(ReadConnectionString);
        SqliteConnection.ClearPool(pooled);
    }

    /// <summary>
    /// A JSON array of texts, read in SQL with <c>json_each</c>: one statement and one parameter for any number of values.
    /// </summary>
    public static string JsonArray(IEnumerable<string> values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
