using Microsoft.Data.Sqlite;

namespace NumoTelemetry.Dashboard.Storage;

/// <summary>
/// The workspace's embedded store: tables <c>fraud_alerts</c>, <c>fraud_alert_history</c>, <c>fraud_lists</c> and
/// <c>fraud_audit</c> in the dashboard's SQLite file (WAL, <c>secure_delete</c>), written through one long-lived connection
/// behind a gate, read through pooled read-only connections. Times are Unix milliseconds.
/// </summary>
internal sealed class SqliteFraudWorkspaceStore : IFraudWorkspaceStore, IDisposable
{
    private const string AlertColumns = "id, rule, severity, score, subject_kind, subject, first_seen, last_seen, count, reasons, evidence, state";

    private const string ListColumns = "id, list, subject_kind, subject, rule, expires, created, created_by, note";

    /// <summary>The audit entries naming an alert or a list entry of the subjects in the JSON array <c>$subjects</c>.</summary>
    private const string AuditOfSubjects = """
        target IN (SELECT id FROM fraud_alerts WHERE subject IN (SELECT value FROM json_each($subjects))
                   UNION SELECT id FROM fraud_lists WHERE subject IN (SELECT value FROM json_each($subjects)))
        """;

    private readonly SqliteDatabaseFile _file;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private SqliteConnection? _writer;
    private bool _disposed;

