using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Dashboard;

/// <summary>All of the dashboard's log messages. They carry counts and exception types, never an identifier.</summary>
internal static partial class DashboardLog
{
    [LoggerMessage(100, LogLevel.Error, "NumoTelemetry dashboard: writing {Count} aggregate cells failed ({ExceptionType}: {Reason}); they were dropped.", EventName = "DashboardStoreWriteFailed")]
    public static partial void StoreWriteFailed(ILogger logger, int count, string exceptionType, string reason);

    [LoggerMessage(101, LogLevel.Warning, "NumoTelemetry dashboard: the retention purge failed ({ExceptionType}: {Reason}); it is retried within the hour.", EventName = "DashboardStorePurgeFailed")]
    public static partial void StorePurgeFailed(ILogger logger, string exceptionType, string reason);

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
}
