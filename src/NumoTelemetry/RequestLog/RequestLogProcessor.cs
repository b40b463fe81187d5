using System.Buffers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Internal;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Records;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// The pseudonymised request log: each record through <c>ILogger</c> (category
/// <c>NumoTelemetry.RequestLog</c>) and into rotating JSON-lines files under the content root.
/// </summary>
/// <remarks>
/// Every record is either a whole line in a file or counted in
/// <c>numo.pipeline.records.dropped{numo.reason=request_log_file}</c>. When the file sink fails (disk full, directory
/// not writable), it is retried with exponential backoff (1 s doubling to 5 min), reopening the file; each failure counts
/// in <c>numo.errors{numo.stage=request_log_file}</c>, the first one is logged (<c>RequestLogFileFailed</c>), and so is the
/// recovery (<c>RequestLogFileRecovered</c>). A write cut short by a full disk leaves no half line: the file is cut back
/// and the write's lines (at most 64 KiB) are kept and written first on recovery; the records that arrive meanwhile are
/// counted. Lines that still cannot be written at shutdown are counted. A file deleted or moved away is noticed within a
/// second or a flush interval and reopened at its path (<c>RequestLogFileReopened</c>); on Linux the lines written to a
/// deleted file since it was last seen in place are counted.
/// </remarks>
internal sealed partial class RequestLogProcessor : IRequestRecordProcessor, IDisposable
{
    private readonly RequestLogOptions _options;
    private readonly ILogger _logger;
    private readonly NumoTelemetryMetrics _metrics;
    private readonly JsonLinesFileWriter? _file;
    private readonly RequestRecordJsonWriter? _json;
    private readonly Utf8LineWriter<RequestRecord>? _writeJson;
    private readonly ILogger _ownLogger;
    private readonly TimeProvider _time;
    private int _failures;
    private DateTimeOffset _retryAt;
    private readonly IRequestLogGate? _erasures;

    public RequestLogProcessor(
        IOptions<NumoTelemetryOptions> options,
        ILoggerFactory loggerFactory,
        NumoTelemetryMetrics metrics,
        TimeProvider time,
        IHostEnvironment? environment = null,
        IRequestLogGateFactory? gates = null)
    {
        _options = options.Value.RequestLog;
        _logger = loggerFactory.CreateLogger("NumoTelemetry.RequestLog");
        _ownLogger = loggerFactory.CreateLogger<RequestLogProcessor>();
        _metrics = metrics;
        _time = time;
        if (_options.FileEnabled)
        {
            var directory = _options.Directory;
            if (!Path.IsPathRooted(directory))
            {
                directory = Path.Combine(environment?.ContentRootPath ?? AppContext.BaseDirectory, directory);
            }

            _file = new JsonLinesFileWriter(directory, "requests", _options.MaxFileBytes, _options.RetentionDays, time, FileGone);
            var json = _json = new RequestRecordJsonWriter();
            _writeJson = (IBufferWriter<byte> output, in RequestRecord record) => json.Write(output, in record);
            _erasures = gates?.Create(directory, _file, _ownLogger);
        }
    }

    /// <summary>The gate of this writer (subject erasure), if the host registered one (tests).</summary>
    internal IRequestLogGate? Erasures => _erasures;

    internal string? CurrentFilePath => _file?.CurrentPath;

