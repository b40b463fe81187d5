using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Internal;

/// <summary>In-request enforcement log messages (event ids 150-159).</summary>
internal static partial class Log
{
    [LoggerMessage(150, LogLevel.Error, "NumoTelemetry enforcement: the site's blocked page (Enforcement:OnBlocked) failed ({ExceptionType}); the request was answered with the default problem details.", EventName = "EnforcementPageFailed")]
    public static partial void EnforcementPageFailed(ILogger logger, string exceptionType);

    [LoggerMessage(151, LogLevel.Error, "NumoTelemetry enforcement: the site's blocked page (Enforcement:OnBlocked) failed ({ExceptionType}) after the response had started; it was left as it was.", EventName = "EnforcementPageFailedLate")]
    public static partial void EnforcementPageFailedLate(ILogger logger, string exceptionType);
}
