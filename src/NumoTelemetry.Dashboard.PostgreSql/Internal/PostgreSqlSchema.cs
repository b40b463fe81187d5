using Npgsql;

namespace NumoTelemetry.Dashboard.PostgreSql.Internal;

/// <summary>
/// The store's schema and its migrations. Each migration runs once, in order, in one transaction with the version it
/// brings (<c>schema_version</c>); the whole start-up check holds a transaction-level advisory lock keyed by the schema
/// name, so several nodes starting at once apply each migration exactly once and the others wait, then find nothing to do.
/// </summary>
/// <remarks>
/// <para>Tables: <c>cells</c> (primary key <c>(g, dim, t, key)</c>, which serves the dashboard's reads: one granularity, one
/// dimension, a time range; <c>cells_g_t</c> serves the retention purge), <c>alerts</c> (by time), <c>day_secrets</c>,
/// and <c>writers</c> (the last batch each writing process applied: a retried batch whose commit was lost in transit is
/// recognised and not added twice). Version 2: <c>share_revocations</c>, and the fraud workspace's <c>fraud_alerts</c>,
/// <c>fraud_alert_history</c>, <c>fraud_lists</c> and <c>fraud_audit</c> (as in the SQLite file; times as <c>timestamptz</c>),
/// indexed by time for the inbox and retention, and by subject for a person's export and erasure.</para>
/// <para>Functions: <c>hll_merge(a, b)</c> merges two sketches in the dashboard's own HyperLogLog format (register-wise
/// maximum; sparse up to 512 registers, dense above, byte-identical to the .NET merge; PL/pgSQL loops over plain copies,
/// costing O(smaller sketch) for the usual small delta into a large cell), so an upsert merges on the
/// server, inside the row lock, and concurrent writers never lose a register. Plain SQL and PL/pgSQL: no extension
/// to install, so it runs on managed PostgreSQL services too.</para>
/// </remarks>
internal static class PostgreSqlSchema
{
    /// <summary>The version this code writes and reads.</summary>
    public const int Version = 2;

