using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Internal;

/// <summary>The request-log file sink's messages beyond its failure and recovery (5 and 6).</summary>
internal static partial class Log
{
    [LoggerMessage(7, LogLevel.Warning, "NumoTelemetry request log file {Path} was {How} while open; reopened at its path. {LinesLost} lines written to it since it was last seen in place were lost and counted as dropped.", EventName = "RequestLogFileReopened")]
    public static partial void RequestLogFileReopened(ILogger logger, string path, string how, long linesLost);

    [LoggerMessage(8, LogLevel.Error, "NumoTelemetry request log file sink could not write its last {Count} lines at shutdown ({ExceptionType}: {Reason}); they were counted as dropped.", EventName = "RequestLogFileLinesLost")]
    public static partial void RequestLogFileLinesLost(ILogger logger, int count, string exceptionType, string reason);
}
