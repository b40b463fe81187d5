using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Internal;

/// <summary>Fraud feedback and alert delivery log messages (event ids 150-169). Ids, kinds and rules only, never a subject.</summary>
internal static partial class Log
{
    [LoggerMessage(150, LogLevel.Information, "NumoTelemetry fraud {List} list: {Action} entry {EntryId} ({SubjectKind}, rule {Rule}).", EventName = "FraudListChanged")]
    public static partial void FraudListChanged(ILogger logger, string list, string action, string entryId, string subjectKind, string rule);

    [LoggerMessage(151, LogLevel.Error, "NumoTelemetry fraud list store failed ({ExceptionType}).", EventName = "FraudListStoreFailed")]
    public static partial void FraudListStoreFailed(ILogger logger, string exceptionType);

    [LoggerMessage(152, LogLevel.Warning, "NumoTelemetry {Sink} alert webhook queue is full ({QueueSize}); a message was dropped.", EventName = "ChatQueueFull")]
    public static partial void ChatQueueFull(ILogger logger, string sink, int queueSize);

    [LoggerMessage(153, LogLevel.Warning, "NumoTelemetry {Sink} alert webhook failed after {Attempts} attempt(s) (last: {Outcome}); the message was dropped.", EventName = "ChatDeliveryFailed")]
    public static partial void ChatDeliveryFailed(ILogger logger, string sink, int attempts, string outcome);
}
