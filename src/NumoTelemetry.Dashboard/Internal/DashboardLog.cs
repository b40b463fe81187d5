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

    [LoggerMessage(110, LogLevel.Error, "NumoTelemetry fraud workspace: its store is failing ({ExceptionType}); alerts are kept and retried with each write. Every failure counts in numo.errors{{numo.stage=workspace_store}}.", EventName = "WorkspaceStoreFailing")]
    public static partial void WorkspaceStoreFailing(ILogger logger, string exceptionType);

    [LoggerMessage(111, LogLevel.Information, "NumoTelemetry fraud workspace: its store works again after {Failures} failures.", EventName = "WorkspaceStoreRecovered")]
    public static partial void WorkspaceStoreRecovered(ILogger logger, int failures);

    [LoggerMessage(112, LogLevel.Information, "NumoTelemetry fraud workspace: the retention purge removed {Count} records.", EventName = "WorkspacePurged")]
    public static partial void WorkspacePurged(ILogger logger, int count);

    [LoggerMessage(113, LogLevel.Information, "NumoTelemetry fraud workspace: {Loaded} of {Stored} stored allow/deny list entries handed to the fraud engine.", EventName = "WorkspaceListsLoaded")]
    public static partial void ListsLoaded(ILogger logger, int loaded, int stored);

    [LoggerMessage(114, LogLevel.Warning, "NumoTelemetry fraud workspace: the fraud engine takes no feedback (no IFraudFeedback registered); reviews and lists are recorded but do not change alerts or enforcement.", EventName = "WorkspaceFeedbackWithoutEngine")]
    public static partial void FeedbackWithoutEngine(ILogger logger);

    [LoggerMessage(115, LogLevel.Information, "NumoTelemetry fraud workspace: a raw-value lookup of kind {Kind} was made and audited (the value is not logged).", EventName = "WorkspaceLookup")]
    public static partial void Lookup(ILogger logger, string kind);

    [LoggerMessage(116, LogLevel.Error, "NumoTelemetry fraud workspace: an action failed ({ExceptionType}); counted in numo.errors{{numo.stage={Stage}}}.", EventName = "WorkspaceActionFailed")]
    public static partial void ActionFailed(ILogger logger, string stage, string exceptionType);
}
