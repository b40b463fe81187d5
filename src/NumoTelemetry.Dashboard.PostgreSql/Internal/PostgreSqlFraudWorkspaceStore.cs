using System.Data;
using Npgsql;

namespace NumoTelemetry.Dashboard.PostgreSql.Internal;

/// <summary>
/// The fraud workspace in the fleet's PostgreSQL schema (tables <c>fraud_alerts</c>, <c>fraud_alert_history</c>,
/// <c>fraud_lists</c>, <c>fraud_audit</c>, created by the dashboard store's migrations), so every node's investigators see the
/// same alerts, triage states, lists and audit trail. It shares the dashboard store's connections and schema. Unlike the
/// dashboard's cells, workspace writes go straight to the database: an investigator's action either is stored or fails
/// visibly, and alerts are retried by <c>WorkspaceService</c>.
/// </summary>
/// <remarks>
/// A review locks the alert's row (<c>SELECT ... FOR UPDATE</c>) and checks the move against the state it finds, in one
/// transaction: two nodes reviewing the same alert at once are serialised by the row lock, the second sees the first's state
/// and gets <see cref="WorkspaceReviewOutcome.Conflict"/>, as with the SQLite store's write gate. Times are stored to the
/// millisecond, as the SQLite store keeps them.
/// </remarks>
internal sealed class PostgreSqlFraudWorkspaceStore(PostgreSqlDashboardStore database) : IFraudWorkspaceStore
{
    private const string AlertColumns = "id, rule, severity, score, subject_kind, subject, first_seen, last_seen, count, reasons, evidence, state";
    private const string ListColumns = "id, list, subject_kind, subject, rule, expires, created, created_by, note";
    private const string AuditColumns = "id, t, who, action, kind, target";

    private readonly NpgsqlDataSource _dataSource = database.DataSource;
    private readonly string _s = database.QuotedSchema;

    /// <summary>The audit entries naming an alert or a list entry of the subjects in <c>$1</c> (a <c>text[]</c>).</summary>
    private string AuditOfSubjects => $"""
        target IN (SELECT id FROM {_s}.fraud_alerts WHERE subject = ANY($1) UNION SELECT id FROM {_s}.fraud_lists WHERE subject = ANY($1))
        """;

