using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Dashboard;

/// <summary>All of the dashboard's log messages. They carry counts and exception types, never an identifier.</summary>
internal static partial class DashboardLog
{
    // Event ids 100 (DashboardStoreWriteFailed, logged per write) and 101 (DashboardStorePurgeFailed) are retired:
    // a failing store is logged once as failing (107) and once as recovered (108).
    [LoggerMessage(102, LogLevel.Information, "NumoTelemetry dashboard: the retention purge removed {Count} aggregate cells.", EventName = "DashboardStorePurged")]
    public static partial void Purged(ILogger logger, int count);

    [LoggerMessage(103, LogLevel.Information, "NumoTelemetry dashboard: aggregates stored in {Path}.", EventName = "DashboardStoreOpened")]
    public static partial void StoreOpened(ILogger logger, string path);

    [LoggerMessage(104, LogLevel.Warning, "NumoTelemetry dashboard is mapped at {Prefix} WITHOUT an authorization policy (allowed in Development only).", EventName = "DashboardAnonymous")]
    public static partial void AnonymousInDevelopment(ILogger logger, string prefix);

    [LoggerMessage(105, LogLevel.Warning, "NumoTelemetry dashboard: a stored aggregate sketch was unreadable and skipped ({Reason}).", EventName = "DashboardSketchUnreadable")]
    public static partial void SketchUnreadable(ILogger logger, string reason);

    [LoggerMessage(106, LogLevel.Warning, "NumoTelemetry dashboard: a fraud alert could not be stored for the fraud overview ({ExceptionType}); other alert sinks still received it.", EventName = "DashboardAlertNotStored")]
    public static partial void AlertNotStored(ILogger logger, string exceptionType);

    [LoggerMessage(107, LogLevel.Error, "NumoTelemetry dashboard: the aggregate store is failing ({ExceptionType}: {Reason}). Cells are kept and retried with each write; every failure counts in numo.errors{{numo.stage=dashboard_store}}.", EventName = "DashboardStoreFailing")]
    public static partial void StoreFailing(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(108, LogLevel.Information, "NumoTelemetry dashboard: the aggregate store works again after {Failures} failed calls.", EventName = "DashboardStoreRecovered")]
    public static partial void StoreRecovered(ILogger logger, int failures);

    [LoggerMessage(109, LogLevel.Error, "NumoTelemetry dashboard: {Cells} aggregate cells of {Records} records were dropped: the store kept failing and more than {Max} cells waited for it. Counted in numo.pipeline.records.dropped{{numo.reason=dashboard_store}}.", EventName = "DashboardStoreCellsDropped")]
    public static partial void StoreCellsDropped(ILogger logger, int cells, long records, int max);
}