    /// <summary>The migrations, index i bringing the schema to version i + 1. <c>{s}</c> is the quoted schema name.</summary>
    private static readonly string[] s_migrations =
    [
        """
        CREATE TABLE {s}.cells (
            g smallint NOT NULL,
            dim text NOT NULL,
            t timestamptz NOT NULL,
            key text NOT NULL,
            requests bigint NOT NULL,
            page_views bigint NOT NULL,
            visits bigint NOT NULL,
            engaged bigint NOT NULL,
            visit_ms bigint NOT NULL,
            visitors bytea,
            contributors bytea,
            PRIMARY KEY (g, dim, t, key));
        CREATE INDEX cells_g_t ON {s}.cells (g, t);
        CREATE TABLE {s}.alerts (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            t timestamptz NOT NULL,
            rule text NOT NULL,
            severity text NOT NULL,
            score double precision NOT NULL,
            subject_kind text,
            subject text);
        CREATE INDEX alerts_t ON {s}.alerts (t);
        CREATE TABLE {s}.day_secrets (
            day date PRIMARY KEY,
            secret bytea NOT NULL);
        CREATE TABLE {s}.writers (
            writer uuid PRIMARY KEY,
            seq bigint NOT NULL,
            t timestamptz NOT NULL);

        CREATE FUNCTION {s}.hll_check(s bytea) RETURNS bytea
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
        BEGIN
            IF length(s) < 2 THEN
                RAISE EXCEPTION 'not a HyperLogLog sketch' USING ERRCODE = '22P03';
            END IF;
            IF get_byte(s, 1) <> 12 THEN
                RAISE EXCEPTION 'not a HyperLogLog sketch of precision 12' USING ERRCODE = '22P03';
            END IF;
            IF get_byte(s, 0) = 2 THEN
                IF length(s) <> 4098 THEN
                    RAISE EXCEPTION 'truncated dense HyperLogLog sketch' USING ERRCODE = '22P03';
                END IF;
            ELSIF get_byte(s, 0) = 1 THEN
                IF length(s) < 4 THEN
                    RAISE EXCEPTION 'truncated sparse HyperLogLog sketch' USING ERRCODE = '22P03';
                END IF;
                IF length(s) <> 4 + 3 * (get_byte(s, 2) + 256 * get_byte(s, 3)) THEN
                    RAISE EXCEPTION 'truncated sparse HyperLogLog sketch' USING ERRCODE = '22P03';
                END IF;
            ELSE
                RAISE EXCEPTION 'unknown HyperLogLog sketch format' USING ERRCODE = '22P03';
            END IF;
            RETURN s;
        END
        $f$;

        CREATE FUNCTION {s}.hll_merge(a bytea, b bytea) RETURNS bytea
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
        DECLARE
            d bytea;
            sp bytea;
            big bytea;
            small bytea;
            nb integer;
            ns integer;
            ri integer;
            rr integer;
            lo integer;
            hi integer;
            mid integer;
            mi integer;
            at integer;
            merged bytea;
        BEGIN
            IF a IS NULL OR length(a) = 0 THEN
                IF b IS NULL OR length(b) = 0 THEN
                    RETURN NULL;
                END IF;
                RETURN {s}.hll_check(b);
            END IF;
            IF b IS NULL OR length(b) = 0 THEN
                RETURN {s}.hll_check(a);
            END IF;
            -- work on plain (decompressed) copies: get_byte on a compressed value would decompress it on every call
            a := {s}.hll_check(a) || '\x'::bytea;
            b := {s}.hll_check(b) || '\x'::bytea;
            IF get_byte(a, 0) = 2 AND get_byte(b, 0) = 2 THEN
                -- dense + dense: register-wise maximum (a copy only where a register rises)
                d := a;
                FOR k IN 2 .. 4097 LOOP
                    rr := get_byte(b, k);
                    IF rr > get_byte(d, k) THEN
                        d := set_byte(d, k, rr);
                    END IF;
                END LOOP;
                RETURN d;
            END IF;
            IF get_byte(a, 0) = 2 OR get_byte(b, 0) = 2 THEN
                -- dense + sparse: the sparse entries raise the dense registers
                IF get_byte(a, 0) = 2 THEN
                    d := a;
                    sp := b;
                ELSE
                    d := b;
                    sp := a;
                END IF;
                FOR j IN 0 .. get_byte(sp, 2) + 256 * get_byte(sp, 3) - 1 LOOP
                    ri := get_byte(sp, 4 + 3 * j) + 256 * get_byte(sp, 5 + 3 * j);
                    IF ri >= 4096 THEN
                        RAISE EXCEPTION 'HyperLogLog register index out of range' USING ERRCODE = '22P03';
                    END IF;
                    rr := get_byte(sp, 6 + 3 * j);
                    IF rr > get_byte(d, 2 + ri) THEN
                        d := set_byte(d, 2 + ri, rr);
                    END IF;
                END LOOP;
                RETURN d;
            END IF;
            -- sparse + sparse: the smaller one's entries go into the bigger one (binary search, insert in order)
            IF length(a) >= length(b) THEN
                big := a;
                small := b;
            ELSE
                big := b;
                small := a;
            END IF;
            nb := get_byte(big, 2) + 256 * get_byte(big, 3);
            ns := get_byte(small, 2) + 256 * get_byte(small, 3);
            IF nb > 0 AND get_byte(big, 4 + 3 * (nb - 1)) + 256 * get_byte(big, 5 + 3 * (nb - 1)) >= 4096 THEN
                RAISE EXCEPTION 'HyperLogLog register index out of range' USING ERRCODE = '22P03';
            END IF;
            FOR j IN 0 .. ns - 1 LOOP
                ri := get_byte(small, 4 + 3 * j) + 256 * get_byte(small, 5 + 3 * j);
                IF ri >= 4096 THEN
                    RAISE EXCEPTION 'HyperLogLog register index out of range' USING ERRCODE = '22P03';
                END IF;
                rr := get_byte(small, 6 + 3 * j);
                CONTINUE WHEN rr = 0;
                lo := 0;
                hi := nb - 1;
                at := -1;
                WHILE lo <= hi LOOP
                    mid := (lo + hi) / 2;
                    mi := get_byte(big, 4 + 3 * mid) + 256 * get_byte(big, 5 + 3 * mid);
                    IF mi = ri THEN
                        at := mid;
                        EXIT;
                    ELSIF mi < ri THEN
                        lo := mid + 1;
                    ELSE
                        hi := mid - 1;
                    END IF;
                END LOOP;
                IF at >= 0 THEN
                    IF rr > get_byte(big, 6 + 3 * at) THEN
                        big := set_byte(big, 6 + 3 * at, rr);
                    END IF;
                ELSE
                    big := substring(big FROM 1 FOR 4 + 3 * lo)
                        || set_byte(set_byte(set_byte('\x000000'::bytea, 0, ri % 256), 1, ri / 256), 2, rr)
                        || substring(big FROM 5 + 3 * lo);
                    nb := nb + 1;
                END IF;
            END LOOP;
            -- beyond 512 registers the sketch turns dense, as the .NET sketch does
            IF nb > 512 THEN
                d := '\x020c'::bytea || decode(repeat('00', 4096), 'hex');
                FOR j IN 0 .. nb - 1 LOOP
                    ri := get_byte(big, 4 + 3 * j) + 256 * get_byte(big, 5 + 3 * j);
                    rr := get_byte(big, 6 + 3 * j);
                    IF rr > get_byte(d, 2 + ri) THEN
                        d := set_byte(d, 2 + ri, rr);
                    END IF;
                END LOOP;
                RETURN d;
            END IF;
            RETURN set_byte(set_byte(big, 2, nb % 256), 3, nb / 256);
        END
        $f$;
        """,
        """
        CREATE TABLE {s}.share_revocations (
            id text PRIMARY KEY,
            expires timestamptz NOT NULL);
        CREATE INDEX share_revocations_expires ON {s}.share_revocations (expires);
        CREATE TABLE {s}.fraud_alerts (
            id text PRIMARY KEY,
            rule text NOT NULL,
            severity text NOT NULL,
            score double precision NOT NULL,
            subject_kind text NOT NULL,
            subject text NOT NULL,
            first_seen timestamptz NOT NULL,
            last_seen timestamptz NOT NULL,
            count bigint NOT NULL,
            reasons text NOT NULL,
            evidence text NOT NULL,
            state text NOT NULL);
        CREATE INDEX fraud_alerts_last_seen ON {s}.fraud_alerts (last_seen);
        CREATE INDEX fraud_alerts_subject ON {s}.fraud_alerts (subject);
        CREATE TABLE {s}.fraud_alert_history (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            alert_id text NOT NULL,
            t timestamptz NOT NULL,
            who text NOT NULL,
            from_state text NOT NULL,
            to_state text NOT NULL,
            note text);
        CREATE INDEX fraud_alert_history_alert ON {s}.fraud_alert_history (alert_id);
        CREATE TABLE {s}.fraud_lists (
            id text PRIMARY KEY,
            list smallint NOT NULL,
            subject_kind text NOT NULL,
            subject text NOT NULL,
            rule text,
            expires timestamptz,
            created timestamptz NOT NULL,
            created_by text NOT NULL,
            note text);
        CREATE INDEX fraud_lists_list ON {s}.fraud_lists (list, created);
        CREATE INDEX fraud_lists_subject ON {s}.fraud_lists (subject);
        CREATE TABLE {s}.fraud_audit (
            id text PRIMARY KEY,
            t timestamptz NOT NULL,
            who text NOT NULL,
            action text NOT NULL,
            kind text NOT NULL,
            target text);
        CREATE INDEX fraud_audit_t ON {s}.fraud_audit (t);
        CREATE INDEX fraud_audit_target ON {s}.fraud_audit (target);
        """,
    ];

