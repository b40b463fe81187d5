using Microsoft.Data.Sqlite;
using NumoTelemetry.Dashboard.Sketches;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Internal;

namespace NumoTelemetry.Dashboard.Storage;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode. The pipeline's consumer writes through one long-lived
/// connection, one transaction per batch, with an upsert that adds counters and merges sketches inside SQLite
/// (a registered <c>numo_hll_merge</c> function). Dashboard requests read through pooled read-only connections,
/// which WAL lets run beside the writer. The open days' sketch secrets live in their own table (<c>day_secrets</c>);
/// deletes overwrite freed bytes (<c>secure_delete</c>), so a closed day's secret leaves no copy in the file.
/// </summary>
internal sealed class SqliteDashboardStore : IDashboardStore, IDisposable
{
    /// <summary>1: cells and alerts; 2: day_secrets (sketches of cells written from then on hold secret-hashed pseudonyms).</summary>
    internal const int SchemaVersion = 2;

    private const string UpsertSql = """
        INSERT INTO cells (g, dim, t, key, requests, page_views, visits, engaged, visit_ms, visitors, contributors)
        VALUES ($g, $dim, $t, $key, $requests, $page_views, $visits, $engaged, $visit_ms, $visitors, $contributors)
        ON CONFLICT (g, dim, t, key) DO UPDATE SET
            requests = requests + excluded.requests,
            page_views = page_views + excluded.page_views,
            visits = visits + excluded.visits,
            engaged = engaged + excluded.engaged,
            visit_ms = visit_ms + excluded.visit_ms,
            visitors = numo_hll_merge(visitors, excluded.visitors),
            contributors = numo_hll_merge(contributors, excluded.contributors)
        """;

    private readonly SqliteDatabaseFile _file;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private SqliteConnection? _writer;
    private bool _disposed;

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="busyTimeoutSeconds">How long a write waits for a lock held by another connection before it fails.</param>
    public SqliteDashboardStore(string path, int busyTimeoutSeconds = 30)
    {
        _file = new SqliteDatabaseFile(path, busyTimeoutSeconds);
        using var _ = EnterWrite();
        Writer();
    }

    /// <summary>The full path of the database file.</summary>
    public string Path => _file.Path;

