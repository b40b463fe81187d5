using Microsoft.Extensions.Logging;

namespace NumoTelemetry.RequestLog;

/// <summary>Options of the pseudonymised request log.</summary>
public sealed class RequestLogOptions
{
    /// <summary>Writes each record through <c>ILogger</c> (category <c>NumoTelemetry.RequestLog</c>).</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool LoggerEnabled { get; set; } = true;

    /// <summary>The level of request-log entries written through <c>ILogger</c>.</summary>
    /// <value>Default: <see cref="LogLevel.Debug"/>.</value>
    public LogLevel LoggerLevel { get; set; } = LogLevel.Debug;

    /// <summary>
    /// Writes JSON-lines files. Each record is a whole line in a file or counted in
    /// <c>numo.pipeline.records.dropped{numo.reason=request_log_file}</c>: a full disk leaves no half line (the lines of
    /// the failed write are kept and written when space returns; records arriving during the retry backoff are counted),
    /// and a file deleted or moved away (logrotate) is reopened at its path within a second or a flush interval.
    /// </summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool FileEnabled { get; set; } = true;

    /// <summary>Folder of the JSON-lines files; relative paths are under the app's content root.</summary>
    /// <value>Default: <c>numo-data/request-log</c>.</value>
    public string Directory { get; set; } = "numo-data/request-log";

    /// <summary>A file is rotated when it reaches this size, and at each UTC day.</summary>
    /// <value>Default: 64 MiB.</value>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Files older than this many days are deleted.</summary>
    /// <value>Default: 14.</value>
    public int RetentionDays { get; set; } = 14;
}
