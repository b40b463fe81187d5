using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pipeline;

namespace NumoTelemetry.RequestLog;

/// <summary>
/// The pseudonymised request log: each record through <c>ILogger</c> (category
/// <c>NumoTelemetry.RequestLog</c>) and into rotating JSON-lines files under the content root.
/// </summary>
internal sealed partial class RequestLogProcessor : IRequestRecordProcessor, IDisposable
{
    private readonly RequestLogOptions _options;
    private readonly ILogger _logger;
    private readonly NumoTelemetryMetrics _metrics;
    private readonly JsonLinesFileWriter? _file;
    private readonly ILogger _ownLogger;
    private bool _fileFailed;

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
        if (_options.FileEnabled)
        {
            var directory = _options.Directory;
            if (!Path.IsPathRooted(directory))
            {
                directory = Path.Combine(environment?.ContentRootPath ?? AppContext.BaseDirectory, directory);
            }

            _file = new JsonLinesFileWriter(directory, "requests", _options.MaxFileBytes, _options.RetentionDays, time);
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

        if (_file is not null && !_fileFailed)
        {
            try
            {
                for (var i = 0; i < records.Length; i++)
                {
                    _file.WriteLine(records[i], static (writer, record) => RequestRecordJson.Write(writer, record));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Count and report once; the other sinks keep working.
                _fileFailed = true;
                _metrics.RecordError("request_log_file");
                Log.RequestLogFileFailed(_ownLogger, ex.GetType().Name, ex.Message);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            _file?.Flush();
        }
        catch (IOException)
        {
            _metrics.RecordError("request_log_file");
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose() => _file?.Dispose();

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
