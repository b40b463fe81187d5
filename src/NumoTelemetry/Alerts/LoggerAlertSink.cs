using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Records;

namespace NumoTelemetry.Alerts;

/// <summary>
/// Writes alerts through <c>ILogger</c>, category <see cref="CategoryName"/>, event id 1000 <c>FraudAlert</c>, with the alert's fields
/// as structured attributes and its JSON in <c>alert.json</c>. With the OpenTelemetry logging provider these are OpenTelemetry log
/// records, exported like any other log.
/// </summary>
internal sealed partial class LoggerAlertSink : IAlertSink
{
    /// <summary>The logger category of alert records.</summary>
    public const string CategoryName = "NumoTelemetry.Alerts";

    private readonly ILogger _logger;
    private readonly AlertOptions _options;

    public LoggerAlertSink(ILoggerFactory loggerFactory, IOptions<NumoTelemetryOptions> options)
    {
        _logger = loggerFactory.CreateLogger(CategoryName);
        _options = options.Value.Alerts;
    }

    public void Publish(FraudAlert alert)
    {
        if (!_options.LoggerEnabled)
        {
            return;
        }

        var level = _options.LogLevel;
        if (alert.Band == Records.RiskBand.Page && level < LogLevel.Critical)
        {
            level++;
        }

        if (!_logger.IsEnabled(level))
        {
            return;
        }

        FraudAlertLogged(_logger, level, alert.Rule, alert.Severity, alert.Score, alert.SubjectKind, alert.Subject, alert.Count, alert.FirstSeen, alert.LastSeen, alert.Id, alert.ToJson());
    }

    [LoggerMessage(EventId = 1000, EventName = "FraudAlert", Message = "Fraud alert {Rule} ({Severity}, score {Score}) on {SubjectKind} {Subject}: {Count} hit(s) from {FirstSeen:O} to {LastSeen:O} [{AlertId}] {AlertJson}")]
    private static partial void FraudAlertLogged(ILogger logger, LogLevel level, string rule, string severity, double score, string subjectKind, string subject, long count, DateTimeOffset firstSeen, DateTimeOffset lastSeen, string alertId, string alertJson);
}