    public ValueTask WriteAsync(IReadOnlyList<DashboardCell> cells, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        using var gate = EnterWrite();
        var connection = Writer();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = UpsertSql;
        var g = command.Parameters.Add("$g", SqliteType.Integer);
        var dim = command.Parameters.Add("$dim", SqliteType.Text);
        var t = command.Parameters.Add("$t", SqliteType.Integer);
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var requests = command.Parameters.Add("$requests", SqliteType.Integer);
        var pageViews = command.Parameters.Add("$page_views", SqliteType.Integer);
        var visits = command.Parameters.Add("$visits", SqliteType.Integer);
        var engaged = command.Parameters.Add("$engaged", SqliteType.Integer);
        var visitMs = command.Parameters.Add("$visit_ms", SqliteType.Integer);
        var visitors = command.Parameters.Add("$visitors", SqliteType.Blob);
        var contributors = command.Parameters.Add("$contributors", SqliteType.Blob);
        command.Prepare();
        for (var i = 0; i < cells.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var cell = cells[i];
            g.Value = (int)cell.Granularity;
            dim.Value = cell.Dimension;
            t.Value = cell.BucketStart.ToUnixTimeSeconds();
            key.Value = cell.Key;
            requests.Value = cell.Requests;
            pageViews.Value = cell.PageViews;
            visits.Value = cell.Visits;
            engaged.Value = cell.EngagedVisits;
            visitMs.Value = cell.VisitMilliseconds;
            visitors.Value = (object?)cell.Visitors ?? DBNull.Value;
            contributors.Value = (object?)cell.Contributors ?? DBNull.Value;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<DashboardCell>> ReadAsync(DashboardCellQuery query, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var connection = _file.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT t, key, requests, page_views, visits, engaged, visit_ms, visitors, contributors
            FROM cells WHERE g = $g AND dim = $dim AND t >= $from AND t < $to ORDER BY t
            """;
        command.Parameters.AddWithValue("$g", (int)query.Granularity);
        command.Parameters.AddWithValue("$dim", query.Dimension);
        command.Parameters.AddWithValue("$from", query.From.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$to", query.To.ToUnixTimeSeconds());
        var cells = new List<DashboardCell>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            cells.Add(new DashboardCell
            {
                Granularity = query.Granularity,
                Dimension = query.Dimension,
                BucketStart = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(0)),
                Key = reader.GetString(1),
                Requests = reader.GetInt64(2),
                PageViews = reader.GetInt64(3),
                Visits = reader.GetInt64(4),
                EngagedVisits = reader.GetInt64(5),
                VisitMilliseconds = reader.GetInt64(6),
                Visitors = reader.IsDBNull(7) ? null : (byte[])reader.GetValue(7),
                Contributors = reader.IsDBNull(8) ? null : (byte[])reader.GetValue(8),
            });
        }

        return ValueTask.FromResult<IReadOnlyList<DashboardCell>>(cells);
    }

    public ValueTask<int> PurgeAsync(DashboardGranularity granularity, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        using var gate = EnterWrite();
        using var command = Writer().CreateCommand();
        command.CommandText = "DELETE FROM cells WHERE g = $g AND t < $cutoff";
        command.Parameters.AddWithValue("$g", (int)granularity);
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeSeconds());
        return ValueTask.FromResult(command.ExecuteNonQuery());
    }

    public ValueTask AppendAlertsAsync(IReadOnlyList<DashboardAlert> alerts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        if (alerts.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        using var gate = EnterWrite();
        var connection = Writer();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO alerts (t, rule, severity, score, subject_kind, subject) VALUES ($t, $rule, $severity, $score, $kind, $subject)";
        var t = command.Parameters.Add("$t", SqliteType.Integer);
        var rule = command.Parameters.Add("$rule", SqliteType.Text);
        var severity = command.Parameters.Add("$severity", SqliteType.Text);
        var score = command.Parameters.Add("$score", SqliteType.Real);
        var kind = command.Parameters.Add("$kind", SqliteType.Text);
        var subject = command.Parameters.Add("$subject", SqliteType.Text);
        foreach (var alert in alerts)
        {
            t.Value = alert.Timestamp.ToUnixTimeMilliseconds();
            rule.Value = alert.Rule;
            severity.Value = alert.Severity;
            score.Value = alert.Score;
            kind.Value = (object?)alert.SubjectKind ?? DBNull.Value;
            subject.Value = (object?)alert.Subject ?? DBNull.Value;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<DashboardAlert>> ReadAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var connection = _file.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT t, rule, severity, score, subject_kind, subject FROM alerts WHERE t >= $since ORDER BY t DESC LIMIT $max";
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$max", Math.Max(0, max));
        var alerts = new List<DashboardAlert>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            alerts.Add(new DashboardAlert
            {
                Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
                Rule = reader.GetString(1),
                Severity = reader.GetString(2),
                Score = reader.GetDouble(3),
                SubjectKind = reader.IsDBNull(4) ? null : reader.GetString(4),
                Subject = reader.IsDBNull(5) ? null : reader.GetString(5),
            });
        }

        return ValueTask.FromResult<IReadOnlyList<DashboardAlert>>(alerts);
    }

    public ValueTask<int> PurgeAlertsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        using var gate = EnterWrite();
        using var command = Writer().CreateCommand();
        command.CommandText = "DELETE FROM alerts WHERE t < $cutoff";
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        return ValueTask.FromResult(command.ExecuteNonQuery());
    }

    public ValueTask<IReadOnlyList<DashboardAlert>> ReadAlertsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var alerts = new List<DashboardAlert>();
        if (subjects.Count == 0)
        {
            return ValueTask.FromResult<IReadOnlyList<DashboardAlert>>(alerts);
        }

        using var connection = _file.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT t, rule, severity, score, subject_kind, subject FROM alerts WHERE subject IN (SELECT value FROM json_each($subjects)) ORDER BY t";
        command.Parameters.AddWithValue("$subjects", SqliteDatabaseFile.JsonArray(subjects));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            alerts.Add(new DashboardAlert
            {
                Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
                Rule = reader.GetString(1),
                Severity = reader.GetString(2),
                Score = reader.GetDouble(3),
                SubjectKind = reader.IsDBNull(4) ? null : reader.GetString(4),
                Subject = reader.IsDBNull(5) ? null : reader.GetString(5),
            });
        }

        return ValueTask.FromResult<IReadOnlyList<DashboardAlert>>(alerts);
    }

    public ValueTask<int> DeleteAlertsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        if (subjects.Count == 0)
        {
            return ValueTask.FromResult(0);
        }

        // secure_delete is on: the freed bytes are overwritten, so the erased rows leave no copy in the file.
        using var gate = EnterWrite();
        using var command = Writer().CreateCommand();
        command.CommandText = "DELETE FROM alerts WHERE subject IN (SELECT value FROM json_each($subjects))";
        command.Parameters.AddWithValue("$subjects", SqliteDatabaseFile.JsonArray(subjects));
        var deleted = command.ExecuteNonQuery();
        SqliteDatabaseFile.Checkpoint(Writer()); // no copy of the rows stays in the write-ahead log
        return ValueTask.FromResult(deleted);
    }

    public ValueTask<byte[]> GetOrAddDaySecretAsync(DateOnly day, byte[] candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        using var gate = EnterWrite();
        var connection = Writer();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT OR IGNORE INTO day_secrets (day, secret) VALUES ($day, $secret); SELECT secret FROM day_secrets WHERE day = $day";
        command.Parameters.AddWithValue("$day", day.DayNumber);
        command.Parameters.Add("$secret", SqliteType.Blob).Value = candidate;
        var secret = (byte[])command.ExecuteScalar()!;
        transaction.Commit();
        return ValueTask.FromResult(secret.AsSpan().SequenceEqual(candidate) ? candidate : secret);
    }

    public ValueTask<int> DeleteDaySecretsAsync(DateOnly before, CancellationToken cancellationToken)
    {
        using var gate = EnterWrite();
        var connection = Writer();
        int removed;
        using (var command = connection.CreateCommand())
        {
            // secure_delete (set on the writer) overwrites the freed bytes; the checkpoint then moves the overwritten
            // page into the database file and truncates the write-ahead log that still held the secret.
            command.CommandText = "DELETE FROM day_secrets WHERE day < $before";
            command.Parameters.AddWithValue("$before", before.DayNumber);
            removed = command.ExecuteNonQuery();
        }

        if (removed > 0)
        {
            SqliteDatabaseFile.Checkpoint(connection);
        }

        return ValueTask.FromResult(removed);
    }

    public ValueTask RevokeShareLinkAsync(string id, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        using var gate = EnterWrite();
        using var command = Writer().CreateCommand();
        command.CommandText = "DELETE FROM share_revocations WHERE expires < $now; INSERT OR REPLACE INTO share_revocations (id, expires) VALUES ($id, $expires)";
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$expires", expires.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> IsShareLinkRevokedAsync(string id, CancellationToken cancellationToken)
    {
        using var gate = EnterWrite();
        using var command = Writer().CreateCommand();
        command.CommandText = "SELECT 1 FROM share_revocations WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return ValueTask.FromResult(command.ExecuteScalar() is not null);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writeGate.Wait();
        try
        {
            if (_writer is not null)
            {
                SqliteDatabaseFile.Checkpoint(_writer);
                _writer.Dispose();
                _writer = null;
            }

            _file.ClearReadPool();
        }
        finally
        {
            _writeGate.Release();
            _writeGate.Dispose();
        }
    }

    // Long because: the write connection's opening and schema set-up, in the order SQLite needs them.
    private SqliteConnection Writer()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is not null)
        {
            return _writer;
        }

        _writer = _file.OpenWriter(
            $"""
            CREATE TABLE IF NOT EXISTS cells (
                g INTEGER NOT NULL,
                dim TEXT NOT NULL,
                t INTEGER NOT NULL,
                key TEXT NOT NULL,
                requests INTEGER NOT NULL,
                page_views INTEGER NOT NULL,
                visits INTEGER NOT NULL,
                engaged INTEGER NOT NULL,
                visit_ms INTEGER NOT NULL,
                visitors BLOB,
                contributors BLOB,
                PRIMARY KEY (g, dim, t, key)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS alerts (
                t INTEGER NOT NULL,
                rule TEXT NOT NULL,
                severity TEXT NOT NULL,
                score REAL NOT NULL,
                subject_kind TEXT,
                subject TEXT);
            CREATE INDEX IF NOT EXISTS alerts_t ON alerts (t);
            CREATE TABLE IF NOT EXISTS day_secrets (
                day INTEGER NOT NULL PRIMARY KEY,
                secret BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS share_revocations (
                id TEXT NOT NULL PRIMARY KEY,
                expires INTEGER NOT NULL);
            PRAGMA user_version = {SchemaVersion};
            """,
            static connection => connection.CreateFunction<byte[]?, byte[]?, byte[]?>(
                "numo_hll_merge",
                static (left, right) => HyperLogLog.MergeSerialized(left, right),
                isDeterministic: true));
        return _writer;
    }

    private Releaser EnterWrite()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _writeGate.Wait();
        return new Releaser(_writeGate);
    }

    private readonly struct Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
