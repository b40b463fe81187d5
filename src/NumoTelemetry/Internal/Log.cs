using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Internal;

/// <summary>All of the core's log messages. Messages never carry a raw identifier: only types, counts and pseudonyms.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "NumoTelemetry capture failed ({ExceptionType}); the request was served and the record skipped.", EventName = "CaptureFailed")]
    public static partial void CaptureFailed(ILogger logger, string exceptionType);

    [LoggerMessage(2, LogLevel.Error, "NumoTelemetry processor {Processor} failed on a batch of {Count} records ({ExceptionType}: {Reason}).", EventName = "ProcessorFailed")]
    public static partial void ProcessorFailed(ILogger logger, string processor, int count, string exceptionType, string reason);

    [LoggerMessage(3, LogLevel.Information, "NumoTelemetry pipeline stopped; {Count} queued records drained.", EventName = "PipelineDrained")]
    public static partial void PipelineDrained(ILogger logger, long count);

    [LoggerMessage(4, LogLevel.Warning, "NumoTelemetry pipeline shutdown timed out with {Count} records still queued; they were dropped and counted.", EventName = "PipelineDrainTimedOut")]
    public static partial void PipelineDrainTimedOut(ILogger logger, long count);

    [LoggerMessage(5, LogLevel.Error, "NumoTelemetry request log file sink failed ({ExceptionType}: {Reason}); records are still logged elsewhere. Retrying in {RetryIn}.", EventName = "RequestLogFileFailed")]
    public static partial void RequestLogFileFailed(ILogger logger, string exceptionType, string reason, TimeSpan retryIn);

    [LoggerMessage(6, LogLevel.Information, "NumoTelemetry request log file sink works again after {Failures} failed attempts.", EventName = "RequestLogFileRecovered")]
    public static partial void RequestLogFileRecovered(ILogger logger, int failures);
}
