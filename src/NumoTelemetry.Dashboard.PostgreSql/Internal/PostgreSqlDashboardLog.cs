using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Dashboard.PostgreSql.Internal;

/// <summary>
/// The log messages of NumoTelemetry.Dashboard.PostgreSql. They carry counts, exception types and SQLSTATE codes, never an
/// identifier, a cell key or the connection string (it may hold a password).
/// </summary>
internal static partial class PostgreSqlDashboardLog
{
    [LoggerMessage(1801, LogLevel.Information, "NumoTelemetry dashboard: aggregates stored in PostgreSQL (host {Host}, database {Database}, schema {Schema}, schema version {Version}).", EventName = "DashboardPostgreSqlOpened")]
    public static partial void Opened(ILogger logger, string? host, string? database, string schema, int version);

    [LoggerMessage(1802, LogLevel.Information, "NumoTelemetry dashboard: PostgreSQL schema {Schema} migrated from version {From} to {To}.", EventName = "DashboardPostgreSqlMigrated")]
    public static partial void Migrated(ILogger logger, string schema, int from, int to);

    [LoggerMessage(1803, LogLevel.Error, "NumoTelemetry dashboard: the PostgreSQL store is failing ({ExceptionType}: {Reason}). Cells are kept in memory (at most {Max}) and retried; every failed attempt counts in numo.errors{{numo.stage=dashboard_store}}. Logged once per outage.", EventName = "DashboardPostgreSqlFailing")]
    public static partial void Failing(ILogger logger, string exceptionType, string reason, int max);

    [LoggerMessage(1804, LogLevel.Information, "NumoTelemetry dashboard: the PostgreSQL store works again after {Failures} failed attempts in {Seconds:0.0} s; {Pending} buffered cells are being written.", EventName = "DashboardPostgreSqlRecovered")]
    public static partial void Recovered(ILogger logger, int failures, double seconds, int pending);

    [LoggerMessage(1805, LogLevel.Error, "NumoTelemetry dashboard: {Cells} aggregate cells of {Records} records were dropped: PostgreSQL kept failing and more than {Max} cells waited for it. Counted in numo.pipeline.records.dropped{{numo.reason=dashboard_store}}; logged once per outage.", EventName = "DashboardPostgreSqlCellsDropped")]
    public static partial void CellsDropped(ILogger logger, int cells, long records, int max);

    [LoggerMessage(1806, LogLevel.Error, "NumoTelemetry dashboard: at shutdown {Cells} aggregate cells of {Records} records and {Alerts} alerts could not be written to PostgreSQL within the shutdown timeout and were dropped (counted in numo.pipeline.records.dropped{{numo.reason=dashboard_store}}).", EventName = "DashboardPostgreSqlShutdownDropped")]
    public static partial void ShutdownDropped(ILogger logger, int cells, long records, int alerts);

    [LoggerMessage(1807, LogLevel.Warning, "NumoTelemetry dashboard: {Alerts} fraud alerts were dropped: PostgreSQL kept failing and more than {Max} alerts waited for it. Each counts in numo.errors{{numo.stage=dashboard_store}}.", EventName = "DashboardPostgreSqlAlertsDropped")]
    public static partial void AlertsDropped(ILogger logger, int alerts, int max);

    [LoggerMessage(1808, LogLevel.Error, "NumoTelemetry dashboard: the PostgreSQL schema could not be checked at start-up ({ExceptionType}: {Reason}); the store tries again with every call.", EventName = "DashboardPostgreSqlSchemaNotReady")]
    public static partial void SchemaNotReady(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(1809, LogLevel.Error, "NumoTelemetry dashboard: PostgreSQL refused a batch of {Cells} aggregate cells of {Records} records ({Reason}); it was dropped rather than retried. Counted in numo.pipeline.records.dropped{{numo.reason=dashboard_store}}.", EventName = "DashboardPostgreSqlBatchRejected")]
    public static partial void BatchRejected(ILogger logger, int cells, long records, string reason);
}
