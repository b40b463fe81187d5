using System.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using NumoTelemetry.Metrics;

namespace NumoTelemetry.Dashboard.PostgreSql.Internal;

/// <summary>
/// The fleet store: every node writes its minute cells, roll-ups and alerts into one PostgreSQL schema and reads the
/// fleet's totals from it. An upsert adds counters and merges sketches on the server (<c>hll_merge</c>, inside the row
/// lock), so writers sharing a cell never lose an update.
/// </summary>
/// <remarks>
/// <para>Writes never wait for the database: <see cref="WriteAsync"/> and <see cref="AppendAlertsAsync"/> put the batch in
/// a bounded in-memory outbox and return; one background loop writes the outbox, a batch per transaction. The pipeline's
/// thread (which also runs fraud detection) is therefore never held by a slow or unreachable database. Batches queued
/// while one is in flight are coalesced (counters added, sketches merged), so an outage costs memory by distinct cell,
/// not by write. A failing write is retried with a doubling pause (250 ms up to <c>MaxRetryDelay</c>); each failed attempt
/// counts in <c>numo.errors{numo.stage=dashboard_store}</c>; the outage is logged once and the recovery once. Beyond
/// <c>MaxBufferedCells</c> new cells are dropped and their records counted in
/// <c>numo.pipeline.records.dropped{numo.reason=dashboard_store}</c>.</para>
/// <para>Exactly once: the processor hands over deltas (its buffer starts empty after every write and after a restart),
/// so a restart cannot count twice; what could is a retry of a batch whose commit reached the server while the
/// acknowledgement was lost. Each batch therefore carries this process's writer id and a sequence number, recorded in
/// <c>writers</c> in the same transaction; a batch the server already holds is recognised and skipped. A batch once
/// tried is never changed, only retried.</para>
/// </remarks>
internal sealed class PostgreSqlDashboardStore : IDashboardStore, IAsyncDisposable, IDisposable
{
    private const string Stage = "dashboard_store";
    private const int ChunkSize = 2_000;
    private static readonly TimeSpan s_firstRetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgreSqlDashboardOptions _options;
    private readonly ILogger _logger;
    private readonly ILossCounter? _metrics;
    private readonly TimeProvider _time;
    private readonly string _s;
    private readonly string _upsertSql;
    private readonly Guid _writer = Guid.NewGuid();
    private readonly object _lock = new();
    private readonly LinkedList<PendingBatch> _batches = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;
    private volatile bool _schemaReady;
    private int _bufferedCells;
    private int _bufferedAlerts;
    private long _sequence;
    private int _failures;
    private DateTimeOffset _failingSince;
    private bool _droppedWhileFailing;
    private bool _alertsDroppedWhileFailing;
    private int _disposed;

