using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Redis;

/// <summary>The log messages of NumoTelemetry.Redis. Never a raw identifier, a key or the configuration string (it may hold a password).</summary>
internal static partial class Log
{
    [LoggerMessage(701, LogLevel.Warning, "NumoTelemetry Redis is unreachable ({Cause}); fraud detection continues on this node's local state until it returns. Logged once per outage.", EventName = "RedisUnavailable")]
    public static partial void Unavailable(ILogger logger, string cause);

    [LoggerMessage(702, LogLevel.Information, "NumoTelemetry Redis is reachable again after {Seconds:0.0} s; replaying {Pending} operations kept during the outage ({Dropped} dropped beyond the replay capacity).", EventName = "RedisRecovered")]
    public static partial void Recovered(ILogger logger, double seconds, long pending, long dropped);

    [LoggerMessage(703, LogLevel.Information, "NumoTelemetry Redis: erased {Count} keys of pseudonymisation key {KeyId}.", EventName = "RedisKeyForgotten")]
    public static partial void KeyForgotten(ILogger logger, long count, int keyId);

    [LoggerMessage(704, LogLevel.Warning, "NumoTelemetry Redis: could not erase the state of pseudonymisation key {KeyId} ({Cause}); it expires with its TTLs. Run ForgetKeyAsync again when Redis is back.", EventName = "RedisForgetFailed")]
    public static partial void ForgetFailed(ILogger logger, int keyId, string cause);

    [LoggerMessage(705, LogLevel.Warning, "NumoTelemetry Redis: the fleet's fraud lists could not be read or followed ({Cause}); this node keeps its copy and tries again.", EventName = "RedisListsFailed")]
    public static partial void ListsFailed(ILogger logger, string cause);
}