    /// <summary>The quoted schema name (the name is validated: lower-case letters, digits and underscores).</summary>
    public static string Quote(string schema) => "\"" + schema + "\"";

    /// <summary>The advisory lock key of a schema's migrations (FNV-1a, stable across processes and versions).</summary>
    public static long LockKey(string schema)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in "numo_dashboard_schema:" + schema)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }

    /// <summary>
    /// Creates the schema or brings it to <see cref="Version"/>; returns the version found before (0: created).
    /// </summary>
    /// <exception cref="InvalidOperationException">The database holds a newer schema than this code knows.</exception>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        var s = Quote(schema);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int found;
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey(schema) });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand(null, connection, transaction))
        {
            command.CommandText = $"""
                CREATE SCHEMA IF NOT EXISTS {s};
                CREATE TABLE IF NOT EXISTS {s}.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
                """;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {s}.schema_version", connection, transaction))
        {
            found = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (found > Version)
        {
            throw new InvalidOperationException($"The dashboard schema {schema} is at version {found}, newer than this NumoTelemetry knows ({Version}): update this node.");
        }

        for (var version = found + 1; version <= Version; version++)
        {
            await using var command = new NpgsqlCommand(s_migrations[version - 1].Replace("{s}", s, StringComparison.Ordinal), connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand($"INSERT INTO {s}.schema_version (version) VALUES ($1)", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return found;
    }
}
