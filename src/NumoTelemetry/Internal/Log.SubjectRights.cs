using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Internal;

/// <summary>Subject rights: erasure requests, account closure and the legal hold (400-409). Pseudonyms and counts only.</summary>
internal static partial class Log
{
    [LoggerMessage(400, LogLevel.Information, "NumoTelemetry subject request {RequestId} ({Operation}): the request log stops writing the subject's lines; files up to {Mark} are sealed.", EventName = "SubjectRequestSealed")]
    public static partial void SubjectRequestSealed(ILogger logger, string requestId, string operation, string? mark);

    [LoggerMessage(401, LogLevel.Warning, "NumoTelemetry subject rights failed at {Stage} ({ExceptionType}: {Reason}); it is retried.", EventName = "SubjectRightsFailed")]
    public static partial void SubjectRightsFailed(ILogger logger, string stage, string exceptionType, string reason);

    [LoggerMessage(402, LogLevel.Information, "NumoTelemetry erased the fraud state of {Subjects} subjects ({Operation}).", EventName = "SubjectStateErased")]
    public static partial void SubjectStateErased(ILogger logger, int subjects, string operation);

    [LoggerMessage(403, LogLevel.Information, "NumoTelemetry account closure held for {Hold} (fraud score {Score:0.#} at least {MinimumScore:0.#}): its fraud state is kept, its log erasure waits.", EventName = "AccountClosureHeld")]
    public static partial void AccountClosureHeld(ILogger logger, TimeSpan hold, double score, double minimumScore);

    [LoggerMessage(404, LogLevel.Information, "NumoTelemetry erased {Lines} request-log lines from {Files} files (request {RequestId}).", EventName = "SubjectLogErased")]
    public static partial void SubjectLogErased(ILogger logger, long lines, int files, string requestId);
}