    public ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken)
    {
        var records = batch.Span;
        var level = _options.LoggerLevel;
        if (_options.LoggerEnabled && _logger.IsEnabled(level))
        {
            for (var i = 0; i < records.Length; i++)
            {
                ref readonly var r = ref records[i];
                RequestRecorded(
                    _logger,
                    level,
                    r.Method,
                    r.Route,
                    r.StatusCode,
                    r.Duration.TotalMilliseconds,
                    r.Ip.ToString(),
                    r.IpPrefix.ToString(),
                    r.Session.IsEmpty ? null : r.Session.ToString(),
                    r.Visitor.IsEmpty ? null : r.Visitor.ToString(),
                    r.User.IsEmpty ? null : r.User.ToString(),
                    r.UserAgent?.Browser.Family,
                    r.UserAgent?.Os.Family,
                    r.UserAgent?.Bot.IsBot ?? false,
                    r.Geo?.CountryIsoCode,
                    NumoTelemetryMetrics.ConsentTag(r.Consent),
                    r.Risk.Score);
            }
        }

        if (_file is not null)
        {
            WriteFile(records);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        // While failing, a flush after the backoff retries the lines kept from the failed write (nothing else would prove
        // the sink works again).
        if (_file is null || (_failures > 0 && (_time.GetUtcNow() < _retryAt || _file.BufferedLines == 0)))
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            _erasures?.Check();
            _file.Flush();
            Recovered();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Failed(ex, 0);
        }

        return ValueTask.CompletedTask;
    }

    private void WriteFile(ReadOnlySpan<RequestRecord> records)
    {
        if (_failures > 0 && _time.GetUtcNow() < _retryAt)
        {
            Dropped(records.Length);
            return;
        }

        var file = _file!;
        var erasures = _erasures;
        erasures?.Check(); // at most once a second: requests of the erasure folder, before any line is written
        var before = file.LinesAccepted;
        var skipped = 0;
        try
        {
            for (var i = 0; i < records.Length; i++)
            {
                if (erasures is not null && erasures.IsErased(in records[i]))
                {
                    skipped++; // a subject being erased: its lines are not written
                    continue;
                }

                file.WriteUtf8Line(in records[i], _writeJson!);
            }

            if (_failures > 0)
            {
                file.Flush(); // prove the sink works before calling it recovered
                Recovered();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The lines the writer took stay with it (written on recovery, or counted at shutdown); the rest are lost.
            Failed(ex, records.Length - skipped - (int)(file.LinesAccepted - before));
        }
    }

    private void Recovered()
    {
        if (_failures > 0)
        {
            Log.RequestLogFileRecovered(_ownLogger, _failures);
            _failures = 0;
        }
    }

    private void Failed(Exception ex, int lost)
    {
        // The other sinks keep working; this one is reopened after a growing pause.
        _file!.Reset();
        _failures++;
        var delay = TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, Math.Min(_failures - 1, 9))));
        _retryAt = _time.GetUtcNow() + delay;
        _metrics.RecordError("request_log_file");
        Dropped(lost);
        if (_failures == 1)
        {
            Log.RequestLogFileFailed(_ownLogger, ex.GetType().Name, ex.Message, delay);
        }
    }

    private void FileGone(string path, bool deleted, long linesLost)
    {
        Dropped(linesLost);
        Log.RequestLogFileReopened(_ownLogger, path, deleted ? "deleted" : "moved away", linesLost);
    }

    private void Dropped(long count)
    {
        for (var i = 0L; i < count; i++)
        {
            _metrics.RecordDropped("request_log_file");
        }
    }

    public void Dispose()
    {
        if (_file is not null)
        {
            // A last attempt, also for the lines kept from a failed write; what still cannot be written is counted.
            try
            {
                _file.Flush();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                var lost = _file.DiscardBuffered();
                Dropped(lost);
                if (lost > 0)
                {
                    Log.RequestLogFileLinesLost(_ownLogger, lost, ex.GetType().Name, ex.Message);
                }
            }

            _file.Dispose();
            _erasures?.Dispose();
        }

        _json?.Dispose();
    }

    [LoggerMessage(EventId = 100, Message = "Request {Method} {Route} {StatusCode} in {DurationMs} ms; ip={Ip} prefix={IpPrefix} session={Session} visitor={Visitor} user={User} browser={Browser} os={Os} bot={Bot} country={Country} consent={Consent} risk={Risk}", EventName = "RequestRecorded")]
    private static partial void RequestRecorded(
        ILogger logger,
        LogLevel level,
        string method,
        string route,
        int statusCode,
        double durationMs,
        string ip,
        string ipPrefix,
        string? session,
        string? visitor,
        string? user,
        string? browser,
        string? os,
        bool bot,
        string? country,
        string consent,
        double risk);
}
