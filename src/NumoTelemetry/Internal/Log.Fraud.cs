using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Internal;

/// <summary>Fraud and alert log messages (event ids 100-199). Pseudonyms and aggregates only.</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Error, "NumoTelemetry fraud state store failed on a batch of {Count} records ({ExceptionType}: {Reason}); detection skipped the batch.", EventName = "FraudStateFailed")]
    public static partial void FraudStateFailed(ILogger logger, int count, string exceptionType, string reason);

    [LoggerMessage(101, LogLevel.Error, "NumoTelemetry alert sink {Sink} failed ({ExceptionType}).", EventName = "AlertSinkFailed")]
    public static partial void AlertSinkFailed(ILogger logger, string sink, string exceptionType);

    [LoggerMessage(102, LogLevel.Warning, "NumoTelemetry alert webhook failed for alert {AlertId} after {Attempts} attempt(s) (last: {Outcome}); the alert was dropped.", EventName = "WebhookDeliveryFailed")]
    public static partial void WebhookDeliveryFailed(ILogger logger, string alertId, int attempts, string outcome);

    [LoggerMessage(103, LogLevel.Error, "NumoTelemetry alert webhook answered 410 Gone: the webhook is disabled until restart. Fix NumoTelemetry:Alerts:Webhook:Url.", EventName = "WebhookGone")]
    public static partial void WebhookGone(ILogger logger);

    [LoggerMessage(104, LogLevel.Warning, "NumoTelemetry alert webhook queue is full ({QueueSize}); alert {AlertId} was dropped.", EventName = "WebhookQueueFull")]
    public static partial void WebhookQueueFull(ILogger logger, int queueSize, string alertId);

    [LoggerMessage(105, LogLevel.Error, "NumoTelemetry fraud detector {Detector} failed ({ExceptionType}: {Reason}); the other detectors went on.", EventName = "DetectorFailed")]
    public static partial void DetectorFailed(ILogger logger, string detector, string exceptionType, string reason);

    [LoggerMessage(106, LogLevel.Warning, "NumoTelemetry fraud alerts: {Dropped} alert group(s) with unsent hits were not notified at shutdown (notification rate {PerMinute}/min); by rule: {Rules}.", EventName = "AlertsDroppedAtShutdown")]
    public static partial void AlertsDroppedAtShutdown(ILogger logger, int dropped, int perMinute, string rules);
}