    public async ValueTask UpsertAlertsAsync(IReadOnlyList<WorkspaceAlert> alerts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        if (alerts.Count == 0)
        {
            return;
        }

        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        // One statement per alert (a repeat of an id in the batch updates the row again, as in SQLite), in id order (stable, so
        // repeats keep their order): nodes upserting overlapping batches lock rows in the same order and cannot deadlock.
        await using var batch = _dataSource.CreateBatch();
        foreach (var alert in alerts.OrderBy(static a => a.Id, StringComparer.Ordinal))
        {
            var command = new NpgsqlBatchCommand($"""
                INSERT INTO {_s}.fraud_alerts AS a ({AlertColumns})
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'new')
                ON CONFLICT (id) DO UPDATE SET
                    severity = excluded.severity,
                    score = excluded.score,
                    last_seen = greatest(a.last_seen, excluded.last_seen),
                    count = excluded.count,
                    reasons = excluded.reasons,
                    evidence = excluded.evidence
                """);
            command.Parameters.Add(Text(alert.Id));
            command.Parameters.Add(Text(alert.Rule));
            command.Parameters.Add(Text(alert.Severity));
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = alert.Score });
            command.Parameters.Add(Text(alert.SubjectKind));
            command.Parameters.Add(Text(alert.Subject));
            command.Parameters.Add(Time(alert.FirstSeen));
            command.Parameters.Add(Time(alert.LastSeen));
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = alert.Count });
            command.Parameters.Add(Text(alert.ReasonsJson));
            command.Parameters.Add(Text(alert.EvidenceJson));
            batch.BatchCommands.Add(command);
        }

        // A batch of several statements runs in one implicit transaction.
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<WorkspaceAlert>> QueryAlertsAsync(WorkspaceAlertQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand();
        var where = new List<string>();
        Filter(command, where, "state", query.State);
        Filter(command, where, "rule", query.Rule);
        Filter(command, where, "severity", query.Severity);
        Filter(command, where, "subject_kind", query.SubjectKind);
        Filter(command, where, "subject", query.Subject);
        if (query.Since is { } since)
        {
            command.Parameters.Add(Time(since));
            where.Add("last_seen >= $" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (query.Until is { } until)
        {
            command.Parameters.Add(Time(until));
            where.Add("first_seen < $" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(0, query.Limit) });
        command.CommandText = $"SELECT {AlertColumns} FROM {_s}.fraud_alerts" +
            (where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where)) +
            " ORDER BY last_seen DESC, id COLLATE \"C\" LIMIT $" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await ReadAllAsync(command, static reader => ReadAlert(reader, []), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<WorkspaceAlert?> GetAlertAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        return await ReadAlertAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<WorkspaceReviewResult> ReviewAlertAsync(string id, WorkspaceAlertReview review, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(review);
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        string? current;
        await using (var read = new NpgsqlCommand($"SELECT state FROM {_s}.fraud_alerts WHERE id = $1 FOR UPDATE", connection, transaction))
        {
            // FOR UPDATE waits for a concurrent review's commit and then reads the state it left.
            read.Parameters.Add(Text(id));
            current = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        if (current is null)
        {
            return new WorkspaceReviewResult(WorkspaceReviewOutcome.NotFound, null);
        }

        if (!WorkspaceAlertStates.CanMove(current, review.State))
        {
            return new WorkspaceReviewResult(WorkspaceReviewOutcome.Conflict, await ReadAlertAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false));
        }

        await using (var update = new NpgsqlBatch(connection, transaction))
        {
            var move = new NpgsqlBatchCommand($"UPDATE {_s}.fraud_alerts SET state = $2 WHERE id = $1");
            move.Parameters.Add(Text(id));
            move.Parameters.Add(Text(review.State));
            update.BatchCommands.Add(move);
            var history = new NpgsqlBatchCommand($"INSERT INTO {_s}.fraud_alert_history (alert_id, t, who, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6)");
            history.Parameters.Add(Text(id));
            history.Parameters.Add(Time(review.At));
            history.Parameters.Add(Text(review.Who));
            history.Parameters.Add(Text(current));
            history.Parameters.Add(Text(review.State));
            history.Parameters.Add(Text(review.Note));
            update.BatchCommands.Add(history);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var updated = await ReadAlertAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new WorkspaceReviewResult(WorkspaceReviewOutcome.Updated, updated);
    }

    public async ValueTask AddListEntryAsync(WorkspaceListEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"INSERT INTO {_s}.fraud_lists ({ListColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        command.Parameters.Add(Text(entry.Id));
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)entry.List });
        command.Parameters.Add(Text(entry.SubjectKind));
        command.Parameters.Add(Text(entry.Subject));
        command.Parameters.Add(Text(entry.Rule));
        command.Parameters.Add(Time(entry.Expires));
        command.Parameters.Add(Time(entry.Created));
        command.Parameters.Add(Text(entry.CreatedBy));
        command.Parameters.Add(Text(entry.Note));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<WorkspaceListEntry?> RemoveListEntryAsync(WorkspaceListKind list, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"DELETE FROM {_s}.fraud_lists WHERE id = $1 AND list = $2 RETURNING {ListColumns}");
        command.Parameters.Add(Text(id));
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)list });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadListEntry(reader) : null;
    }

    public async ValueTask<IReadOnlyList<WorkspaceListEntry>> ReadListAsync(WorkspaceListKind list, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"""
            SELECT {ListColumns} FROM {_s}.fraud_lists
             WHERE list = $1 AND (expires IS NULL OR expires > $2) ORDER BY created DESC, id COLLATE "C"
            """);
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)list });
        command.Parameters.Add(Time(now));
        return await ReadAllAsync(command, ReadListEntry, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask AppendAuditAsync(WorkspaceAuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"INSERT INTO {_s}.fraud_audit ({AuditColumns}) VALUES ($1, $2, $3, $4, $5, $6)");
        command.Parameters.Add(Text(entry.Id));
        command.Parameters.Add(Time(entry.At));
        command.Parameters.Add(Text(entry.Who));
        command.Parameters.Add(Text(entry.Action));
        command.Parameters.Add(Text(entry.Kind));
        command.Parameters.Add(Text(entry.Target));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<WorkspaceAuditEntry>> ReadAuditAsync(DateTimeOffset since, int max, CancellationToken cancellationToken)
    {
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT {AuditColumns} FROM {_s}.fraud_audit WHERE t >= $1 ORDER BY t DESC, id COLLATE \"C\" LIMIT $2");
        command.Parameters.Add(Time(since));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(0, max) });
        return await ReadAllAsync(command, ReadAuditEntry, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> PurgeWorkspaceAsync(DateTimeOffset alertsBefore, DateTimeOffset auditBefore, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Every node purges; the deletes are idempotent, and a row one node deletes the others find gone. Freed space is
        // reclaimed by autovacuum (a person's erasure rewrites the tables instead: DeleteRecordsOfSubjectsAsync).
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        var removed = 0;
        removed += await ExecuteAsync(connection, transaction, $"DELETE FROM {_s}.fraud_alert_history WHERE alert_id IN (SELECT id FROM {_s}.fraud_alerts WHERE last_seen < $1)", Time(alertsBefore), cancellationToken).ConfigureAwait(false);
        removed += await ExecuteAsync(connection, transaction, $"DELETE FROM {_s}.fraud_alerts WHERE last_seen < $1", Time(alertsBefore), cancellationToken).ConfigureAwait(false);
        removed += await ExecuteAsync(connection, transaction, $"DELETE FROM {_s}.fraud_audit WHERE t < $1", Time(auditBefore), cancellationToken).ConfigureAwait(false);
        removed += await ExecuteAsync(connection, transaction, $"DELETE FROM {_s}.fraud_lists WHERE expires IS NOT NULL AND expires <= $1", Time(now), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return removed;
    }

    public async ValueTask<WorkspaceSubjectRecords> ReadRecordsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        if (subjects.Count == 0)
        {
            return new WorkspaceSubjectRecords();
        }

        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false); // one snapshot
        var ids = await QueryAsync(connection, transaction, $"SELECT id FROM {_s}.fraud_alerts WHERE subject = ANY($1) ORDER BY first_seen, id COLLATE \"C\"", PostgreSqlDashboardStore.Texts(subjects), static reader => reader.GetString(0), cancellationToken).ConfigureAwait(false);

        var alerts = new List<WorkspaceAlert>(ids.Count);
        foreach (var id in ids)
        {
            if (await ReadAlertAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false) is { } alert)
            {
                alerts.Add(alert);
            }
        }

        var entries = await QueryAsync(connection, transaction, $"SELECT {ListColumns} FROM {_s}.fraud_lists WHERE subject = ANY($1) ORDER BY created, id COLLATE \"C\"", PostgreSqlDashboardStore.Texts(subjects), ReadListEntry, cancellationToken).ConfigureAwait(false);

        var audit = await QueryAsync(connection, transaction, $"SELECT {AuditColumns} FROM {_s}.fraud_audit WHERE {AuditOfSubjects} ORDER BY t, id COLLATE \"C\"", PostgreSqlDashboardStore.Texts(subjects), ReadAuditEntry, cancellationToken).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new WorkspaceSubjectRecords { Alerts = alerts, ListEntries = entries, Audit = audit };
    }

    public async ValueTask<int> DeleteRecordsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        if (subjects.Count == 0)
        {
            return 0;
        }

        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

            // The audit entries first: they are found through the alerts and entries they name.
            deleted += await ExecuteAsync(connection, transaction, $"DELETE FROM {_s}.fraud_audit WHERE {AuditOfSubjects}", PostgreSqlDashboardStore.Texts(subjects), cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"DELETE FROM {_s}.fraud_alert_history WHERE alert_id IN (SELECT id FROM {_s}.fraud_alerts WHERE subject = ANY($1))", PostgreSqlDashboardStore.Texts(subjects), cancellationToken).ConfigureAwait(false);
            deleted += await ExecuteAsync(connection, transaction, $"DELETE FROM {_s}.fraud_alerts WHERE subject = ANY($1)", PostgreSqlDashboardStore.Texts(subjects), cancellationToken).ConfigureAwait(false);
            deleted += await ExecuteAsync(connection, transaction, $"DELETE FROM {_s}.fraud_lists WHERE subject = ANY($1)", PostgreSqlDashboardStore.Texts(subjects), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (deleted > 0)
        {
            await database.RewriteAsync(["fraud_audit", "fraud_alert_history", "fraud_alerts", "fraud_lists"], cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, NpgsqlParameter parameter, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(parameter);
        return await ReadAllAsync(command, read, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, NpgsqlParameter parameter, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(parameter);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<WorkspaceAlert?> ReadAlertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string id, CancellationToken cancellationToken)
    {
        var history = await QueryAsync(connection, transaction, $"SELECT t, who, from_state, to_state, note FROM {_s}.fraud_alert_history WHERE alert_id = $1 ORDER BY t, seq", Text(id), ReadHistoryEntry, cancellationToken).ConfigureAwait(false);

        await using (var command = new NpgsqlCommand($"SELECT {AlertColumns} FROM {_s}.fraud_alerts WHERE id = $1", connection, transaction))
        {
            command.Parameters.Add(Text(id));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadAlert(reader, history) : null;
        }
    }

    private static void Filter(NpgsqlCommand command, List<string> where, string column, string? value)
    {
        if (value is not null)
        {
            command.Parameters.Add(Text(value));
            where.Add(column + " = $" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static NpgsqlParameter Text(string? value) => value is null
        ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text }
        : new NpgsqlParameter<string> { TypedValue = value };

    /// <summary>A time to the millisecond, as the SQLite store keeps it.</summary>
    private static NpgsqlParameter Time(DateTimeOffset value) => PostgreSqlDashboardStore.Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds()));

    private static NpgsqlParameter Time(DateTimeOffset? value) => value is { } time
        ? Time(time)
        : new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz };

    private static WorkspaceHistoryEntry ReadHistoryEntry(NpgsqlDataReader reader) => new(
        PostgreSqlDashboardStore.ReadTimestamp(reader, 0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4));

    private static WorkspaceAlert ReadAlert(NpgsqlDataReader reader, IReadOnlyList<WorkspaceHistoryEntry> history) => new()
    {
        Id = reader.GetString(0),
        Rule = reader.GetString(1),
        Severity = reader.GetString(2),
        Score = reader.GetDouble(3),
        SubjectKind = reader.GetString(4),
        Subject = reader.GetString(5),
        FirstSeen = PostgreSqlDashboardStore.ReadTimestamp(reader, 6),
        LastSeen = PostgreSqlDashboardStore.ReadTimestamp(reader, 7),
        Count = reader.GetInt64(8),
        ReasonsJson = reader.GetString(9),
        EvidenceJson = reader.GetString(10),
        State = reader.GetString(11),
        History = history,
    };

    private static WorkspaceListEntry ReadListEntry(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        List = (WorkspaceListKind)reader.GetInt16(1),
        SubjectKind = reader.GetString(2),
        Subject = reader.GetString(3),
        Rule = reader.IsDBNull(4) ? null : reader.GetString(4),
        Expires = reader.IsDBNull(5) ? null : PostgreSqlDashboardStore.ReadTimestamp(reader, 5),
        Created = PostgreSqlDashboardStore.ReadTimestamp(reader, 6),
        CreatedBy = reader.GetString(7),
        Note = reader.IsDBNull(8) ? null : reader.GetString(8),
    };

    private static WorkspaceAuditEntry ReadAuditEntry(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        At = PostgreSqlDashboardStore.ReadTimestamp(reader, 1),
        Who = reader.GetString(2),
        Action = reader.GetString(3),
        Kind = reader.GetString(4),
        Target = reader.IsDBNull(5) ? null : reader.GetString(5),
    };
}
