using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Records;

namespace NumoTelemetry.Alerts;

/// <summary>Alerts to a Microsoft Teams incoming or Workflows webhook (<c>NumoTelemetry:Alerts:Teams:Url</c>): a message with one Adaptive Card.</summary>
internal sealed class TeamsAlertSink : ChatAlertSink
{
    public TeamsAlertSink(IOptions<NumoTelemetryOptions> options, AlertMetrics metrics, ILoggerFactory loggerFactory, TimeProvider time)
        : this(options, metrics, loggerFactory, time, null)
    {
    }

    internal TeamsAlertSink(IOptions<NumoTelemetryOptions> options, AlertMetrics metrics, ILoggerFactory loggerFactory, TimeProvider time, HttpMessageHandler? handler)
        : base("teams", options.Value.Alerts.Teams, options.Value.Alerts, metrics, loggerFactory.CreateLogger<TeamsAlertSink>(), time, handler)
    {
    }

    protected override byte[] FormatAlert(FraudAlert alert, string? link) => ChatMessages.TeamsAlert(alert, link);

    protected override byte[] FormatDigest(AlertDigest digest, Uri? workspace) => ChatMessages.TeamsDigest(digest, workspace);
}
