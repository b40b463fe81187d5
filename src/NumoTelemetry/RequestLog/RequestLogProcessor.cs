using System.Buffers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pipeline;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// The pseudonymised request log: each record through <c>ILogger</c> (category
/// <c>NumoTelemetry.RequestLog</c>) and into rotating JSON-lines files under the content root. When the
/// file sink fails (disk full, directory not writable), it is retried with exponential backoff (1 s doubling
/// to 5 min), reopening the file; each failure counts in <c>numo.errors{numo.stage=request_log_file}</c> and
/// each record not written meanwhile in <c>numo.pipeline.records.dropped{numo.reason=request_log_file}</c>.
/// </summary>
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

    public RequestLogProcessor(
        IOptions<NumoTelemetryOptions> options,
        ILoggerFactory loggerFactory,
        NumoTelemetryMetrics metrics,
        TimeProvider time,
        IHostEnvironment? environment = null)
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

            _file = new JsonLinesFileWriter(directory, "requests", _options.MaxFileBytes, _options.RetentionDays, time);
            var json = _json = new RequestRecordJsonWriter();
            _writeJson = (IBufferWriter<byte> output, in RequestRecord record) => json.Write(output, in record);
        }
    }

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
        if (_file is null || _failures > 0)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            _file.Flush();
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

        var written = 0;
        try
        {
            for (; written < records.Length; written++)
            {
                _file!.WriteUtf8Line(in records[written], _writeJson!);
            }

            if (_failures > 0)
            {
                _file!.Flush(); // prove the sink works before calling it recovered
                Log.RequestLogFileRecovered(_ownLogger, _failures);
                _failures = 0;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Failed(ex, records.Length - written);
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

    private void Dropped(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _metrics.RecordDropped("request_log_file");
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
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
