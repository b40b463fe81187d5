namespace NumoTelemetry.Dashboard.PostgreSql;

/// <summary>
/// Fleet analytics (<c>NumoTelemetry:Dashboard:PostgreSql</c>): the dashboard's aggregates, fraud alerts, day secrets,
/// share-link revocations and the fraud workspace in one PostgreSQL database shared by every node, so each node's dashboard
/// shows the fleet's totals. Validated at start-up.
/// </summary>
public sealed class PostgreSqlDashboardOptions
{
    /// <summary>The configuration section name below <c>NumoTelemetry:Dashboard</c>.</summary>
    public const string SectionName = "PostgreSql";

    /// <summary>An Npgsql connection string, for example <c>Host=db;Database=numo;Username=numo;Password=...</c>. Required.</summary>
    /// <value>Default: <see langword="null"/> (a start-up error names the setting).</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The schema that holds the store's tables and functions; created when missing. Lower-case letters, digits and
    /// underscores. Nodes that share a dashboard use the same database and schema.
    /// </summary>
    /// <value>Default: <c>numo_dashboard</c>.</value>
    public string Schema { get; set; } = "numo_dashboard";

    /// <summary>How long one database command may run (also bounds the wait for a day secret on the pipeline's thread).</summary>
    /// <value>Default: 10 seconds.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Cells kept in memory while the database is unreachable or slow, retried until it answers. Writes that would go
    /// beyond it are dropped and their records counted in <c>numo.pipeline.records.dropped{numo.reason=dashboard_store}</c>.
    /// </summary>
    /// <value>Default: 200,000 (roughly 100 MB at worst).</value>
    public int MaxBufferedCells { get; set; } = 200_000;

    /// <summary>The longest pause between two attempts while the database fails (the pause doubles from 250 ms up to this).</summary>
    /// <value>Default: 30 seconds.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long disposing the store at shutdown waits for buffered cells to be written; what is left is counted as dropped.</summary>
    /// <value>Default: 10 seconds.</value>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