    /// <summary>Opens (creating if needed) the workspace tables in the SQLite file at <paramref name="path"/>.</summary>
    public SqliteFraudWorkspaceStore(string path, int busyTimeoutSeconds = 30)
    {
        _file = new SqliteDatabaseFile(path, busyTimeoutSeconds);
        _writeGate.Wait();
        try
        {
            Writer();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The full path of the database file.</summary>
    public string Path => _file.Path;

    // Long because: one transaction: the upsert's commands and parameters prepared once, run per alert.
    public async ValueTask UpsertAlertsAsync(IReadOnlyList<WorkspaceAlert> alerts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        if (alerts.Count == 0)
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Writer();
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                INSERT INTO fraud_alerts ({AlertColumns})
                VALUES ($id, $rule, $severity, $score, $kind, $subject, $first, $last, $count, $reasons, $evidence, 'new')
                ON CONFLICT (id) DO UPDATE SET
                    severity = excluded.severity,
                    score = excluded.score,
                    last_seen = max(last_seen, excluded.last_seen),
                    count = excluded.count,
                    reasons = excluded.reasons,
                    evidence = excluded.evidence
                """;
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var rule = command.Parameters.Add("$rule", SqliteType.Text);
            var severity = command.Parameters.Add("$severity", SqliteType.Text);
            var score = command.Parameters.Add("$score", SqliteType.Real);
            var kind = command.Parameters.Add("$kind", SqliteType.Text);
            var subject = command.Parameters.Add("$subject", SqliteType.Text);
            var first = command.Parameters.Add("$first", SqliteType.Integer);
            var last = command.Parameters.Add("$last", SqliteType.Integer);
            var count = command.Parameters.Add("$count", SqliteType.Integer);
            var reasons = command.Parameters.Add("$reasons", SqliteType.Text);
            var evidence = command.Parameters.Add("$evidence", SqliteType.Text);
            command.Prepare();
            foreach (var alert in alerts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                id.Value = alert.Id;
                rule.Value = alert.Rule;
                severity.Value = alert.Severity;
                score.Value = alert.Score;
                kind.Value = alert.SubjectKind;
                subject.Value = alert.Subject;
                first.Value = alert.FirstSeen.ToUnixTimeMilliseconds();
                last.Value = alert.LastSeen.ToUnixTimeMilliseconds();
                count.Value = alert.Count;
                reasons.Value = alert.ReasonsJson;
                evidence.Value = alert.EvidenceJson;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public ValueTask<IReadOnlyList<WorkspaceAlert>> QueryAlertsAsync(WorkspaceAlertQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var connection = _file.OpenReader();
        using var command = connection.CreateCommand();
        var where = new List<string>();
        Filter(command, where, "state", "$state", query.State);
        Filter(command, where, "rule", "$rule", query.Rule);
        Filter(command, where, "severity", "$severity", query.Severity);
        Filter(command, where, "subject_kind", "$kind", query.SubjectKind);
        Filter(command, where, "subject", "$subject", query.Subject);
        if (query.Since is { } since)
        {
            where.Add("last_seen >= $since");
            command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        }

        if (query.Until is { } until)
        {
            where.Add("first_seen < $until");
            command.Parameters.AddWithValue("$until", until.ToUnixTimeMilliseconds());
        }

        command.CommandText = $"SELECT {AlertColumns} FROM fraud_alerts" +
            (where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where)) +
            " ORDER BY last_seen DESC, id LIMIT $limit";
        command.Parameters.AddWithValue("$limit", Math.Max(0, query.Limit));
        var alerts = new List<WorkspaceAlert>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            alerts.Add(ReadAlert(reader, []));
        }

        return ValueTask.FromResult<IReadOnlyList<WorkspaceAlert>>(alerts);
    }

    public ValueTask<WorkspaceAlert?> GetAlertAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var connection = _file.OpenReader();
        using var transaction = connection.BeginTransaction(deferred: true);
        return ValueTask.FromResult(ReadAlert(connection, transaction, id));
    }

    public async ValueTask<WorkspaceReviewResult> ReviewAlertAsync(string id, WorkspaceAlertReview review, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(review);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Writer();
            using var transaction = connection.BeginTransaction();
            string? current;
            using (var read = connection.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = "SELECT state FROM fraud_alerts WHERE id = $id";
                read.Parameters.AddWithValue("$id", id);
                current = read.ExecuteScalar() as string;
            }

            if (current is null)
            {
                return new WorkspaceReviewResult(WorkspaceReviewOutcome.NotFound, null);
            }

            if (!WorkspaceAlertStates.CanMove(current, review.State))
            {
                return new WorkspaceReviewResult(WorkspaceReviewOutcome.Conflict, ReadAlert(connection, transaction, id));
            }

            using (var update = connection.CreateCommand())
            {
                update.Transaction = transaction;
                update.CommandText = """
                    UPDATE fraud_alerts SET state = $to WHERE id = $id;
                    INSERT INTO fraud_alert_history (alert_id, t, who, from_state, to_state, note) VALUES ($id, $t, $who, $from, $to, $note);
                    """;
                update.Parameters.AddWithValue("$id", id);
                update.Parameters.AddWithValue("$to", review.State);
                update.Parameters.AddWithValue("$t", review.At.ToUnixTimeMilliseconds());
                update.Parameters.AddWithValue("$who", review.Who);
                update.Parameters.AddWithValue("$from", current);
                update.Parameters.AddWithValue("$note", (object?)review.Note ?? DBNull.Value);
                update.ExecuteNonQuery();
            }

            var updated = ReadAlert(connection, transaction, id);
            transaction.Commit();
            return new WorkspaceReviewResult(WorkspaceReviewOutcome.Updated, updated);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask AddListEntryAsync(WorkspaceListEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = Writer().CreateCommand();
            command.CommandText = $"INSERT INTO fraud_lists ({ListColumns}) VALUES ($id, $list, $kind, $subject, $rule, $expires, $created, $by, $note)";
            command.Parameters.AddWithValue("$id", entry.Id);
            command.Parameters.AddWithValue("$list", (int)entry.List);
            command.Parameters.AddWithValue("$kind", entry.SubjectKind);
            command.Parameters.AddWithValue("$subject", entry.Subject);
            command.Parameters.AddWithValue("$rule", (object?)entry.Rule ?? DBNull.Value);
            command.Parameters.AddWithValue("$expires", entry.Expires is { } expires ? expires.ToUnixTimeMilliseconds() : DBNull.Value);
            command.Parameters.AddWithValue("$created", entry.Created.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$by", entry.CreatedBy);
            command.Parameters.AddWithValue("$note", (object?)entry.Note ?? DBNull.Value);
            command.ExecuteNonQuery();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask<WorkspaceListEntry?> RemoveListEntryAsync(WorkspaceListKind list, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = Writer().CreateCommand();
            command.CommandText = $"DELETE FROM fraud_lists WHERE id = $id AND list = $list RETURNING {ListColumns}";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$list", (int)list);
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadListEntry(reader) : null;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public ValueTask<IReadOnlyList<WorkspaceListEntry>> ReadListAsync(WorkspaceListKind list, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var connection = _file.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ListColumns} FROM fraud_lists WHERE list = $list AND (expires IS NULL OR expires > $now) ORDER BY created DESC, id";
        command.Parameters.AddWithValue("$list", (int)list);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        var entries = new List<WorkspaceListEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            entries.Add(ReadListEntry(reader));
        }

        return ValueTask.FromResult<IReadOnlyList<WorkspaceListEntry>>(entries);
    }

    public async ValueTask AppendAuditAsync(WorkspaceAuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = Writer().CreateCommand();
            command.CommandText = "INSERT INTO fraud_audit (id, t, who, action, kind, target) VALUES ($id, $t, $who, $action, $kind, $target)";
            command.Parameters.AddWithValue("$id", entry.Id);
            command.Parameters.AddWithValue("$t", entry.At.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$who", entry.Who);
            command.Parameters.AddWithValue("$action", entry.Action);
            command.Parameters.AddWithValue("$kind", entry.Kind);
            command.Parameters.AddWithValue("$target", (object?)entry.Target ?? DBNull.Value);
            command.ExecuteNonQuery();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public ValueTask<IReadOnlyList<WorkspaceAuditEntry>> ReadAuditAsync(DateTimeOffset since, int max, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var connection = _file.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, t, who, action, kind, target FROM fraud_audit WHERE t >= $since ORDER BY t DESC, id LIMIT $max";
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$max", Math.Max(0, max));
        var entries = new List<WorkspaceAuditEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            entries.Add(ReadAuditEntry(reader));
        }

        return ValueTask.FromResult<IReadOnlyList<WorkspaceAuditEntry>>(entries);
    }

    public async ValueTask<int> PurgeWorkspaceAsync(DateTimeOffset alertsBefore, DateTimeOffset auditBefore, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Writer();
            var removed = 0;
            using (var transaction = connection.BeginTransaction())
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "DELETE FROM fraud_alert_history WHERE alert_id IN (SELECT id FROM fraud_alerts WHERE last_seen < $alerts)";
                command.Parameters.AddWithValue("$alerts", alertsBefore.ToUnixTimeMilliseconds());
                command.Parameters.AddWithValue("$audit", auditBefore.ToUnixTimeMilliseconds());
                command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                removed += command.ExecuteNonQuery();
                command.CommandText = "DELETE FROM fraud_alerts WHERE last_seen < $alerts";
                removed += command.ExecuteNonQuery();
                command.CommandText = "DELETE FROM fraud_audit WHERE t < $audit";
                removed += command.ExecuteNonQuery();
                command.CommandText = "DELETE FROM fraud_lists WHERE expires IS NOT NULL AND expires <= $now";
                removed += command.ExecuteNonQuery();
                transaction.Commit();
            }

            if (removed > 0)
            {
                // secure_delete overwrote the freed bytes; the checkpoint moves those pages into the file and empties the log.
                SqliteDatabaseFile.Checkpoint(connection);
            }

            return removed;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public ValueTask<WorkspaceSubjectRecords> ReadRecordsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (subjects.Count == 0)
        {
            return ValueTask.FromResult(new WorkspaceSubjectRecords());
        }

        using var connection = _file.OpenReader();
        using var transaction = connection.BeginTransaction(deferred: true); // one snapshot for the three tables
        var json = SqliteDatabaseFile.JsonArray(subjects);
        var ids = OfSubjects(connection, transaction, "SELECT id FROM fraud_alerts WHERE subject IN (SELECT value FROM json_each($subjects)) ORDER BY first_seen, id", json, static reader => reader.GetString(0));
        var alerts = new List<WorkspaceAlert>(ids.Count);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ReadAlert(connection, transaction, id) is { } alert)
            {
                alerts.Add(alert);
            }
        }

        var entries = OfSubjects(connection, transaction, $"SELECT {ListColumns} FROM fraud_lists WHERE subject IN (SELECT value FROM json_each($subjects)) ORDER BY created, id", json, ReadListEntry);
        var audit = OfSubjects(connection, transaction, $"SELECT id, t, who, action, kind, target FROM fraud_audit WHERE {AuditOfSubjects} ORDER BY t, id", json, ReadAuditEntry);
        return ValueTask.FromResult(new WorkspaceSubjectRecords { Alerts = alerts, ListEntries = entries, Audit = audit });
    }

    public async ValueTask<int> DeleteRecordsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        if (subjects.Count == 0)
        {
            return 0;
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Writer();
            var deleted = 0;
            using (var transaction = connection.BeginTransaction())
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.Parameters.AddWithValue("$subjects", SqliteDatabaseFile.JsonArray(subjects));

                // The audit entries first: they are found through the alerts and entries they name.
                command.CommandText = $"DELETE FROM fraud_audit WHERE {AuditOfSubjects}";
                deleted += command.ExecuteNonQuery();
                command.CommandText = "DELETE FROM fraud_alert_history WHERE alert_id IN (SELECT id FROM fraud_alerts WHERE subject IN (SELECT value FROM json_each($subjects)))";
                command.ExecuteNonQuery();
                command.CommandText = "DELETE FROM fraud_alerts WHERE subject IN (SELECT value FROM json_each($subjects))";
                deleted += command.ExecuteNonQuery();
                command.CommandText = "DELETE FROM fraud_lists WHERE subject IN (SELECT value FROM json_each($subjects))";
                deleted += command.ExecuteNonQuery();
                transaction.Commit();
            }

            // secure_delete overwrote the freed bytes; the checkpoint leaves no copy of the rows in the write-ahead log.
            SqliteDatabaseFile.Checkpoint(connection);
            return deleted;
        }
        finally
        {
            _writeGate.Release();
        }
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
            _writer?.Dispose();
            _writer = null;
            _file.ClearReadPool();
        }
        finally
        {
            _writeGate.Release();
            _writeGate.Dispose();
        }
    }

    /// <summary>The rows <paramref name="sql"/> selects for the subjects in the JSON array <paramref name="subjectsJson"/> (<c>$subjects</c>).</summary>
    private static List<T> OfSubjects<T>(SqliteConnection connection, SqliteTransaction transaction, string sql, string subjectsJson, Func<SqliteDataReader, T> read)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$subjects", subjectsJson);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static void Filter(SqliteCommand command, List<string> where, string column, string parameter, string? value)
    {
        if (value is not null)
        {
            where.Add($"{column} = {parameter}");
            command.Parameters.AddWithValue(parameter, value);
        }
    }

    private static WorkspaceAlert? ReadAlert(SqliteConnection connection, SqliteTransaction transaction, string id)
    {
        var history = new List<WorkspaceHistoryEntry>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT t, who, from_state, to_state, note FROM fraud_alert_history WHERE alert_id = $id ORDER BY t, rowid";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                history.Add(new WorkspaceHistoryEntry(
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"SELECT {AlertColumns} FROM fraud_alerts WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadAlert(reader, history) : null;
        }
    }

    private static WorkspaceAlert ReadAlert(SqliteDataReader reader, IReadOnlyList<WorkspaceHistoryEntry> history) => new()
    {
        Id = reader.GetString(0),
        Rule = reader.GetString(1),
        Severity = reader.GetString(2),
        Score = reader.GetDouble(3),
        SubjectKind = reader.GetString(4),
        Subject = reader.GetString(5),
        FirstSeen = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        LastSeen = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
        Count = reader.GetInt64(8),
        ReasonsJson = reader.GetString(9),
        EvidenceJson = reader.GetString(10),
        State = reader.GetString(11),
        History = history,
    };

    private static WorkspaceAuditEntry ReadAuditEntry(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        At = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
        Who = reader.GetString(2),
        Action = reader.GetString(3),
        Kind = reader.GetString(4),
        Target = reader.IsDBNull(5) ? null : reader.GetString(5),
    };

    private static WorkspaceListEntry ReadListEntry(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        List = (WorkspaceListKind)reader.GetInt32(1),
        SubjectKind = reader.GetString(2),
        Subject = reader.GetString(3),
        Rule = reader.IsDBNull(4) ? null : reader.GetString(4),
        Expires = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        Created = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        CreatedBy = reader.GetString(7),
        Note = reader.IsDBNull(8) ? null : reader.GetString(8),
    };

    // Long because: the write connection's opening and schema set-up, in the order SQLite needs them.
    private SqliteConnection Writer()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is not null)
        {
            return _writer;
        }

        _writer = _file.OpenWriter(
            """
            CREATE TABLE IF NOT EXISTS fraud_alerts (
                id TEXT NOT NULL PRIMARY KEY,
                rule TEXT NOT NULL,
                severity TEXT NOT NULL,
                score REAL NOT NULL,
                subject_kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                first_seen INTEGER NOT NULL,
                last_seen INTEGER NOT NULL,
                count INTEGER NOT NULL,
                reasons TEXT NOT NULL,
                evidence TEXT NOT NULL,
                state TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS fraud_alerts_last_seen ON fraud_alerts (last_seen);
            CREATE INDEX IF NOT EXISTS fraud_alerts_subject ON fraud_alerts (subject_kind, subject);
            CREATE TABLE IF NOT EXISTS fraud_alert_history (
                alert_id TEXT NOT NULL,
                t INTEGER NOT NULL,
                who TEXT NOT NULL,
                from_state TEXT NOT NULL,
                to_state TEXT NOT NULL,
                note TEXT);
            CREATE INDEX IF NOT EXISTS fraud_alert_history_alert ON fraud_alert_history (alert_id);
            CREATE TABLE IF NOT EXISTS fraud_lists (
                id TEXT NOT NULL PRIMARY KEY,
                list INTEGER NOT NULL,
                subject_kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                rule TEXT,
                expires INTEGER,
                created INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                note TEXT);
            CREATE TABLE IF NOT EXISTS fraud_audit (
                id TEXT NOT NULL PRIMARY KEY,
                t INTEGER NOT NULL,
                who TEXT NOT NULL,
                action TEXT NOT NULL,
                kind TEXT NOT NULL,
                target TEXT);
            CREATE INDEX IF NOT EXISTS fraud_audit_t ON fraud_audit (t);
            """);
        return _writer;
    }
}