    public PostgreSqlDashboardStore(IOptions<PostgreSqlDashboardOptions> options, ILogger<PostgreSqlDashboardStore> logger, TimeProvider? time = null, ILossCounter? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _metrics = metrics;
        _time = time ?? TimeProvider.System;
        _s = PostgreSqlSchema.Quote(_options.Schema);
        var builder = new NpgsqlDataSourceBuilder(_options.ConnectionString);
        builder.ConnectionStringBuilder.CommandTimeout = Math.Max(1, (int)Math.Ceiling(_options.CommandTimeout.TotalSeconds));
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
        {
            builder.ConnectionStringBuilder.ApplicationName = "numo-telemetry";
        }

        Host = builder.ConnectionStringBuilder.Host;
        Database = builder.ConnectionStringBuilder.Database;
        _dataSource = builder.Build();
        _upsertSql = $"""
            INSERT INTO {_s}.cells AS c (g, dim, t, key, requests, page_views, visits, engaged, visit_ms, visitors, contributors)
            SELECT u.g, u.dim, u.t, u.key, u.requests, u.page_views, u.visits, u.engaged, u.visit_ms, u.visitors, u.contributors
              FROM unnest($1::smallint[], $2::text[], $3::timestamptz[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bytea[], $11::bytea[])
                   WITH ORDINALITY AS u(g, dim, t, key, requests, page_views, visits, engaged, visit_ms, visitors, contributors, n)
             ORDER BY u.n
            ON CONFLICT (g, dim, t, key) DO UPDATE SET
                requests = c.requests + excluded.requests,
                page_views = c.page_views + excluded.page_views,
                visits = c.visits + excluded.visits,
                engaged = c.engaged + excluded.engaged,
                visit_ms = c.visit_ms + excluded.visit_ms,
                visitors = {_s}.hll_merge(c.visitors, excluded.visitors),
                contributors = {_s}.hll_merge(c.contributors, excluded.contributors)
            """;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The database host (for the start-up log line).</summary>
    internal string? Host { get; }

    /// <summary>The database name (for the start-up log line).</summary>
    internal string? Database { get; }

    /// <summary>Cells waiting in the outbox.</summary>
    internal int BufferedCells => Volatile.Read(ref _bufferedCells);

    /// <summary>Consecutive failed attempts (0 while the database works).</summary>
    internal int Failures => Volatile.Read(ref _failures);

    /// <summary>This process's writer id (one per store instance: a restarted node is a new writer).</summary>
    internal Guid Writer => _writer;

    /// <summary>Creates or migrates the schema unless that was done; safe to call from several threads and nodes.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }

        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            var found = await PostgreSqlSchema.MigrateAsync(_dataSource, _options.Schema, cancellationToken).ConfigureAwait(false);
            if (found != PostgreSqlSchema.Version)
            {
                PostgreSqlDashboardLog.Migrated(_logger, _options.Schema, found, PostgreSqlSchema.Version);
            }

            PostgreSqlDashboardLog.Opened(_logger, Host, Database, _options.Schema, PostgreSqlSchema.Version);
            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    public ValueTask WriteAsync(IReadOnlyList<DashboardCell> cells, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (cells.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        int droppedCells;
        long droppedRecords;
        lock (_lock)
        {
            if (_bufferedCells + cells.Count > _options.MaxBufferedCells && _bufferedCells > 0)
            {
                droppedCells = cells.Count;
                droppedRecords = RecordsIn(cells);
            }
            else
            {
                var batch = OpenBatch();
                var before = batch.Cells.Count;
                for (var i = 0; i < cells.Count; i++)
                {
                    batch.Add(cells[i]);
                }

                _bufferedCells += batch.Cells.Count - before;
                droppedCells = 0;
                droppedRecords = 0;
            }
        }

        if (droppedCells > 0)
        {
            Dropped(droppedCells, droppedRecords);
        }
        else
        {
            _wake.Release();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask AppendAlertsAsync(IReadOnlyList<DashboardAlert> alerts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (alerts.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var max = Math.Max(1_000, _options.MaxBufferedCells / 20);
        var dropped = 0;
        lock (_lock)
        {
            var batch = OpenBatch();
            for (var i = 0; i < alerts.Count; i++)
            {
                if (_bufferedAlerts >= max)
                {
                    dropped = alerts.Count - i;
                    break;
                }

                batch.Alerts.Add(alerts[i]);
                _bufferedAlerts++;
            }
        }

        if (dropped > 0)
        {
            for (var i = 0; i < dropped; i++)
            {
                _metrics?.RecordError(Stage);
            }

            if (!_alertsDroppedWhileFailing)
            {
                _alertsDroppedWhileFailing = true;
                PostgreSqlDashboardLog.AlertsDropped(_logger, dropped, max);
            }
        }

        _wake.Release();
        return ValueTask.CompletedTask;
    }

    public async ValueTask<IReadOnlyList<DashboardCell>> ReadAsync(DashboardCellQuery query, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"""
            SELECT t, key, requests, page_views, visits, engaged, visit_ms, visitors, contributors
              FROM {_s}.cells WHERE g = $1 AND dim = $2 AND t >= $3 AND t < $4 ORDER BY t, key
            """);
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)query.Granularity });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = query.Dimension });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = query.From.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = query.To.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var cells = new List<DashboardCell>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            cells.Add(new DashboardCell
            {
                Granularity = query.Granularity,
                Dimension = query.Dimension,
                BucketStart = new DateTimeOffset(reader.GetFieldValue<DateTime>(0).Ticks, TimeSpan.Zero),
                Key = reader.GetString(1),
                Requests = reader.GetInt64(2),
                PageViews = reader.GetInt64(3),
                Visits = reader.GetInt64(4),
                EngagedVisits = reader.GetInt64(5),
                VisitMilliseconds = reader.GetInt64(6),
                Visitors = reader.IsDBNull(7) ? null : reader.GetFieldValue<byte[]>(7),
                Contributors = reader.IsDBNull(8) ? null : reader.GetFieldValue<byte[]>(8),
            });
        }

        return cells;
    }

    public async ValueTask<int> PurgeAsync(DashboardGranularity granularity, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"DELETE FROM {_s}.cells WHERE g = $1 AND t < $2");
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)granularity });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = cutoff.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<DashboardAlert>> ReadAlertsAsync(DateTimeOffset since, int max, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"""
            SELECT t, rule, severity, score, subject_kind, subject
              FROM {_s}.alerts WHERE t >= $1 ORDER BY t DESC, id DESC LIMIT $2
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = since.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(0, max) });
        var alerts = new List<DashboardAlert>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            alerts.Add(ReadAlert(reader));
        }

        return alerts;
    }

    public async ValueTask<int> PurgeAlertsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = _dataSource.CreateBatch();
        var alerts = new NpgsqlBatchCommand($"DELETE FROM {_s}.alerts WHERE t < $1");
        alerts.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = cutoff.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        batch.BatchCommands.Add(alerts);

        // Writer marks only matter while a writer may retry a batch: a week covers any outage the outbox outlives.
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"DELETE FROM {_s}.writers WHERE t < now() - interval '7 days'"));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return alerts.RecordsAffected;
    }

    public async ValueTask<byte[]> GetOrAddDaySecretAsync(DateOnly day, byte[] candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);

        // Called on the pipeline's thread: bounded, so an unreachable database costs one wait per day, not more.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CommandTimeout);
        await EnsureSchemaAsync(timeout.Token).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(timeout.Token).ConfigureAwait(false);

        // First writer wins. Two statements under READ COMMITTED: the select takes a new snapshot, so it sees the row of a
        // writer that committed while the insert waited on it (one statement would not).
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, timeout.Token).ConfigureAwait(false);
        await using (var insert = new NpgsqlCommand($"INSERT INTO {_s}.day_secrets (day, secret) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = candidate });
            await insert.ExecuteNonQueryAsync(timeout.Token).ConfigureAwait(false);
        }

        byte[] secret;
        await using (var select = new NpgsqlCommand($"SELECT secret FROM {_s}.day_secrets WHERE day = $1", connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
            secret = (byte[])(await select.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false))!;
        }

        await transaction.CommitAsync(timeout.Token).ConfigureAwait(false);
        return secret.AsSpan().SequenceEqual(candidate) ? candidate : secret;
    }

    public async ValueTask<int> DeleteDaySecretsAsync(DateOnly before, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        int removed;
        await using (var command = _dataSource.CreateCommand($"DELETE FROM {_s}.day_secrets WHERE day < $1"))
        {
            command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = before });
            removed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (removed > 0)
        {
            // A deleted row stays in the table's pages until vacuumed; VACUUM FULL rewrites the (tiny) table into a new file
            // and unlinks the old one. Copies in the write-ahead log and in backups last as long as the server keeps them.
            await using var vacuum = _dataSource.CreateCommand($"VACUUM (FULL) {_s}.day_secrets");
            await vacuum.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    public async ValueTask RevokeShareLinkAsync(string id, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = _dataSource.CreateBatch();
        var prune = new NpgsqlBatchCommand($"DELETE FROM {_s}.share_revocations WHERE expires < $1");
        prune.Parameters.Add(Timestamp(_time.GetUtcNow()));
        batch.BatchCommands.Add(prune);
        var revoke = new NpgsqlBatchCommand($"""
            INSERT INTO {_s}.share_revocations (id, expires) VALUES ($1, $2)
            ON CONFLICT (id) DO UPDATE SET expires = excluded.expires
            """);
        revoke.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        revoke.Parameters.Add(Timestamp(expires));
        batch.BatchCommands.Add(revoke);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> IsShareLinkRevokedAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT 1 FROM {_s}.share_revocations WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public async ValueTask<IReadOnlyList<DashboardAlert>> ReadAlertsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var alerts = new List<DashboardAlert>();
        if (subjects.Count == 0)
        {
            return alerts;
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"""
            SELECT t, rule, severity, score, subject_kind, subject
              FROM {_s}.alerts WHERE subject = ANY($1) ORDER BY t, id
            """);
        command.Parameters.Add(Texts(subjects));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            alerts.Add(ReadAlert(reader));
        }

        return alerts;
    }

    public async ValueTask<int> DeleteAlertsOfSubjectsAsync(IReadOnlySet<string> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        if (subjects.Count == 0)
        {
            return 0;
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        int deleted;
        await using (var command = _dataSource.CreateCommand($"DELETE FROM {_s}.alerts WHERE subject = ANY($1)"))
        {
            command.Parameters.Add(Texts(subjects));
            deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (deleted > 0)
        {
            await RewriteAsync(["alerts"], cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    /// <summary>
    /// Rewrites <paramref name="tables"/> (<c>VACUUM FULL</c>: a new file, the old one unlinked), so rows deleted for a person's
    /// erasure leave the table's files. It holds each table's exclusive lock while it runs. Copies in the write-ahead log and in
    /// backups last as long as the server keeps them.
    /// </summary>
    internal async Task RewriteAsync(string[] tables, CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            await using var vacuum = _dataSource.CreateCommand($"VACUUM (FULL) {_s}.{table}");
            await vacuum.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The connections to the store's database (shared with the fraud workspace's store).</summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    /// <summary>The quoted schema name, as table names are prefixed in SQL.</summary>
    internal string QuotedSchema => _s;

    /// <summary>A <c>timestamptz</c> parameter.</summary>
    internal static NpgsqlParameter<DateTime> Timestamp(DateTimeOffset value) =>
        new() { TypedValue = value.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    /// <summary>A <c>text[]</c> parameter of <paramref name="values"/>.</summary>
    internal static NpgsqlParameter<string[]> Texts(IEnumerable<string> values) => new() { TypedValue = [.. values] };

    /// <summary>A <c>timestamptz</c> column as UTC.</summary>
    internal static DateTimeOffset ReadTimestamp(NpgsqlDataReader reader, int ordinal) =>
        new(reader.GetFieldValue<DateTime>(ordinal).Ticks, TimeSpan.Zero);

    private static DashboardAlert ReadAlert(NpgsqlDataReader reader) => new()
    {
        Timestamp = ReadTimestamp(reader, 0),
        Rule = reader.GetString(1),
        Severity = reader.GetString(2),
        Score = reader.GetDouble(3),
        SubjectKind = reader.IsDBNull(4) ? null : reader.GetString(4),
        Subject = reader.IsDBNull(5) ? null : reader.GetString(5),
    };

    /// <summary>Waits until the outbox is empty (tests, benchmarks and the shutdown drain).</summary>
    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_batches.Count == 0)
                {
                    return;
                }
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopRequested.TrySetResult();
        _wake.Release();
        try
        {
            await _loop.WaitAsync(_options.ShutdownTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        int cells = 0, alerts = 0;
        long records = 0;
        lock (_lock)
        {
            foreach (var batch in _batches)
            {
                cells += batch.Cells.Count;
                alerts += batch.Alerts.Count;
                records += RecordsIn(batch.Cells.Values);
            }

            _batches.Clear();
        }

        if (cells + alerts > 0)
        {
            CountDropped(records);
            PostgreSqlDashboardLog.ShutdownDropped(_logger, cells, records, alerts);
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _abort.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // Long because: the writer loop's retry state machine: take, send, back off, give up in one place.
    private async Task RunAsync()
    {
        var abort = _abort.Token;
        var delay = s_firstRetryDelay;
        while (!abort.IsCancellationRequested)
        {
            PendingBatch? batch;
            lock (_lock)
            {
                batch = _batches.First?.Value;
                if (batch is not null && batch.Sequence == 0)
                {
                    batch.Sequence = ++_sequence; // from now on the batch is only retried, never changed
                }
            }

            if (batch is null)
            {
                if (_stopRequested.Task.IsCompleted)
                {
                    return;
                }

                await _wake.WaitAsync(abort).ConfigureAwait(false);
                continue;
            }

            try
            {
                await WriteBatchAsync(batch, abort).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (IsPermanent(ex) && !abort.IsCancellationRequested)
            {
                // The server refused the data itself (a value it cannot take): retrying cannot help, and the batch would
                // hold up every later one. It is dropped and counted.
                Failed(ex);
                long records;
                lock (_lock)
                {
                    _batches.RemoveFirst();
                    _bufferedCells -= batch.Cells.Count;
                    _bufferedAlerts -= batch.Alerts.Count;
                    records = RecordsIn(batch.Cells.Values);
                }

                CountDropped(records);
                PostgreSqlDashboardLog.BatchRejected(_logger, batch.Cells.Count, records, "SQLSTATE " + ex.SqlState);
                continue;
            }
            catch (Exception ex) when (!abort.IsCancellationRequested)
            {
                Failed(ex);
                await Task.WhenAny(Task.Delay(delay, _time, abort), _stopRequested.Task).ConfigureAwait(false);
                if (_stopRequested.Task.IsCompleted)
                {
                    // Shutting down: keep trying without pauses until the shutdown timeout aborts the loop.
                    await Task.Delay(50, abort).ConfigureAwait(false);
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
                continue;
            }
            catch (Exception) when (abort.IsCancellationRequested)
            {
                // The shutdown timeout aborted the loop while a write was failing (a refused connection is not a cancellation):
                // the loop ends here, and DisposeAsync counts the batches left.
                return;
            }

            delay = s_firstRetryDelay;
            int pending;
            lock (_lock)
            {
                _batches.RemoveFirst();
                _bufferedCells -= batch.Cells.Count;
                _bufferedAlerts -= batch.Alerts.Count;
                pending = _bufferedCells;
            }

            Succeeded(pending);
        }
    }

    /// <summary>
    /// Writes <paramref name="cells"/> as batch <paramref name="sequence"/> of this writer, bypassing the outbox (tests: a
    /// retry after a lost acknowledgement is the same call again).
    /// </summary>
    internal Task WriteBatchAsync(IReadOnlyList<DashboardCell> cells, long sequence, CancellationToken cancellationToken)
    {
        var batch = new PendingBatch { Sequence = sequence };
        foreach (var cell in cells)
        {
            batch.Add(cell);
        }

        return WriteBatchAsync(batch, cancellationToken);
    }

    /// <summary>Data and integrity errors (SQLSTATE classes 22 and 23): the batch itself is refused, whenever it is sent.</summary>
    private static bool IsPermanent(PostgresException ex) => ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal);

    /// <summary>Writes one batch in one transaction, unless the server already holds it (same writer, same sequence).</summary>
    private async Task WriteBatchAsync(PendingBatch batch, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        await using (var mark = new NpgsqlCommand(
            $"""
            INSERT INTO {_s}.writers AS w (writer, seq, t) VALUES ($1, $2, now())
            ON CONFLICT (writer) DO UPDATE SET seq = excluded.seq, t = excluded.t WHERE w.seq < excluded.seq
            """,
            connection,
            transaction))
        {
            mark.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = _writer });
            mark.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batch.Sequence });
            if (await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return; // applied before: its commit went through, only the acknowledgement was lost
            }
        }

        if (batch.Cells.Count > 0)
        {
            // One order for every writer (granularity, dimension, bucket, key), so two writers lock shared rows in the same
            // order and do not deadlock.
            var cells = new DashboardCell[batch.Cells.Count];
            batch.Cells.Values.CopyTo(cells, 0);
            Array.Sort(cells, CompareCells);
            for (var start = 0; start < cells.Length; start += ChunkSize)
            {
                await UpsertAsync(connection, transaction, cells.AsMemory(start, Math.Min(ChunkSize, cells.Length - start)), cancellationToken).ConfigureAwait(false);
            }
        }

        if (batch.Alerts.Count > 0)
        {
            await InsertAlertsAsync(connection, transaction, batch.Alerts, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ReadOnlyMemory<DashboardCell> chunk, CancellationToken cancellationToken)
    {
        var cells = chunk.Span;
        var g = new short[cells.Length];
        var dim = new string[cells.Length];
        var t = new DateTime[cells.Length];
        var key = new string[cells.Length];
        var requests = new long[cells.Length];
        var pageViews = new long[cells.Length];
        var visits = new long[cells.Length];
        var engaged = new long[cells.Length];
        var visitMs = new long[cells.Length];
        var visitors = new byte[]?[cells.Length];
        var contributors = new byte[]?[cells.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = cells[i];
            g[i] = (short)cell.Granularity;
            dim[i] = cell.Dimension;
            t[i] = new DateTime(cell.BucketStart.UtcTicks, DateTimeKind.Utc);
            key[i] = cell.Key;
            requests[i] = cell.Requests;
            pageViews[i] = cell.PageViews;
            visits[i] = cell.Visits;
            engaged[i] = cell.EngagedVisits;
            visitMs[i] = cell.VisitMilliseconds;
            visitors[i] = cell.Visitors is { Length: > 0 } v ? v : null;
            contributors[i] = cell.Contributors is { Length: > 0 } c ? c : null;
        }

        await using var command = new NpgsqlCommand(_upsertSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = g });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = dim });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = t, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = requests });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = pageViews });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = visits });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = engaged });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = visitMs });
        command.Parameters.Add(new NpgsqlParameter<byte[]?[]> { TypedValue = visitors, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter<byte[]?[]> { TypedValue = contributors, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task InsertAlertsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<DashboardAlert> alerts, CancellationToken cancellationToken)
    {
        var t = new DateTime[alerts.Count];
        var rule = new string[alerts.Count];
        var severity = new string[alerts.Count];
        var score = new double[alerts.Count];
        var kind = new string?[alerts.Count];
        var subject = new string?[alerts.Count];
        for (var i = 0; i < alerts.Count; i++)
        {
            var alert = alerts[i];
            t[i] = new DateTime(alert.Timestamp.UtcTicks, DateTimeKind.Utc);
            rule[i] = alert.Rule;
            severity[i] = alert.Severity;
            score[i] = alert.Score;
            kind[i] = alert.SubjectKind;
            subject[i] = alert.Subject;
        }

        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO {_s}.alerts (t, rule, severity, score, subject_kind, subject)
            SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::text[])
            """,
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = t, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rule });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = severity });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = score });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = kind, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = subject, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The batch new cells join: the last one, unless it is in flight (then a new one).</summary>
    private PendingBatch OpenBatch()
    {
        if (_batches.Last?.Value is { Sequence: 0 } open)
        {
            return open;
        }

        var batch = new PendingBatch();
        _batches.AddLast(batch);
        return batch;
    }

    private void Failed(Exception ex)
    {
        _metrics?.RecordError(Stage);
        if (Interlocked.Increment(ref _failures) == 1)
        {
            _failingSince = _time.GetUtcNow();
            PostgreSqlDashboardLog.Failing(_logger, ex.GetType().Name, Describe(ex), _options.MaxBufferedCells);
        }
    }

    private void Succeeded(int pending)
    {
        var failures = Interlocked.Exchange(ref _failures, 0);
        if (failures > 0)
        {
            PostgreSqlDashboardLog.Recovered(_logger, failures, (_time.GetUtcNow() - _failingSince).TotalSeconds, pending);
            _droppedWhileFailing = false;
            _alertsDroppedWhileFailing = false;
        }
    }

    private void Dropped(int cells, long records)
    {
        CountDropped(records);
        if (!_droppedWhileFailing)
        {
            _droppedWhileFailing = true;
            PostgreSqlDashboardLog.CellsDropped(_logger, cells, records, _options.MaxBufferedCells);
        }
    }

    private void CountDropped(long records)
    {
        if (_metrics is null)
        {
            return;
        }

        for (long i = 0; i < records; i++)
        {
            _metrics.RecordDropped(Stage);
        }
    }

    /// <summary>Records in a set of cells: every record adds one request to its minute's total cell.</summary>
    private static long RecordsIn(IEnumerable<DashboardCell> cells)
    {
        long records = 0;
        foreach (var cell in cells)
        {
            if (cell.Granularity == DashboardGranularity.Minute && string.Equals(cell.Dimension, DashboardCell.TotalDimension, StringComparison.Ordinal))
            {
                records += cell.Requests;
            }
        }

        return records;
    }

    /// <summary>What went wrong, without the exception message (which may quote a value): the SQLSTATE or the inner cause.</summary>
    internal static string Describe(Exception ex) => ex switch
    {
        PostgresException postgres => "SQLSTATE " + postgres.SqlState,
        NpgsqlException { InnerException: System.Net.Sockets.SocketException socket } => socket.SocketErrorCode.ToString(),
        NpgsqlException { InnerException: TimeoutException } => "timeout",
        NpgsqlException { InnerException: { } inner } => inner.GetType().Name,
        OperationCanceledException => "timeout",
        _ => "error",
    };

    private static int CompareCells(DashboardCell a, DashboardCell b)
    {
        var c = a.Granularity.CompareTo(b.Granularity);
        if (c != 0)
        {
            return c;
        }

        c = string.CompareOrdinal(a.Dimension, b.Dimension);
        if (c != 0)
        {
            return c;
        }

        c = a.BucketStart.UtcTicks.CompareTo(b.BucketStart.UtcTicks);
        return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
    }

    /// <summary>Cells and alerts to be written in one transaction; coalesced until first tried, then fixed.</summary>
    private sealed class PendingBatch
    {
        public Dictionary<(DashboardGranularity G, string Dimension, long Ticks, string Key), DashboardCell> Cells { get; } = [];

        public List<DashboardAlert> Alerts { get; } = [];

        /// <summary>0 until first tried; then the sequence number the server records with it.</summary>
        public long Sequence { get; set; }

        public void Add(DashboardCell cell)
        {
            var id = (cell.Granularity, cell.Dimension, cell.BucketStart.UtcTicks, cell.Key);
            if (!Cells.TryGetValue(id, out var existing))
            {
                Cells[id] = new DashboardCell
                {
                    Granularity = cell.Granularity,
                    BucketStart = cell.BucketStart,
                    Dimension = cell.Dimension,
                    Key = cell.Key,
                    Requests = cell.Requests,
                    PageViews = cell.PageViews,
                    Visits = cell.Visits,
                    EngagedVisits = cell.EngagedVisits,
                    VisitMilliseconds = cell.VisitMilliseconds,
                    Visitors = cell.Visitors,
                    Contributors = cell.Contributors,
                };
                return;
            }

            existing.Add(cell);
        }
    }
}
