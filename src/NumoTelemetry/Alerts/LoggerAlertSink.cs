using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Records;

namespace NumoTelemetry.Alerts;

/// <summary>
/// Writes alerts through <c>ILogger</c>, category <see cref="CategoryName"/>, event id 1000 <c>FraudAlert</c>, with the alert's fields
/// as structured attributes under the stable names of <see cref="AlertLogAttributes"/> (<c>numo.alert.rule</c>, ...). With the
/// OpenTelemetry logging provider these are OpenTelemetry log records, exported like any other log (for example to a SIEM).
/// </summary>
internal sealed class LoggerAlertSink : IAlertSink
{
    /// <summary>The logger category of alert records.</summary>
    public const string CategoryName = "NumoTelemetry.Alerts";

    /// <summary>The event of alert records.</summary>
    public static readonly EventId AlertEvent = new(1000, "FraudAlert");

    private const string Template = "Fraud alert {numo.alert.rule} ({numo.alert.severity}, score {numo.alert.score}) on {numo.alert.subject_kind} {numo.alert.subject}: {numo.alert.count} hit(s) from {numo.alert.first_seen} to {numo.alert.last_seen} [{numo.alert.id}]";

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

        _logger.Log(level, AlertEvent, State(alert, AlertLinks.Of(_options, alert)), null, static (state, _) => Format(state));
    }

    /// <summary>The record's attributes (alerts are rare: a list per alert is fine).</summary>
    internal static List<KeyValuePair<string, object?>> State(FraudAlert alert, string? url)
    {
        var reasons = new string[alert.Reasons.Count];
        for (var i = 0; i < reasons.Length; i++)
        {
            reasons[i] = alert.Reasons[i].Code;
        }

        var state = new List<KeyValuePair<string, object?>>(16 + alert.Evidence.Count)
        {
            new(AlertLogAttributes.Rule, alert.Rule),
            new(AlertLogAttributes.Severity, alert.Severity),
            new(AlertLogAttributes.Score, Math.Round(alert.Score, 1)),
            new(AlertLogAttributes.SubjectKind, alert.SubjectKind),
            new(AlertLogAttributes.Subject, alert.Subject),
            new(AlertLogAttributes.Count, alert.Count),
            new(AlertLogAttributes.FirstSeen, Iso(alert.FirstSeen)),
            new(AlertLogAttributes.LastSeen, Iso(alert.LastSeen)),
            new(AlertLogAttributes.Id, alert.Id),
            new(AlertLogAttributes.Sequence, alert.Sequence),
            new(AlertLogAttributes.Reasons, reasons),
        };
        if (url is not null)
        {
            state.Add(new(AlertLogAttributes.Url, url));
        }

        foreach (var (name, value) in alert.Evidence)
        {
            state.Add(new(AlertLogAttributes.EvidencePrefix + name, value is string ? value : Convert.ToDouble(value, CultureInfo.InvariantCulture)));
        }

        state.Add(new(AlertLogAttributes.Json, alert.ToJson()));
        state.Add(new("{OriginalFormat}", Template));
        return state;
    }

    private static string Format(List<KeyValuePair<string, object?>> state)
    {
        string Get(string name)
        {
            foreach (var (key, value) in state)
            {
                if (key == name)
                {
                    return Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
                }
            }

            return string.Empty;
        }

        return $"Fraud alert {Get(AlertLogAttributes.Rule)} ({Get(AlertLogAttributes.Severity)}, score {Get(AlertLogAttributes.Score)}) on {Get(AlertLogAttributes.SubjectKind)} {Get(AlertLogAttributes.Subject)}: {Get(AlertLogAttributes.Count)} hit(s) from {Get(AlertLogAttributes.FirstSeen)} to {Get(AlertLogAttributes.LastSeen)} [{Get(AlertLogAttributes.Id)}]";
    }

    internal static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
